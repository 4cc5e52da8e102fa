/// The esm_class field (SMPP v3.4 §5.2.12): messaging mode, message type and GSM features.
public struct ESMClass: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Bits 1-0: messaging mode.
    public struct Mode: RawRepresentable, Hashable, Sendable {
        public var rawValue: UInt8
        @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue & 0x03 }
        public static let `default` = Mode(rawValue: 0)
        public static let datagram = Mode(rawValue: 1)
        public static let forward = Mode(rawValue: 2)
        public static let storeAndForward = Mode(rawValue: 3)
    }

    /// Bits 5-2: message type. The values differ by direction; these are the common ones.
    public struct MessageType: RawRepresentable, Hashable, Sendable {
        public var rawValue: UInt8
        @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue & 0x3C }
        public static let `default` = MessageType(rawValue: 0x00)
        /// SMSC → ESME: an SMSC delivery receipt (0x04).
        public static let smscDeliveryReceipt = MessageType(rawValue: 0x04)
        /// ESME → SMSC: ESME delivery acknowledgement (0x08); SMSC → ESME: SME delivery acknowledgement.
        public static let deliveryAcknowledgement = MessageType(rawValue: 0x08)
        /// Manual/user acknowledgement (0x10).
        public static let manualAcknowledgement = MessageType(rawValue: 0x10)
        /// Conversation abort, Korean CDMA (0x18).
        public static let conversationAbort = MessageType(rawValue: 0x18)
        /// SMSC → ESME: intermediate delivery notification (0x20).
        public static let intermediateDeliveryNotification = MessageType(rawValue: 0x20)
    }

    public static let udhiFlag: UInt8 = 0x40
    public static let replyPathFlag: UInt8 = 0x80

    @inlinable
    public init(mode: Mode = .default, type: MessageType = .default, udhi: Bool = false, replyPath: Bool = false) {
        self.rawValue = mode.rawValue | type.rawValue | (udhi ? Self.udhiFlag : 0) | (replyPath ? Self.replyPathFlag : 0)
    }

    public var mode: Mode {
        get { Mode(rawValue: self.rawValue) }
        set { self.rawValue = (self.rawValue & ~0x03) | newValue.rawValue }
    }

    public var messageType: MessageType {
        get { MessageType(rawValue: self.rawValue) }
        set { self.rawValue = (self.rawValue & ~0x3C) | newValue.rawValue }
    }

    /// UDH Indicator (0x40): short_message starts with a User Data Header.
    public var udhi: Bool {
        get { self.rawValue & Self.udhiFlag != 0 }
        set { self.rawValue = newValue ? self.rawValue | Self.udhiFlag : self.rawValue & ~Self.udhiFlag }
    }

    /// Whether a deliver_sm or data_sm with this esm_class carries a delivery receipt or an
    /// intermediate notification rather than a mobile-originated message.
    public var isReceipt: Bool {
        self.messageType == .smscDeliveryReceipt || self.messageType == .intermediateDeliveryNotification
            || self.messageType == .deliveryAcknowledgement || self.messageType == .manualAcknowledgement
    }

    public var description: String { "esm_class=0x" + hex(self.rawValue, width: 2) }
}
