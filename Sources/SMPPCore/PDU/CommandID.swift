/// The `command_id` of an SMPP PDU (SMPP v3.4 §5.1.2, Table 5-1).
///
/// A response's id is its request's id with bit 31 set (`0x80000000`). Ids this library does not
/// know are still representable, so a decoder can report them and a session can answer
/// `generic_nack` with `ESME_RINVCMDID`.
public struct CommandID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    @inlinable
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let genericNack = CommandID(rawValue: 0x8000_0000)
    public static let bindReceiver = CommandID(rawValue: 0x0000_0001)
    public static let bindReceiverResp = CommandID(rawValue: 0x8000_0001)
    public static let bindTransmitter = CommandID(rawValue: 0x0000_0002)
    public static let bindTransmitterResp = CommandID(rawValue: 0x8000_0002)
    public static let querySM = CommandID(rawValue: 0x0000_0003)
    public static let querySMResp = CommandID(rawValue: 0x8000_0003)
    public static let submitSM = CommandID(rawValue: 0x0000_0004)
    public static let submitSMResp = CommandID(rawValue: 0x8000_0004)
    public static let deliverSM = CommandID(rawValue: 0x0000_0005)
    public static let deliverSMResp = CommandID(rawValue: 0x8000_0005)
    public static let unbind = CommandID(rawValue: 0x0000_0006)
    public static let unbindResp = CommandID(rawValue: 0x8000_0006)
    public static let replaceSM = CommandID(rawValue: 0x0000_0007)
    public static let replaceSMResp = CommandID(rawValue: 0x8000_0007)
    public static let cancelSM = CommandID(rawValue: 0x0000_0008)
    public static let cancelSMResp = CommandID(rawValue: 0x8000_0008)
    public static let bindTransceiver = CommandID(rawValue: 0x0000_0009)
    public static let bindTransceiverResp = CommandID(rawValue: 0x8000_0009)
    /// 0x0000000B, no response.
    public static let outbind = CommandID(rawValue: 0x0000_000B)
    public static let enquireLink = CommandID(rawValue: 0x0000_0015)
    public static let enquireLinkResp = CommandID(rawValue: 0x8000_0015)
    public static let submitMulti = CommandID(rawValue: 0x0000_0021)
    public static let submitMultiResp = CommandID(rawValue: 0x8000_0021)
    /// 0x00000102, no response.
    public static let alertNotification = CommandID(rawValue: 0x0000_0102)
    public static let dataSM = CommandID(rawValue: 0x0000_0103)
    public static let dataSMResp = CommandID(rawValue: 0x8000_0103)

    /// Whether bit 31 is set: the PDU answers a request.
    @inlinable
    public var isResponse: Bool { self.rawValue & 0x8000_0000 != 0 }

    /// The id of the response to this request (bit 31 set).
    @inlinable
    public var response: CommandID { CommandID(rawValue: self.rawValue | 0x8000_0000) }

    /// The SMPP name, e.g. `submit_sm`, or the hex value for an unknown id.
    public var name: String {
        switch self {
        case .genericNack: "generic_nack"
        case .bindReceiver: "bind_receiver"
        case .bindReceiverResp: "bind_receiver_resp"
        case .bindTransmitter: "bind_transmitter"
        case .bindTransmitterResp: "bind_transmitter_resp"
        case .querySM: "query_sm"
        case .querySMResp: "query_sm_resp"
        case .submitSM: "submit_sm"
        case .submitSMResp: "submit_sm_resp"
        case .deliverSM: "deliver_sm"
        case .deliverSMResp: "deliver_sm_resp"
        case .unbind: "unbind"
        case .unbindResp: "unbind_resp"
        case .replaceSM: "replace_sm"
        case .replaceSMResp: "replace_sm_resp"
        case .cancelSM: "cancel_sm"
        case .cancelSMResp: "cancel_sm_resp"
        case .bindTransceiver: "bind_transceiver"
        case .bindTransceiverResp: "bind_transceiver_resp"
        case .outbind: "outbind"
        case .enquireLink: "enquire_link"
        case .enquireLinkResp: "enquire_link_resp"
        case .submitMulti: "submit_multi"
        case .submitMultiResp: "submit_multi_resp"
        case .alertNotification: "alert_notification"
        case .dataSM: "data_sm"
        case .dataSMResp: "data_sm_resp"
        default: "0x" + hex(self.rawValue, width: 8)
        }
    }

    public var description: String { self.name }
}

/// Lower-case hex of `value`, zero-padded to `width` digits (no Foundation in this module).
func hex<I: FixedWidthInteger>(_ value: I, width: Int) -> String {
    let digits = String(value, radix: 16)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
