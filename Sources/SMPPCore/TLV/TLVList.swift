public import NIOCore

/// The optional parameters of a PDU, in wire order, with typed accessors for the standard ones.
///
/// Order and unknown tags are preserved so that a PDU re-encodes to the octets it came from.
/// Setting a typed value replaces the first TLV with that tag (or appends one); `nil` removes
/// every TLV with the tag.
public struct TLVList: Hashable, Sendable, RandomAccessCollection, ExpressibleByArrayLiteral,
    CustomStringConvertible
{
    @usableFromInline var storage: [TLV]

    @inlinable public init() { self.storage = [] }
    @inlinable public init(_ tlvs: [TLV]) { self.storage = tlvs }
    @inlinable public init(arrayLiteral elements: TLV...) { self.storage = elements }

    @inlinable public var startIndex: Int { self.storage.startIndex }
    @inlinable public var endIndex: Int { self.storage.endIndex }
    @inlinable public subscript(position: Int) -> TLV { self.storage[position] }

    /// The value of the first TLV with `tag`.
    @inlinable
    public subscript(tag: TLVTag) -> ByteBuffer? {
        get {
            for tlv in self.storage where tlv.tag == tag { return tlv.value }
            return nil
        }
        set {
            guard let newValue else {
                self.storage.removeAll { $0.tag == tag }
                return
            }
            if let index = self.storage.firstIndex(where: { $0.tag == tag }) {
                self.storage[index].value = newValue
            } else {
                self.storage.append(TLV(tag: tag, value: newValue))
            }
        }
    }

    /// Appends a TLV even if one with the same tag exists.
    @inlinable
    public mutating func append(_ tlv: TLV) { self.storage.append(tlv) }

    public var description: String { "[" + self.storage.map(\.description).joined(separator: ", ") + "]" }

    // MARK: typed values

    /// An unsigned integer value (1, 2 or 4 octets), or `nil` when absent or of another size.
    public func integer<I: FixedWidthInteger & UnsignedInteger>(_ tag: TLVTag, as: I.Type = I.self) -> I? {
        guard let value = self[tag], value.readableBytes == MemoryLayout<I>.size else { return nil }
        return value.getInteger(at: value.readerIndex, as: I.self)
    }

    public mutating func setInteger<I: FixedWidthInteger & UnsignedInteger>(_ tag: TLVTag, _ value: I?) {
        self[tag] = value.map { ByteBuffer(integer: $0) }
    }

    /// A text value: C-Octet String or plain octets, with one trailing NUL dropped if present
    /// (receivers must accept both forms, e.g. for the DLT ids). Read as ISO-8859-1.
    public func string(_ tag: TLVTag) -> String? {
        guard var value = self[tag] else { return nil }
        if value.readableBytes > 0, value.getInteger(at: value.writerIndex - 1, as: UInt8.self) == 0 {
            value.moveWriterIndex(to: value.writerIndex - 1)
        }
        return Latin1.decode(value.readableBytesView)
    }

    /// Sets a text value, NUL-terminated when `nulTerminated` (C-Octet String TLVs such as
    /// receipted_message_id), as plain octets otherwise (the DLT ids). Written as ISO-8859-1, the
    /// way `string(_:)` reads it; a text with characters above U+00FF is written as UTF-8.
    public mutating func setString(_ tag: TLVTag, _ value: String?, nulTerminated: Bool) {
        guard let value else {
            self[tag] = nil
            return
        }
        var buffer = ByteBuffer(bytes: Latin1.encode(value) ?? Array(value.utf8))
        if nulTerminated { buffer.writeInteger(UInt8(0)) }
        self[tag] = buffer
    }

    /// message_payload (0x0424): the whole message when it does not fit short_message.
    public var messagePayload: ByteBuffer? {
        get { self[.messagePayload] }
        set { self[.messagePayload] = newValue }
    }

    /// receipted_message_id (0x001E): the SMSC's id of the message a receipt is about.
    public var receiptedMessageID: String? {
        get { self.string(.receiptedMessageID) }
        set { self.setString(.receiptedMessageID, newValue, nulTerminated: true) }
    }

    /// message_state (0x0427).
    public var messageState: MessageState? {
        get { self.integer(.messageState, as: UInt8.self).map(MessageState.init(rawValue:)) }
        set { self.setInteger(.messageState, newValue?.rawValue) }
    }

    /// network_error_code (0x0423): network type and error code.
    public var networkErrorCode: NetworkErrorCode? {
        get {
            guard let value = self[.networkErrorCode], value.readableBytes == 3,
                let (type, code) = value.getMultipleIntegers(at: value.readerIndex, as: (UInt8, UInt16).self)
            else { return nil }
            return NetworkErrorCode(networkType: type, errorCode: code)
        }
        set {
            self[.networkErrorCode] = newValue.map { code in
                var buffer = ByteBuffer()
                buffer.writeMultipleIntegers(code.networkType, code.errorCode)
                return buffer
            }
        }
    }

    /// sar_msg_ref_num (0x020C): the reference shared by all parts of a concatenated message.
    public var sarMsgRefNum: UInt16? {
        get { self.integer(.sarMsgRefNum) }
        set { self.setInteger(.sarMsgRefNum, newValue) }
    }

    /// sar_total_segments (0x020E).
    public var sarTotalSegments: UInt8? {
        get { self.integer(.sarTotalSegments) }
        set { self.setInteger(.sarTotalSegments, newValue) }
    }

    /// sar_segment_seqnum (0x020F), from 1.
    public var sarSegmentSeqnum: UInt8? {
        get { self.integer(.sarSegmentSeqnum) }
        set { self.setInteger(.sarSegmentSeqnum, newValue) }
    }

    /// user_message_reference (0x0204).
    public var userMessageReference: UInt16? {
        get { self.integer(.userMessageReference) }
        set { self.setInteger(.userMessageReference, newValue) }
    }

    /// source_port (0x020A).
    public var sourcePort: UInt16? {
        get { self.integer(.sourcePort) }
        set { self.setInteger(.sourcePort, newValue) }
    }

    /// destination_port (0x020B).
    public var destinationPort: UInt16? {
        get { self.integer(.destinationPort) }
        set { self.setInteger(.destinationPort, newValue) }
    }

    /// sc_interface_version (0x0210) in a bind response.
    public var scInterfaceVersion: UInt8? {
        get { self.integer(.scInterfaceVersion) }
        set { self.setInteger(.scInterfaceVersion, newValue) }
    }

    /// delivery_failure_reason (0x0425) in data_sm_resp.
    public var deliveryFailureReason: UInt8? {
        get { self.integer(.deliveryFailureReason) }
        set { self.setInteger(.deliveryFailureReason, newValue) }
    }

    /// additional_status_info_text (0x001D).
    public var additionalStatusInfoText: String? {
        get { self.string(.additionalStatusInfoText) }
        set { self.setString(.additionalStatusInfoText, newValue, nulTerminated: true) }
    }

    /// India DLT principal entity id (vendor 0x1400), e.g. `1101456789012345678`.
    public var dltPrincipalEntityID: String? {
        get { self.string(.dltPrincipalEntityID) }
        set { self.setString(.dltPrincipalEntityID, newValue, nulTerminated: false) }
    }

    /// India DLT content template id (vendor 0x1401).
    public var dltContentTemplateID: String? {
        get { self.string(.dltContentTemplateID) }
        set { self.setString(.dltContentTemplateID, newValue, nulTerminated: false) }
    }

    /// India DLT PE–TM chain hash (vendor 0x1402).
    public var dltTelemarketerChainHash: String? {
        get { self.string(.dltTelemarketerChainHash) }
        set { self.setString(.dltTelemarketerChainHash, newValue, nulTerminated: false) }
    }
}
