/// A PDU body that reads and writes its own mandatory parameters and TLVs (everything after the
/// 16-octet header). Every PDU type of `PDU` conforms.
@usableFromInline
protocol PDUBody: Hashable, Sendable {
    /// Reads the body; `buffer` holds exactly the body and must be consumed exactly.
    static func decode(from buffer: inout SMPPReader) throws(BodyError) -> Self
    /// Writes the body, checking every field limit, into space of at least `encodedLengthBound`.
    func encode(into buffer: inout SMPPWriter) throws(BodyError)
    /// At most the octets `encode` writes.
    var encodedLengthBound: Int { get }
}

extension UInt8 {
    /// Checks a one-octet flag against its range, reporting `status` (e.g. priority_flag 0–3).
    @inlinable
    func checked(_ range: ClosedRange<UInt8>, _ field: String, _ status: CommandStatus) throws(BodyError) -> UInt8 {
        guard range.contains(self) else { throw .invalidField(field: field, status: status) }
        return self
    }
}
