public import NIOCore

/// One optional parameter: a tag and its value octets exactly as carried (SMPP v3.4 §3.2.4.1).
public struct TLV: Hashable, Sendable, CustomStringConvertible {
    public var tag: TLVTag
    /// The value field; its length is the TLV's length field.
    public var value: ByteBuffer

    @inlinable
    public init(tag: TLVTag, value: ByteBuffer) {
        self.tag = tag
        self.value = value
    }

    public var description: String {
        var hexValue = ""
        for byte in self.value.readableBytesView.prefix(32) { hexValue += hex(byte, width: 2) }
        let more = self.value.readableBytes > 32 ? "…" : ""
        return "\(self.tag.name)[\(self.value.readableBytes)]=\(hexValue)\(more)"
    }
}

extension ByteBuffer {
    /// Reads the optional parameters that fill the rest of a PDU body (§3.2.4), in wire order.
    ///
    /// A TLV header cut short or a length that runs past the body is ESME_RINVOPTPARSTREAM; a known
    /// tag whose length breaks its type (`TLVTag.allowedLengths`) is ESME_RINVPARLEN. Unknown and
    /// vendor tags are kept as they are. Values are slices of this buffer, not copies.
    @inlinable
    mutating func readSMPPTLVs() throws(BodyError) -> TLVList {
        guard self.readableBytes > 0 else { return TLVList() }
        var list: [TLV] = []
        while self.readableBytes > 0 {
            guard self.readableBytes >= 4,
                let (tag, length) = self.readMultipleIntegers(as: (UInt16, UInt16).self),
                let value = self.readSlice(length: Int(length))
            else {
                throw .invalidField(field: "tlv", status: .invalidOptionalParameterStream)
            }
            let tlvTag = TLVTag(rawValue: tag)
            if let allowed = tlvTag.allowedLengths, !allowed.contains(Int(length)) {
                throw .invalidField(field: tlvTag.name, status: .invalidParameterLength)
            }
            list.append(TLV(tag: tlvTag, value: value))
        }
        return TLVList(list)
    }

    /// Writes optional parameters in their order. A value longer than 65,535 octets, or one whose
    /// length breaks its tag's type, is ESME_RINVPARLEN.
    @inlinable
    mutating func writeSMPPTLVs(_ tlvs: TLVList) throws(BodyError) {
        for tlv in tlvs {
            let length = tlv.value.readableBytes
            guard length <= Int(UInt16.max), tlv.tag.allowedLengths?.contains(length) ?? true else {
                throw .invalidField(field: tlv.tag.name, status: .invalidParameterLength)
            }
            self.writeMultipleIntegers(tlv.tag.rawValue, UInt16(truncatingIfNeeded: length))
            self.writeImmutableBuffer(tlv.value)
        }
    }
}
