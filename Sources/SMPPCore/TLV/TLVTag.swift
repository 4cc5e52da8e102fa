/// The tag of an optional parameter (SMPP v3.4 §5.3.1, Table 5-7).
///
/// 0x0001–0x00FF, 0x0200–0x05FF and 0x1200–0x13FF are SMPP-defined; 0x0600–0x10FF are reserved for
/// extension; **0x1400–0x3FFF are SMSC vendor-specific** (India's DLT ids 0x1400/0x1401/0x1402).
/// Unknown tags are kept byte for byte (§3.3: "unrecognised… shall be ignored").
public struct TLVTag: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let destAddrSubunit = TLVTag(0x0005)
    public static let destNetworkType = TLVTag(0x0006)
    public static let destBearerType = TLVTag(0x0007)
    public static let destTelematicsID = TLVTag(0x0008)
    public static let sourceAddrSubunit = TLVTag(0x000D)
    public static let sourceNetworkType = TLVTag(0x000E)
    public static let sourceBearerType = TLVTag(0x000F)
    public static let sourceTelematicsID = TLVTag(0x0010)
    public static let qosTimeToLive = TLVTag(0x0017)
    public static let payloadType = TLVTag(0x0019)
    public static let additionalStatusInfoText = TLVTag(0x001D)
    public static let receiptedMessageID = TLVTag(0x001E)
    public static let msMsgWaitFacilities = TLVTag(0x0030)
    public static let privacyIndicator = TLVTag(0x0201)
    public static let sourceSubaddress = TLVTag(0x0202)
    public static let destSubaddress = TLVTag(0x0203)
    public static let userMessageReference = TLVTag(0x0204)
    public static let userResponseCode = TLVTag(0x0205)
    public static let sourcePort = TLVTag(0x020A)
    public static let destinationPort = TLVTag(0x020B)
    public static let sarMsgRefNum = TLVTag(0x020C)
    public static let languageIndicator = TLVTag(0x020D)
    public static let sarTotalSegments = TLVTag(0x020E)
    public static let sarSegmentSeqnum = TLVTag(0x020F)
    public static let scInterfaceVersion = TLVTag(0x0210)
    public static let callbackNumPresInd = TLVTag(0x0302)
    public static let callbackNumAtag = TLVTag(0x0303)
    public static let numberOfMessages = TLVTag(0x0304)
    public static let callbackNum = TLVTag(0x0381)
    public static let dpfResult = TLVTag(0x0420)
    public static let setDPF = TLVTag(0x0421)
    public static let msAvailabilityStatus = TLVTag(0x0422)
    public static let networkErrorCode = TLVTag(0x0423)
    public static let messagePayload = TLVTag(0x0424)
    public static let deliveryFailureReason = TLVTag(0x0425)
    public static let moreMessagesToSend = TLVTag(0x0426)
    public static let messageState = TLVTag(0x0427)
    /// SMPP v5.0: congestion_state, 0–100.
    public static let congestionState = TLVTag(0x0428)
    public static let ussdServiceOp = TLVTag(0x0501)
    public static let displayTime = TLVTag(0x1201)
    public static let smsSignal = TLVTag(0x1203)
    public static let msValidity = TLVTag(0x1204)
    public static let alertOnMessageDelivery = TLVTag(0x130C)
    public static let itsReplyType = TLVTag(0x1380)
    public static let itsSessionInfo = TLVTag(0x1383)
    /// India DLT principal entity (PE) id, vendor tag 0x1400.
    public static let dltPrincipalEntityID = TLVTag(0x1400)
    /// India DLT content template id, vendor tag 0x1401.
    public static let dltContentTemplateID = TLVTag(0x1401)
    /// India DLT PE–TM chain hash, vendor tag 0x1402 (as Jasmin injects it).
    public static let dltTelemarketerChainHash = TLVTag(0x1402)

    /// Whether the tag lies in the SMSC vendor-specific block 0x1400–0x3FFF.
    public var isVendorSpecific: Bool { (0x1400...0x3FFF).contains(self.rawValue) }

    /// The octet lengths SMPP v3.4 allows for this tag's value, or `nil` when it sets none
    /// (message_payload, vendor and unknown tags). A TLV outside its range is ESME_RINVPARLEN.
    public var allowedLengths: ClosedRange<Int>? {
        switch self {
        case .destAddrSubunit, .destNetworkType, .destBearerType, .sourceAddrSubunit, .sourceNetworkType,
            .sourceBearerType, .sourceTelematicsID, .payloadType, .msMsgWaitFacilities, .privacyIndicator,
            .userResponseCode, .languageIndicator, .sarTotalSegments, .sarSegmentSeqnum, .scInterfaceVersion,
            .callbackNumPresInd, .numberOfMessages, .dpfResult, .setDPF, .msAvailabilityStatus,
            .deliveryFailureReason, .moreMessagesToSend, .messageState, .congestionState, .ussdServiceOp,
            .displayTime, .msValidity, .itsReplyType:
            1...1
        case .destTelematicsID, .userMessageReference, .sourcePort, .destinationPort, .sarMsgRefNum, .smsSignal,
            .itsSessionInfo:
            2...2
        case .networkErrorCode: 3...3
        case .qosTimeToLive: 4...4
        case .alertOnMessageDelivery: 0...0
        case .sourceSubaddress, .destSubaddress: 2...23
        case .callbackNum: 4...19
        case .callbackNumAtag: 0...65
        case .receiptedMessageID: 1...65
        case .additionalStatusInfoText: 1...256
        default: nil
        }
    }

    /// The spec name (`receipted_message_id`), or `0x…` for tags it does not name.
    public var name: String {
        switch self {
        case .destAddrSubunit: "dest_addr_subunit"
        case .destNetworkType: "dest_network_type"
        case .destBearerType: "dest_bearer_type"
        case .destTelematicsID: "dest_telematics_id"
        case .sourceAddrSubunit: "source_addr_subunit"
        case .sourceNetworkType: "source_network_type"
        case .sourceBearerType: "source_bearer_type"
        case .sourceTelematicsID: "source_telematics_id"
        case .qosTimeToLive: "qos_time_to_live"
        case .payloadType: "payload_type"
        case .additionalStatusInfoText: "additional_status_info_text"
        case .receiptedMessageID: "receipted_message_id"
        case .msMsgWaitFacilities: "ms_msg_wait_facilities"
        case .privacyIndicator: "privacy_indicator"
        case .sourceSubaddress: "source_subaddress"
        case .destSubaddress: "dest_subaddress"
        case .userMessageReference: "user_message_reference"
        case .userResponseCode: "user_response_code"
        case .sourcePort: "source_port"
        case .destinationPort: "destination_port"
        case .sarMsgRefNum: "sar_msg_ref_num"
        case .languageIndicator: "language_indicator"
        case .sarTotalSegments: "sar_total_segments"
        case .sarSegmentSeqnum: "sar_segment_seqnum"
        case .scInterfaceVersion: "sc_interface_version"
        case .callbackNumPresInd: "callback_num_pres_ind"
        case .callbackNumAtag: "callback_num_atag"
        case .numberOfMessages: "number_of_messages"
        case .callbackNum: "callback_num"
        case .dpfResult: "dpf_result"
        case .setDPF: "set_dpf"
        case .msAvailabilityStatus: "ms_availability_status"
        case .networkErrorCode: "network_error_code"
        case .messagePayload: "message_payload"
        case .deliveryFailureReason: "delivery_failure_reason"
        case .moreMessagesToSend: "more_messages_to_send"
        case .messageState: "message_state"
        case .congestionState: "congestion_state"
        case .ussdServiceOp: "ussd_service_op"
        case .displayTime: "display_time"
        case .smsSignal: "sms_signal"
        case .msValidity: "ms_validity"
        case .alertOnMessageDelivery: "alert_on_message_delivery"
        case .itsReplyType: "its_reply_type"
        case .itsSessionInfo: "its_session_info"
        case .dltPrincipalEntityID: "dlt_principal_entity_id"
        case .dltContentTemplateID: "dlt_content_template_id"
        case .dltTelemarketerChainHash: "dlt_tm_chain_hash"
        default: "0x" + hex(self.rawValue, width: 4)
        }
    }

    public var description: String { self.name }
}
