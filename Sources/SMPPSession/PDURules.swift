public import SMPPCore

/// Which request PDU may travel in which session state, and in which direction (SMPP v3.4 §2.2,
/// Table 2-1), answered for the side that *receives* it.
///
/// Deviations from the table, each for interoperability:
/// * enquire_link is accepted in OPEN too (v5.0 allows it in every state; peers that send it
///   before bind_resp are common, and answering costs nothing);
/// * replace_sm is accepted on BOUND_TRX as well as BOUND_TX (the table omits TRX; every SMSC
///   in practice accepts it there);
/// * generic_nack is a response and never reaches this check.
public enum PDURules {
    /// The verdict on an inbound request.
    public enum Verdict: Hashable, Sendable {
        case allowed
        /// Answer with the request's response (or generic_nack when it has none) and `status`:
        /// ESME_RINVBNDSTS for a PDU not valid in this state or from this side, ESME_RALYBND for a
        /// bind on a bound session.
        case rejected(CommandStatus)
    }

    /// Whether `receiver` may accept request `id` from its peer while in `state`.
    public static func inbound(_ id: CommandID, state: SessionState, receiver: SessionRole) -> Verdict {
        let fromESME = receiver == .smsc
        switch id {
        case .bindTransmitter, .bindReceiver, .bindTransceiver:
            guard fromESME else { return .rejected(.invalidBindStatus) }
            switch state {
            case .open: return .allowed
            case .bound: return .rejected(.alreadyBound)
            case .unbound, .closed: return .rejected(.invalidBindStatus)
            }
        case .outbind:
            return !fromESME && state == .open ? .allowed : .rejected(.invalidBindStatus)
        case .enquireLink:
            switch state {
            case .open, .bound: return .allowed
            case .unbound, .closed: return .rejected(.invalidBindStatus)
            }
        case .unbind:
            if case .bound = state { return .allowed }
            return .rejected(.invalidBindStatus)
        case .submitSM, .submitMulti, .querySM, .cancelSM, .replaceSM:
            guard fromESME, case .bound(let type) = state, type.canTransmit else { return .rejected(.invalidBindStatus) }
            return .allowed
        case .deliverSM, .alertNotification:
            guard !fromESME, case .bound(let type) = state, type.canReceive else { return .rejected(.invalidBindStatus) }
            return .allowed
        case .dataSM:
            if case .bound = state { return .allowed }
            return .rejected(.invalidBindStatus)
        default:
            // Responses are matched against the window, unknown ids answered generic_nack
            // ESME_RINVCMDID by the decoder; neither is a request this table rules on.
            return .rejected(.invalidCommandID)
        }
    }

    /// Whether `sender` may send request `id` in `state`: the same table from the other side, so
    /// that a session never sends what its peer would have to reject.
    public static func outbound(_ id: CommandID, state: SessionState, sender: SessionRole) -> Verdict {
        self.inbound(id, state: state, receiver: sender == .esme ? .smsc : .esme)
    }
}
