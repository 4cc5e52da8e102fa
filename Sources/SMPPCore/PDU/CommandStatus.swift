/// The `command_status` of a PDU (SMPP v3.4 §5.1.3, Table 5-2), with the v5.0 additions.
///
/// A struct rather than an enum: carriers use the vendor range 0x400–0x4FF (Indian DLT
/// rejections among them) and any value must survive a round trip.
public struct CommandStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    @inlinable
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// ESME_ROK: no error.
    public static let ok = CommandStatus(rawValue: 0x00)
    /// ESME_RINVMSGLEN: message length is invalid.
    public static let invalidMessageLength = CommandStatus(rawValue: 0x01)
    /// ESME_RINVCMDLEN: command length is invalid.
    public static let invalidCommandLength = CommandStatus(rawValue: 0x02)
    /// ESME_RINVCMDID: invalid command id.
    public static let invalidCommandID = CommandStatus(rawValue: 0x03)
    /// ESME_RINVBNDSTS: incorrect bind status for the given command.
    public static let invalidBindStatus = CommandStatus(rawValue: 0x04)
    /// ESME_RALYBND: ESME already in bound state.
    public static let alreadyBound = CommandStatus(rawValue: 0x05)
    /// ESME_RINVPRTFLG: invalid priority flag.
    public static let invalidPriorityFlag = CommandStatus(rawValue: 0x06)
    /// ESME_RINVREGDLVFLG: invalid registered delivery flag.
    public static let invalidRegisteredDeliveryFlag = CommandStatus(rawValue: 0x07)
    /// ESME_RSYSERR: system error.
    public static let systemError = CommandStatus(rawValue: 0x08)
    /// ESME_RINVSRCADR: invalid source address.
    public static let invalidSourceAddress = CommandStatus(rawValue: 0x0A)
    /// ESME_RINVDSTADR: invalid destination address.
    public static let invalidDestinationAddress = CommandStatus(rawValue: 0x0B)
    /// ESME_RINVMSGID: message id is invalid.
    public static let invalidMessageID = CommandStatus(rawValue: 0x0C)
    /// ESME_RBINDFAIL: bind failed.
    public static let bindFailed = CommandStatus(rawValue: 0x0D)
    /// ESME_RINVPASWD: invalid password.
    public static let invalidPassword = CommandStatus(rawValue: 0x0E)
    /// ESME_RINVSYSID: invalid system id.
    public static let invalidSystemID = CommandStatus(rawValue: 0x0F)
    /// ESME_RCANCELFAIL: cancel_sm failed.
    public static let cancelFailed = CommandStatus(rawValue: 0x11)
    /// ESME_RREPLACEFAIL: replace_sm failed.
    public static let replaceFailed = CommandStatus(rawValue: 0x13)
    /// ESME_RMSGQFUL: message queue full.
    public static let messageQueueFull = CommandStatus(rawValue: 0x14)
    /// ESME_RINVSERTYP: invalid service type.
    public static let invalidServiceType = CommandStatus(rawValue: 0x15)
    /// ESME_RINVNUMDESTS: invalid number of destinations.
    public static let invalidNumberOfDestinations = CommandStatus(rawValue: 0x33)
    /// ESME_RINVDLNAME: invalid distribution list name.
    public static let invalidDistributionListName = CommandStatus(rawValue: 0x34)
    /// ESME_RINVDESTFLAG: destination flag is invalid (submit_multi).
    public static let invalidDestinationFlag = CommandStatus(rawValue: 0x40)
    /// ESME_RINVSUBREP: invalid submit-with-replace request.
    public static let invalidSubmitWithReplace = CommandStatus(rawValue: 0x42)
    /// ESME_RINVESMCLASS: invalid esm_class field data.
    public static let invalidESMClass = CommandStatus(rawValue: 0x43)
    /// ESME_RCNTSUBDL: cannot submit to distribution list.
    public static let cannotSubmitToDistributionList = CommandStatus(rawValue: 0x44)
    /// ESME_RSUBMITFAIL: submit_sm or submit_multi failed.
    public static let submitFailed = CommandStatus(rawValue: 0x45)
    /// ESME_RINVSRCTON: invalid source address TON.
    public static let invalidSourceTON = CommandStatus(rawValue: 0x48)
    /// ESME_RINVSRCNPI: invalid source address NPI.
    public static let invalidSourceNPI = CommandStatus(rawValue: 0x49)
    /// ESME_RINVDSTTON: invalid destination address TON (0x50, not 0x4A).
    public static let invalidDestinationTON = CommandStatus(rawValue: 0x50)
    /// ESME_RINVDSTNPI: invalid destination address NPI.
    public static let invalidDestinationNPI = CommandStatus(rawValue: 0x51)
    /// ESME_RINVSYSTYP: invalid system_type field.
    public static let invalidSystemType = CommandStatus(rawValue: 0x53)
    /// ESME_RINVREPFLAG: invalid replace_if_present flag.
    public static let invalidReplaceIfPresentFlag = CommandStatus(rawValue: 0x54)
    /// ESME_RINVNUMMSGS: invalid number of messages.
    public static let invalidNumberOfMessages = CommandStatus(rawValue: 0x55)
    /// ESME_RTHROTTLED: throttling error, the ESME exceeded its allowed message limits.
    public static let throttled = CommandStatus(rawValue: 0x58)
    /// ESME_RINVSCHED: invalid scheduled delivery time.
    public static let invalidScheduledDeliveryTime = CommandStatus(rawValue: 0x61)
    /// ESME_RINVEXPIRY: invalid message validity period (expiry time).
    public static let invalidExpiryTime = CommandStatus(rawValue: 0x62)
    /// ESME_RINVDFTMSGID: predefined message invalid or not found.
    public static let invalidDefaultMessageID = CommandStatus(rawValue: 0x63)
    /// ESME_RX_T_APPN: ESME receiver temporary application error.
    public static let receiverTemporaryAppError = CommandStatus(rawValue: 0x64)
    /// ESME_RX_P_APPN: ESME receiver permanent application error.
    public static let receiverPermanentAppError = CommandStatus(rawValue: 0x65)
    /// ESME_RX_R_APPN: ESME receiver reject message error.
    public static let receiverRejectAppError = CommandStatus(rawValue: 0x66)
    /// ESME_RQUERYFAIL: query_sm request failed.
    public static let queryFailed = CommandStatus(rawValue: 0x67)
    /// ESME_RINVOPTPARSTREAM: error in the optional part of the PDU body.
    public static let invalidOptionalParameterStream = CommandStatus(rawValue: 0xC0)
    /// ESME_ROPTPARNOTALLWD: optional parameter not allowed.
    public static let optionalParameterNotAllowed = CommandStatus(rawValue: 0xC1)
    /// ESME_RINVPARLEN: invalid parameter length.
    public static let invalidParameterLength = CommandStatus(rawValue: 0xC2)
    /// ESME_RMISSINGOPTPARAM: expected optional parameter missing.
    public static let missingOptionalParameter = CommandStatus(rawValue: 0xC3)
    /// ESME_RINVOPTPARAMVAL: invalid optional parameter value.
    public static let invalidOptionalParameterValue = CommandStatus(rawValue: 0xC4)
    /// ESME_RDELIVERYFAILURE: delivery failure (data_sm_resp).
    public static let deliveryFailure = CommandStatus(rawValue: 0xFE)
    /// ESME_RUNKNOWNERR: unknown error.
    public static let unknownError = CommandStatus(rawValue: 0xFF)
    /// ESME_RINVDCS (SMPP v5.0): invalid data_coding scheme.
    public static let invalidDataCoding = CommandStatus(rawValue: 0x104)

    /// Whether this is `ESME_ROK`.
    @inlinable
    public var isOK: Bool { self.rawValue == 0 }

    /// Whether the SMSC reports a temporary condition: retrying the same PDU later may succeed.
    public var isTransient: Bool {
        self == .throttled || self == .messageQueueFull || self == .systemError
            || self == .receiverTemporaryAppError
    }

    private static let names: [UInt32: String] = [
        0x00: "ESME_ROK", 0x01: "ESME_RINVMSGLEN", 0x02: "ESME_RINVCMDLEN", 0x03: "ESME_RINVCMDID",
        0x04: "ESME_RINVBNDSTS", 0x05: "ESME_RALYBND", 0x06: "ESME_RINVPRTFLG", 0x07: "ESME_RINVREGDLVFLG",
        0x08: "ESME_RSYSERR", 0x0A: "ESME_RINVSRCADR", 0x0B: "ESME_RINVDSTADR", 0x0C: "ESME_RINVMSGID",
        0x0D: "ESME_RBINDFAIL", 0x0E: "ESME_RINVPASWD", 0x0F: "ESME_RINVSYSID", 0x11: "ESME_RCANCELFAIL",
        0x13: "ESME_RREPLACEFAIL", 0x14: "ESME_RMSGQFUL", 0x15: "ESME_RINVSERTYP", 0x33: "ESME_RINVNUMDESTS",
        0x34: "ESME_RINVDLNAME", 0x40: "ESME_RINVDESTFLAG", 0x42: "ESME_RINVSUBREP", 0x43: "ESME_RINVESMCLASS",
        0x44: "ESME_RCNTSUBDL", 0x45: "ESME_RSUBMITFAIL", 0x48: "ESME_RINVSRCTON", 0x49: "ESME_RINVSRCNPI",
        0x50: "ESME_RINVDSTTON", 0x51: "ESME_RINVDSTNPI", 0x53: "ESME_RINVSYSTYP", 0x54: "ESME_RINVREPFLAG",
        0x55: "ESME_RINVNUMMSGS", 0x58: "ESME_RTHROTTLED", 0x61: "ESME_RINVSCHED", 0x62: "ESME_RINVEXPIRY",
        0x63: "ESME_RINVDFTMSGID", 0x64: "ESME_RX_T_APPN", 0x65: "ESME_RX_P_APPN", 0x66: "ESME_RX_R_APPN",
        0x67: "ESME_RQUERYFAIL", 0xC0: "ESME_RINVOPTPARSTREAM", 0xC1: "ESME_ROPTPARNOTALLWD",
        0xC2: "ESME_RINVPARLEN", 0xC3: "ESME_RMISSINGOPTPARAM", 0xC4: "ESME_RINVOPTPARAMVAL",
        0xFE: "ESME_RDELIVERYFAILURE", 0xFF: "ESME_RUNKNOWNERR",
        0x100: "ESME_RSERTYPUNAUTH", 0x101: "ESME_RPROHIBITED", 0x102: "ESME_RSERTYPUNAVAIL",
        0x103: "ESME_RSERTYPDENIED", 0x104: "ESME_RINVDCS", 0x105: "ESME_RINVSRCADDRSUBUNIT",
        0x106: "ESME_RINVDSTADDRSUBUNIT", 0x107: "ESME_RINVBCASTFREQINT", 0x108: "ESME_RINVBCASTALIAS_NAME",
        0x109: "ESME_RINVBCASTAREAFMT", 0x10A: "ESME_RINVNUMBCAST_AREAS", 0x10B: "ESME_RINVBCASTCNTTYPE",
        0x10C: "ESME_RINVBCASTMSGCLASS", 0x10D: "ESME_RBCASTFAIL", 0x10E: "ESME_RBCASTQUERYFAIL",
        0x10F: "ESME_RBCASTCANCELFAIL", 0x110: "ESME_RINVBCAST_REP", 0x111: "ESME_RINVBCASTSRVGRP",
        0x112: "ESME_RINVBCASTCHANIND",
    ]

    /// The ESME_R… name, `VENDOR_0x…` in the SMSC vendor range 0x400–0x4FF, `0x…` otherwise.
    public var name: String {
        if let name = Self.names[self.rawValue] { return name }
        let hexValue = "0x" + hex(self.rawValue, width: 8)
        return (0x400...0x4FF).contains(self.rawValue) ? "VENDOR_" + hexValue : hexValue
    }

    public var description: String { self.name }
}
