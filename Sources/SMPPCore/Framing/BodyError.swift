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

@usableFromInline
enum ASCIIWrite {
    case written, invalid, notASCII
}
