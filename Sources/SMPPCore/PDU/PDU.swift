public import NIOCore

/// Every SMPP v3.4 PDU, a case per command (Table 5-1).
///
/// Bodiless PDUs (unbind, enquire_link, generic_nack, the cancel_sm/replace_sm responses) have no
/// payload; bind_transmitter/receiver/transceiver share `Bind`, their responses `BindResp`;
/// submit_sm and deliver_sm share `SubmitSM` (alias `DeliverSM`); submit_sm_resp and
/// deliver_sm_resp share `MessageIDResponse`.
public enum PDU: Hashable, Sendable {
    case genericNack
    case bindReceiver(Bind)
    case bindReceiverResp(BindResp)
    case bindTransmitter(Bind)
    case bindTransmitterResp(BindResp)
    case querySM(QuerySM)
    case querySMResp(QuerySMResp)
    case submitSM(SubmitSM)
    case submitSMResp(MessageIDResponse)
    case deliverSM(DeliverSM)
    case deliverSMResp(MessageIDResponse)
    case unbind
    case unbindResp
    case replaceSM(ReplaceSM)
    case replaceSMResp
    case cancelSM(CancelSM)
    case cancelSMResp
    case bindTransceiver(Bind)
    case bindTransceiverResp(BindResp)
    case outbind(Outbind)
    case enquireLink
    case enquireLinkResp
    case submitMulti(SubmitMulti)
    case submitMultiResp(SubmitMultiResp)
    case alertNotification(AlertNotification)
    case dataSM(DataSM)
    case dataSMResp(DataSMResp)

    /// The command_id this PDU is sent with.
    @inlinable
    public var commandID: CommandID {
        switch self {
        case .genericNack: .genericNack
        case .bindReceiver: .bindReceiver
        case .bindReceiverResp: .bindReceiverResp
        case .bindTransmitter: .bindTransmitter
        case .bindTransmitterResp: .bindTransmitterResp
        case .querySM: .querySM
        case .querySMResp: .querySMResp
        case .submitSM: .submitSM
        case .submitSMResp: .submitSMResp
        case .deliverSM: .deliverSM
        case .deliverSMResp: .deliverSMResp
        case .unbind: .unbind
        case .unbindResp: .unbindResp
        case .replaceSM: .replaceSM
        case .replaceSMResp: .replaceSMResp
        case .cancelSM: .cancelSM
        case .cancelSMResp: .cancelSMResp
        case .bindTransceiver: .bindTransceiver
        case .bindTransceiverResp: .bindTransceiverResp
        case .outbind: .outbind
        case .enquireLink: .enquireLink
        case .enquireLinkResp: .enquireLinkResp
        case .submitMulti: .submitMulti
        case .submitMultiResp: .submitMultiResp
        case .alertNotification: .alertNotification
        case .dataSM: .dataSM
        case .dataSMResp: .dataSMResp
        }
    }

    /// Decodes the body of command `id`. `body` holds exactly the octets after the header. An
    /// empty body of a response is read as the response's empty form: SMPP omits it on errors
    /// (§4.1.2, §4.4.2) and many peers omit it on deliver_sm_resp.
    @inlinable
    static func decodeBody(_ id: CommandID, from body: inout ByteBuffer) throws(SMPPBodyDecodeFailure) -> PDU {
        if id.isResponse, body.readableBytes == 0, let empty = PDU.emptyResponse(id) { return empty }
        do {
            let pdu: PDU
            switch id {
            case .submitSM: pdu = .submitSM(try SubmitSM.decode(from: &body))
            case .submitSMResp: pdu = .submitSMResp(try MessageIDResponse.decode(from: &body))
            case .deliverSM: pdu = .deliverSM(try DeliverSM.decode(from: &body))
            case .deliverSMResp: pdu = .deliverSMResp(try MessageIDResponse.decode(from: &body))
            case .enquireLink: pdu = .enquireLink
            case .enquireLinkResp: pdu = .enquireLinkResp
            case .genericNack: pdu = .genericNack
            case .bindReceiver: pdu = .bindReceiver(try Bind.decode(from: &body))
            case .bindTransmitter: pdu = .bindTransmitter(try Bind.decode(from: &body))
            case .bindTransceiver: pdu = .bindTransceiver(try Bind.decode(from: &body))
            case .bindReceiverResp: pdu = .bindReceiverResp(try BindResp.decode(from: &body))
            case .bindTransmitterResp: pdu = .bindTransmitterResp(try BindResp.decode(from: &body))
            case .bindTransceiverResp: pdu = .bindTransceiverResp(try BindResp.decode(from: &body))
            case .querySM: pdu = .querySM(try QuerySM.decode(from: &body))
            case .querySMResp: pdu = .querySMResp(try QuerySMResp.decode(from: &body))
            case .unbind: pdu = .unbind
            case .unbindResp: pdu = .unbindResp
            case .replaceSM: pdu = .replaceSM(try ReplaceSM.decode(from: &body))
            case .replaceSMResp: pdu = .replaceSMResp
            case .cancelSM: pdu = .cancelSM(try CancelSM.decode(from: &body))
            case .cancelSMResp: pdu = .cancelSMResp
            case .outbind: pdu = .outbind(try Outbind.decode(from: &body))
            case .submitMulti: pdu = .submitMulti(try SubmitMulti.decode(from: &body))
            case .submitMultiResp: pdu = .submitMultiResp(try SubmitMultiResp.decode(from: &body))
            case .alertNotification: pdu = .alertNotification(try AlertNotification.decode(from: &body))
            case .dataSM: pdu = .dataSM(try DataSM.decode(from: &body))
            case .dataSMResp: pdu = .dataSMResp(try DataSMResp.decode(from: &body))
            default: throw SMPPBodyDecodeFailure.unknownCommand
            }
            // Bodies without TLVs must end exactly where their last field does.
            guard body.readableBytes == 0 else { throw BodyError.invalidLength(field: "body") }
            return pdu
        } catch let error as BodyError {
            throw .body(error)
        } catch let error as SMPPBodyDecodeFailure {
            throw error
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }

    @inlinable
    static func emptyResponse(_ id: CommandID) -> PDU? {
        switch id {
        case .bindReceiverResp: .bindReceiverResp(BindResp())
        case .bindTransmitterResp: .bindTransmitterResp(BindResp())
        case .bindTransceiverResp: .bindTransceiverResp(BindResp())
        case .submitSMResp: .submitSMResp(MessageIDResponse())
        case .deliverSMResp: .deliverSMResp(MessageIDResponse())
        case .querySMResp: .querySMResp(QuerySMResp())
        case .submitMultiResp: .submitMultiResp(SubmitMultiResp())
        case .dataSMResp: .dataSMResp(DataSMResp())
        default: nil
        }
    }

    /// Writes the body. On an error status, bind responses and submit_sm_resp are sent without a
    /// body, as §4.1.2 and §4.4.2 say.
    @inlinable
    func encodeBody(into buffer: inout ByteBuffer, status: CommandStatus) throws(BodyError) {
        switch self {
        case .genericNack, .unbind, .unbindResp, .enquireLink, .enquireLinkResp, .cancelSMResp, .replaceSMResp:
            return
        case .bindReceiver(let body), .bindTransmitter(let body), .bindTransceiver(let body):
            try body.encode(into: &buffer)
        case .bindReceiverResp(let body), .bindTransmitterResp(let body), .bindTransceiverResp(let body):
            if status.isOK { try body.encode(into: &buffer) }
        case .submitSMResp(let body):
            if status.isOK { try body.encode(into: &buffer) }
        case .deliverSMResp(let body): try body.encode(into: &buffer)
        case .submitSM(let body), .deliverSM(let body): try body.encode(into: &buffer)
        case .querySM(let body): try body.encode(into: &buffer)
        case .querySMResp(let body): try body.encode(into: &buffer)
        case .replaceSM(let body): try body.encode(into: &buffer)
        case .cancelSM(let body): try body.encode(into: &buffer)
        case .outbind(let body): try body.encode(into: &buffer)
        case .submitMulti(let body): try body.encode(into: &buffer)
        case .submitMultiResp(let body): try body.encode(into: &buffer)
        case .alertNotification(let body): try body.encode(into: &buffer)
        case .dataSM(let body): try body.encode(into: &buffer)
        case .dataSMResp(let body): try body.encode(into: &buffer)
        }
    }
}

/// Internal: why `PDU.decodeBody` failed.
@usableFromInline
enum SMPPBodyDecodeFailure: Error {
    case unknownCommand
    case body(BodyError)
}
