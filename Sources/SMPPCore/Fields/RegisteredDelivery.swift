/// The registered_delivery field (SMPP v3.4 §5.2.17): which receipts and acknowledgements the
/// sender asks for.
public struct RegisteredDelivery: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Bits 1-0: the SMSC delivery receipt.
    public enum Receipt: UInt8, Sendable, CaseIterable {
        /// 00: no receipt.
        case none = 0
        /// 01: a receipt on final success or failure.
        case onSuccessOrFailure = 1
        /// 10: a receipt on failure only.
        case onFailure = 2
        /// 11: reserved in v3.4; v5.0 uses it for "on success only".
        case onSuccess = 3
    }

    public static let none = RegisteredDelivery(rawValue: 0)
    public static let receipt = RegisteredDelivery(receipt: .onSuccessOrFailure)

    @inlinable
    public init(receipt: Receipt, smeAcknowledgement: UInt8 = 0, intermediateNotification: Bool = false) {
        self.rawValue = receipt.rawValue | (smeAcknowledgement & 0x03) << 2 | (intermediateNotification ? 0x10 : 0)
    }

    public var receipt: Receipt {
        get { Receipt(rawValue: self.rawValue & 0x03)! }
        set { self.rawValue = (self.rawValue & ~0x03) | newValue.rawValue }
    }

    /// Bit 4 (0x10): intermediate notifications requested. Not esm_class 0x20, which marks one.
    public var intermediateNotification: Bool { self.rawValue & 0x10 != 0 }

    /// Whether a receipt for a message that ended in `final` should be sent.
    public func wantsReceipt(delivered: Bool) -> Bool {
        switch self.receipt {
        case .none: false
        case .onSuccessOrFailure: true
        case .onFailure: !delivered
        case .onSuccess: delivered
        }
    }

    public var description: String { "registered_delivery=0x" + hex(self.rawValue, width: 2) }
}
