public import NIOCore

/// Why a PDU body could not be decoded or encoded, before the header is known.
///
/// The two cases are the two answers SMPP v3.4 gives a malformed request: a body that does not fit
/// the PDU's layout is a length problem (`generic_nack` with `ESME_RINVCMDLEN`), a field that
/// breaks its own limit gets the command's response with that field's status.
@usableFromInline
enum BodyError: Error, Sendable, Hashable {
    /// The octets do not fit the layout: a mandatory field is missing, a C-Octet String has no NUL
    /// before the end of the PDU, or octets are left over where no TLV may stand.
    case invalidLength(field: String)
    /// A field is present but breaks its limit; the peer answers with `status`.
    case invalidField(field: String, status: CommandStatus)

    @usableFromInline var field: String {
        switch self {
        case .invalidLength(let field), .invalidField(let field, _): field
        }
    }
}

/// A C-Octet String field with its size limit (including the NUL) and the status that reports it.
/// The limits are the ones of SMPP v3.4 §5.2 and §4 (see `SMPP-NOTES.md`).
@usableFromInline
struct CStringField: Sendable {
    @usableFromInline let name: String
    @usableFromInline let maxLength: Int
    @usableFromInline let status: CommandStatus

    @usableFromInline
    init(_ name: String, _ maxLength: Int, _ status: CommandStatus) {
        self.name = name
        self.maxLength = maxLength
        self.status = status
    }

    @usableFromInline static let systemID = CStringField("system_id", 16, .invalidSystemID)
    @usableFromInline static let password = CStringField("password", 9, .invalidPassword)
    @usableFromInline static let systemType = CStringField("system_type", 13, .invalidSystemType)
    @usableFromInline static let addressRange = CStringField("address_range", 41, .invalidSourceAddress)
    @usableFromInline static let serviceType = CStringField("service_type", 6, .invalidServiceType)
    @usableFromInline static let sourceAddr = CStringField("source_addr", 21, .invalidSourceAddress)
    @usableFromInline static let destinationAddr = CStringField("destination_addr", 21, .invalidDestinationAddress)
    /// data_sm allows 65-octet addresses (§4.7.1).
    @usableFromInline static let dataSourceAddr = CStringField("source_addr", 65, .invalidSourceAddress)
    @usableFromInline static let dataDestinationAddr = CStringField("destination_addr", 65, .invalidDestinationAddress)
    @usableFromInline static let esmeAddr = CStringField("esme_addr", 65, .invalidDestinationAddress)
    @usableFromInline static let dlName = CStringField("dl_name", 21, .invalidDistributionListName)
    @usableFromInline static let messageID = CStringField("message_id", 65, .invalidMessageID)
    @usableFromInline static let scheduleDeliveryTime = CStringField("schedule_delivery_time", 17, .invalidScheduledDeliveryTime)
    @usableFromInline static let validityPeriod = CStringField("validity_period", 17, .invalidExpiryTime)
    @usableFromInline static let finalDate = CStringField("final_date", 17, .invalidMessageID)
}

extension ByteBuffer {
    /// Reads a C-Octet String (SMPP v3.4 §3.1: octets ending in one NUL; `field.maxLength`
    /// counts the NUL) and moves the reader past the NUL.
    ///
    /// Octets are read as ISO-8859-1, so every byte value survives a round trip; ASCII, which is
    /// what SMPP fields carry in practice, takes the fast path. Throws `invalidLength` when no NUL
    /// comes before the end of the body and `invalidField` when the string is longer than allowed;
    /// on either the reader index does not move.
    @inlinable
    mutating func readSMPPCOctetString(_ field: CStringField) throws(BodyError) -> String {
        let result: (String, Int)? = self.withUnsafeReadableBytes { bytes in
            guard let nul = bytes.firstIndex(of: 0) else { return nil }
            var high: UInt8 = 0
            for index in 0..<nul { high |= bytes[index] }
            let slice = UnsafeRawBufferPointer(rebasing: bytes[0..<nul])
            if high < 0x80 {
                return (String(decoding: slice, as: UTF8.self), nul)
            }
            var scalars = String.UnicodeScalarView()
            for byte in slice { scalars.append(Unicode.Scalar(byte)) }
            return (String(scalars), nul)
        }
        guard let (string, length) = result else { throw .invalidLength(field: field.name) }
        guard length < field.maxLength else { throw .invalidField(field: field.name, status: field.status) }
        self.moveReaderIndex(forwardBy: length + 1)
        return string
    }

    /// Writes `string` as a C-Octet String (ISO-8859-1 octets and a NUL, §3.1).
    ///
    /// Throws `invalidField` with the field's status when the string does not fit
    /// `field.maxLength` (NUL included), contains a NUL, or has a character outside ISO-8859-1;
    /// nothing is written then.
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

    /// Reads a big-endian integer of a mandatory field; a body that ends first is a length error.
    @inlinable
    mutating func readSMPPInteger<I: FixedWidthInteger>(_ field: String, as: I.Type = I.self) throws(BodyError) -> I {
        guard let value = self.readInteger(as: I.self) else { throw .invalidLength(field: field) }
        return value
    }
}

@usableFromInline
enum ASCIIWrite {
    case written, invalid, notASCII
}
