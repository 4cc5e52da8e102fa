public import NIOCore

/// Every SMPP v3.4 PDU, a case per command (Table 5-1).
///
/// Bodiless PDUs (unbind, enquire_link, generic_nack, the cancel_sm/replace_sm responses) have no
/// payload; bind_transmitter/receiver/transceiver share `Bind`, their responses `BindResp`;
/// submit_sm and deliver_sm share `SubmitSM` (alias `DeliverSM`); submit_sm_resp and
/// deliver_sm_resp share `MessageIDResponse`.
///
/// `indirect`: a PDU is one pointer to its boxed body (an `SMPPPacket` is 16 bytes), so the
/// packet that passes through decoder, session, state-machine actions and the application is
/// copied as a reference, not as a 250-byte submit_sm — the box costs the allocation `NIOAny`
/// used to make for the whole packet (issue 3: 226–276k → 339–354k submit_sm/s with receipts).
public indirect enum PDU: Hashable, Sendable {
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
    static func decodeBody(_ id: CommandID, from body: ByteBuffer) throws(SMPPBodyDecodeFailure) -> PDU {
        if id.isResponse, body.readableBytes == 0, let empty = PDU.emptyResponse(id) { return empty }
        let result: Result<PDU, SMPPBodyDecodeFailure> = body.withUnsafeReadableBytes { bytes in
            var reader = SMPPReader(bytes: bytes, buffer: body)
            do throws(SMPPBodyDecodeFailure) {
                let pdu = try Self.decodeBody(id, from: &reader)
                // Every body must end exactly where its last field (or TLV) does.
                guard reader.readableBytes == 0 else { throw .body(.invalidLength(field: "body")) }
                return .success(pdu)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    @inlinable
    static func decodeBody(_ id: CommandID, from body: inout SMPPReader) throws(SMPPBodyDecodeFailure) -> PDU {
        do throws(BodyError) {
            switch id {
            case .submitSM: return .submitSM(try SubmitSM.decode(from: &body))
            case .submitSMResp: return .submitSMResp(try MessageIDResponse.decode(from: &body))
            case .deliverSM: return .deliverSM(try DeliverSM.decode(from: &body))
            case .deliverSMResp: return .deliverSMResp(try MessageIDResponse.decode(from: &body))
            case .enquireLink: return .enquireLink
            case .enquireLinkResp: return .enquireLinkResp
            case .genericNack: return .genericNack
            case .bindReceiver: return .bindReceiver(try Bind.decode(from: &body))
            case .bindTransmitter: return .bindTransmitter(try Bind.decode(from: &body))
            case .bindTransceiver: return .bindTransceiver(try Bind.decode(from: &body))
            case .bindReceiverResp: return .bindReceiverResp(try BindResp.decode(from: &body))
            case .bindTransmitterResp: return .bindTransmitterResp(try BindResp.decode(from: &body))
            case .bindTransceiverResp: return .bindTransceiverResp(try BindResp.decode(from: &body))
            case .querySM: return .querySM(try QuerySM.decode(from: &body))
            case .querySMResp: return .querySMResp(try QuerySMResp.decode(from: &body))
            case .unbind: return .unbind
            case .unbindResp: return .unbindResp
            case .replaceSM: return .replaceSM(try ReplaceSM.decode(from: &body))
            case .replaceSMResp: return .replaceSMResp
            case .cancelSM: return .cancelSM(try CancelSM.decode(from: &body))
            case .cancelSMResp: return .cancelSMResp
            case .outbind: return .outbind(try Outbind.decode(from: &body))
            case .submitMulti: return .submitMulti(try SubmitMulti.decode(from: &body))
            case .submitMultiResp: return .submitMultiResp(try SubmitMultiResp.decode(from: &body))
            case .alertNotification: return .alertNotification(try AlertNotification.decode(from: &body))
            case .dataSM: return .dataSM(try DataSM.decode(from: &body))
            case .dataSMResp: return .dataSMResp(try DataSMResp.decode(from: &body))
            default: break
            }
        } catch {
            throw .body(error)
        }
        throw .unknownCommand
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

    /// Whether the body is written: on an error status, bind responses and submit_sm_resp are
    /// sent without a body, as §4.1.2 and §4.4.2 say.
    @inlinable
    func hasBody(status: CommandStatus) -> Bool {
        switch self {
        case .bindReceiverResp, .bindTransmitterResp, .bindTransceiverResp, .submitSMResp: status.isOK
        default: true
        }
    }

    /// At most the octets of the body.
    @inlinable
    func encodedBodyLengthBound(status: CommandStatus) -> Int {
        guard self.hasBody(status: status) else { return 0 }
        switch self {
        case .genericNack, .unbind, .unbindResp, .enquireLink, .enquireLinkResp, .cancelSMResp, .replaceSMResp: return 0
        case .bindReceiver(let body), .bindTransmitter(let body), .bindTransceiver(let body): return body.encodedLengthBound
        case .bindReceiverResp(let body), .bindTransmitterResp(let body), .bindTransceiverResp(let body):
            return body.encodedLengthBound
        case .submitSMResp(let body), .deliverSMResp(let body): return body.encodedLengthBound
        case .submitSM(let body), .deliverSM(let body): return body.encodedLengthBound
        case .querySM(let body): return body.encodedLengthBound
        case .querySMResp(let body): return body.encodedLengthBound
        case .replaceSM(let body): return body.encodedLengthBound
        case .cancelSM(let body): return body.encodedLengthBound
        case .outbind(let body): return body.encodedLengthBound
        case .submitMulti(let body): return body.encodedLengthBound
        case .submitMultiResp(let body): return body.encodedLengthBound
        case .alertNotification(let body): return body.encodedLengthBound
        case .dataSM(let body): return body.encodedLengthBound
        case .dataSMResp(let body): return body.encodedLengthBound
        }
    }

    /// Writes the body (nothing when `hasBody(status:)` is false).
    @inlinable
    func encodeBody(into writer: inout SMPPWriter, status: CommandStatus) throws(BodyError) {
        guard self.hasBody(status: status) else { return }
        switch self {
        case .genericNack, .unbind, .unbindResp, .enquireLink, .enquireLinkResp, .cancelSMResp, .replaceSMResp: return
        case .bindReceiver(let body), .bindTransmitter(let body), .bindTransceiver(let body): try body.encode(into: &writer)
        case .bindReceiverResp(let body), .bindTransmitterResp(let body), .bindTransceiverResp(let body):
            try body.encode(into: &writer)
        case .submitSMResp(let body), .deliverSMResp(let body): try body.encode(into: &writer)
        case .submitSM(let body), .deliverSM(let body): try body.encode(into: &writer)
        case .querySM(let body): try body.encode(into: &writer)
        case .querySMResp(let body): try body.encode(into: &writer)
        case .replaceSM(let body): try body.encode(into: &writer)
        case .cancelSM(let body): try body.encode(into: &writer)
        case .outbind(let body): try body.encode(into: &writer)
        case .submitMulti(let body): try body.encode(into: &writer)
        case .submitMultiResp(let body): try body.encode(into: &writer)
        case .alertNotification(let body): try body.encode(into: &writer)
        case .dataSM(let body): try body.encode(into: &writer)
        case .dataSMResp(let body): try body.encode(into: &writer)
        }
    }
}

/// Internal: why `PDU.decodeBody` failed.
@usableFromInline
enum SMPPBodyDecodeFailure: Error {
    case unknownCommand
    case body(BodyError)
}
