public import NIOCore

/// A cursor over reserved output space, so that a whole PDU is written inside a single
/// `writeWithUnsafeMutableBytes` (one exclusivity check per PDU, as `SMPPReader` does for decoding).
/// The space is sized by each body's `encodedLengthBound`, so the writer never runs out.
@usableFromInline
struct SMPPWriter {
    @usableFromInline let bytes: UnsafeMutableRawBufferPointer
    @usableFromInline var offset: Int = 0

    @inlinable
    init(bytes: UnsafeMutableRawBufferPointer) { self.bytes = bytes }

    /// Writes `value` big-endian (an unaligned store; no generic dispatch on the hot path).
    /// Traps rather than writing past the reserved space (a wrong `encodedLengthBound` is our bug,
    /// never memory corruption).
    @inlinable
    func reserve(_ count: Int) {
        precondition(self.offset + count <= self.bytes.count, "SMPPWriter: encodedLengthBound too small")
    }

    @inlinable
    mutating func writeInteger(_ value: UInt8) {
        self.reserve(1)
        self.bytes.storeBytes(of: value, toByteOffset: self.offset, as: UInt8.self)
        self.offset += 1
    }

    @inlinable
    mutating func writeInteger(_ value: UInt16) {
        self.reserve(2)
        self.bytes.storeBytes(of: value.bigEndian, toByteOffset: self.offset, as: UInt16.self)
        self.offset += 2
    }

    @inlinable
    mutating func writeInteger(_ value: UInt32) {
        self.reserve(4)
        self.bytes.storeBytes(of: value.bigEndian, toByteOffset: self.offset, as: UInt32.self)
        self.offset += 4
    }

    @inlinable
    mutating func writeMultipleIntegers(_ a: UInt8, _ b: UInt8) {
        self.writeInteger(a)
        self.writeInteger(b)
    }

    @inlinable
    mutating func writeMultipleIntegers(_ a: UInt8, _ b: UInt8, _ c: UInt8) {
        self.writeMultipleIntegers(a, b)
        self.writeInteger(c)
    }

    @inlinable
    mutating func writeMultipleIntegers(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        self.writeMultipleIntegers(a, b, c)
        self.writeInteger(d)
    }

    @inlinable
    mutating func writeBytes(_ source: UnsafeRawBufferPointer) {
        guard source.count > 0 else { return }
        self.reserve(source.count)
        self.bytes.baseAddress!.advanced(by: self.offset).copyMemory(from: source.baseAddress!, byteCount: source.count)
        self.offset += source.count
    }

    @inlinable
    mutating func writeBuffer(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { self.writeBytes($0) }
    }

    /// Writes `string` as a C-Octet String (ISO-8859-1 octets and a NUL, §3.1). Too long for
    /// `field.maxLength` (NUL included), a NUL inside, or a character above U+00FF is
    /// `invalidField` with the field's status.
    @inlinable
    mutating func writeSMPPCOctetString(_ string: String, _ field: CStringField) throws(BodyError) {
        let outcome: ASCIIWrite? = string.utf8.withContiguousStorageIfAvailable { utf8 in
            var high: UInt8 = 0
            var hasNUL = false
            for byte in utf8 {
                high |= byte
                hasNUL = hasNUL || byte == 0
            }
            if high >= 0x80 { return .notASCII }
            if hasNUL || utf8.count >= field.maxLength { return .invalid }
            self.writeBytes(UnsafeRawBufferPointer(utf8))
            self.writeInteger(UInt8(0))
            return .written
        }
        switch outcome {
        case .written: return
        case .invalid: throw .invalidField(field: field.name, status: field.status)
        case .notASCII, .none: try self.writeLatin1CString(string, field)
        }
    }

    @usableFromInline
    mutating func writeLatin1CString(_ string: String, _ field: CStringField) throws(BodyError) {
        var count = 0
        for scalar in string.unicodeScalars {
            guard scalar.value != 0, scalar.value <= 0xFF else {
                throw .invalidField(field: field.name, status: field.status)
            }
            count += 1
        }
        guard count < field.maxLength else { throw .invalidField(field: field.name, status: field.status) }
        for scalar in string.unicodeScalars { self.writeInteger(UInt8(truncatingIfNeeded: scalar.value)) }
        self.writeInteger(UInt8(0))
    }

    /// addr_ton, addr_npi and the address C-Octet String.
    @inlinable
    mutating func writeSMPPAddress(_ address: SMPPAddress, _ field: CStringField) throws(BodyError) {
        self.writeMultipleIntegers(address.ton.rawValue, address.npi.rawValue)
        try self.writeSMPPCOctetString(address.address, field)
    }

    /// An SMPP time field: a lone NUL for `nil`, else the 16 characters and a NUL.
    @inlinable
    mutating func writeSMPPTime(_ time: SMPPTime?, _ field: CStringField) throws(BodyError) {
        guard let time else {
            self.writeInteger(UInt8(0))
            return
        }
        try self.writeSMPPCOctetString(time.smppString, field)
    }

    /// sm_length and short_message: more than 254 octets is ESME_RINVMSGLEN.
    @inlinable
    mutating func writeSMPPShortMessage(_ message: ByteBuffer) throws(BodyError) {
        guard message.readableBytes <= SubmitSM.maxShortMessageLength else {
            throw .invalidField(field: "short_message", status: .invalidMessageLength)
        }
        self.writeInteger(UInt8(message.readableBytes))
        self.writeBuffer(message)
    }

    /// Optional parameters in their order. A value over 65,535 octets, or one whose length breaks
    /// its tag's type, is ESME_RINVPARLEN.
    @inlinable
    mutating func writeSMPPTLVs(_ tlvs: TLVList) throws(BodyError) {
        for tlv in tlvs {
            let length = tlv.value.readableBytes
            guard length <= Int(UInt16.max), tlv.tag.allowedLengths?.contains(length) ?? true else {
                throw .invalidField(field: tlv.tag.name, status: .invalidParameterLength)
            }
            self.writeInteger(tlv.tag.rawValue)
            self.writeInteger(UInt16(truncatingIfNeeded: length))
            self.writeBuffer(tlv.value)
        }
    }
}

extension TLVList {
    /// The octets these TLVs take on the wire.
    @inlinable
    var encodedLength: Int {
        var total = 0
        for tlv in self.storage { total += 4 + tlv.value.readableBytes }
        return total
    }
}

extension SMPPAddress {
    /// At most the octets addr_ton, addr_npi and the address C-Octet String take.
    @inlinable var encodedLengthBound: Int { 3 + self.address.utf8.count }
}
