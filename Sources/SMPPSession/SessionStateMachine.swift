import NIOCore
public import SMPPCore

/// The rules of one SMPP session, for either role, as a pure value: events in, actions out
/// (STYLE.md: no I/O, no clock, no logger inside; the channel handler runs the actions).
///
/// ```
///  ESME                                           SMSC
///  connected ─ bind(type) ─► [send bind]          connected ─► [schedule sessionInit]
///  OPEN ── bind_resp OK ──► BOUND_x               OPEN ── bind ──► [authenticate] ── acceptBind ──► BOUND_x
///       ── bind_resp error ► OPEN (bind again)         └─ rejectBind ► OPEN     sessionInit fires ─► [close]
///  BOUND_x: send(pdu) ─► window ─► [send]; responses complete requests in any order;
///           inbound requests ─► PDURules ─► [deliver] or an error response;
///           enquire_link answered here; quiet for enquireLinkInterval ─► [send enquire_link];
///           quiet for inactivityTimeout ─► unbind
///  unbind(): no new requests; when the window has drained ─► [send unbind] ─ unbind_resp ─► [close]
///  peer's unbind ─► [send unbind_resp, fail pending, close]
///  response timeout ─► the request fails; an unanswered bind, enquire_link or unbind ─► [close]
/// ```
/// Deviations from SMPP v3.4 §2.2 are listed on `PDURules`. Keep-alive and inactivity use the
/// time of the last inbound PDU, so traffic never reschedules a timer: when one fires early it is
/// scheduled again from that time.
public struct SessionStateMachine<Instant: InstantProtocol & Sendable, Context: Sendable>: Sendable
where Instant.Duration == Duration {
    public enum Action: Sendable {
        case send(SMPPPacket)
        /// A request of this side ended: its response (whatever its status), or why it has none.
        case complete(Context, Result<SMPPPacket, SessionError>)
        /// An inbound request the state allows, for the application to handle and answer.
        case deliver(SMPPPacket)
        /// SMSC: a bind to check; answer with `acceptBind` or `rejectBind`.
        case authenticate(BindType, Bind, sequenceNumber: UInt32)
        /// The session is now bound.
        case bound(BindType)
        case schedule(SessionTimer, Instant)
        case cancel(SessionTimer)
        /// Close the connection (after sending what came before).
        case close
    }

    enum Pending: Sendable {
        case request(Context)
        case bind(BindType, Context)
        case enquireLink
        case unbind
    }

    public let configuration: SessionConfiguration
    public private(set) var state: SessionState = .open
    var window: SessionWindow<Instant, Pending>
    var lastActivity: Instant
    var responseTimerDeadline: Instant?
    /// `unbind()` was called: no new requests; unbind once the window drains.
    var draining = false
    /// ESME: a bind is awaiting its bind_resp (one at a time).
    var bindInFlight = false
    /// SMSC: the bind awaiting the application's verdict.
    var pendingBind: (type: BindType, sequenceNumber: UInt32, interfaceVersion: UInt8)?

    public init(configuration: SessionConfiguration, now: Instant) {
        self.configuration = configuration
        self.window = SessionWindow(capacity: configuration.windowSize)
        self.lastActivity = now
    }

    /// Requests outstanding.
    public var outstanding: Int { self.window.count }

    /// Whether `send` would find a window slot.
    public var canSend: Bool { !self.window.isFull }

    // MARK: events

    public mutating func connected(now: Instant) -> [Action] {
        self.lastActivity = now
        guard self.configuration.role == .smsc else { return [] }
        return [.schedule(.sessionInit, now.advanced(by: self.configuration.sessionInitTimeout))]
    }

    /// ESME: asks to bind. Fails at once unless OPEN with no bind under way.
    public mutating func bind(_ type: BindType, _ bind: Bind, context: Context, now: Instant) -> [Action] {
        guard self.configuration.role == .esme, self.state == .open, !self.draining, !self.bindInFlight
        else { return [.complete(context, .failure(SessionError(.notAllowed(self.state))))] }
        let deadline = now.advanced(by: self.configuration.bindTimeout)
        guard let sequence = self.window.add(type.commandID, deadline: deadline, context: .bind(type, context)) else {
            return [.complete(context, .failure(SessionError(.windowFull)))]
        }
        self.bindInFlight = true
        return [.send(SMPPPacket(sequenceNumber: sequence, pdu: type.request(bind)))] + self.armResponseTimer(deadline)
    }

    /// Sends a request; its response (or failure) comes back as `.complete(context, …)`.
    public mutating func send(_ pdu: PDU, context: Context, now: Instant) -> [Action] {
        var actions: [Action] = []
        self.send(pdu, context: context, now: now, into: &actions)
        return actions
    }

    /// `send`, appending to `actions` (a buffer the caller reuses: no array made per PDU).
    public mutating func send(_ pdu: PDU, context: Context, now: Instant, into actions: inout [Action]) {
        guard !self.draining, self.state != .closed, self.state != .unbound else {
            return actions.append(.complete(context, .failure(SessionError(.closed))))
        }
        guard PDURules.outbound(pdu.commandID, state: self.state, sender: self.configuration.role) == .allowed else {
            return actions.append(.complete(context, .failure(SessionError(.notAllowed(self.state)))))
        }
        let deadline = now.advanced(by: self.configuration.responseTimeout)
        guard let sequence = self.window.add(pdu.commandID, deadline: deadline, context: .request(context)) else {
            return actions.append(.complete(context, .failure(SessionError(.windowFull))))
        }
        actions.append(.send(SMPPPacket(sequenceNumber: sequence, pdu: pdu)))
        self.armResponseTimer(deadline, into: &actions)
    }

    /// SMSC: the bind asked for with `.authenticate` is accepted.
    public mutating func acceptBind(sequenceNumber: UInt32, systemID: String, now: Instant) -> [Action] {
        guard let pending = self.pendingBind, pending.sequenceNumber == sequenceNumber, self.state == .open else {
            return []
        }
        self.pendingBind = nil
        self.state = .bound(pending.type)
        // sc_interface_version only to a v3.4-or-later ESME (§5.3.2.25).
        let tlvs: TLVList = pending.interfaceVersion >= 0x34 ? [TLV(tag: .scInterfaceVersion, value: ByteBuffer(integer: UInt8(0x34)))] : []
        let response = SMPPPacket(sequenceNumber: sequenceNumber, pdu: pending.type.response(BindResp(systemID: systemID, tlvs: tlvs)))
        return [.send(response), .cancel(.sessionInit), .bound(pending.type)] + self.keepAliveTimers(now: now)
    }

    /// SMSC: the bind is refused with `status` (ESME_RINVPASWD, ESME_RBINDFAIL…); the session stays OPEN.
    public mutating func rejectBind(sequenceNumber: UInt32, status: CommandStatus) -> [Action] {
        guard let pending = self.pendingBind, pending.sequenceNumber == sequenceNumber else { return [] }
        self.pendingBind = nil
        return [.send(SMPPPacket.response(to: pending.type.commandID, sequenceNumber: sequenceNumber, status: status))]
    }

    /// A PDU (or a framed PDU that could not be decoded) arrived.
    public mutating func received(_ inbound: SMPPInbound, now: Instant) -> [Action] {
        var actions: [Action] = []
        self.received(inbound, now: now, into: &actions)
        return actions
    }

    /// `received`, appending to `actions` (which the caller passes empty and reuses).
    public mutating func received(_ inbound: SMPPInbound, now: Instant, into actions: inout [Action]) {
        self.lastActivity = now
        self.dispatch(inbound, now: now, into: &actions)
        // Once the actions close the connection, the session is CLOSED and what was pending fails.
        if self.state != .closed, actions.contains(where: \.isClose) { actions += self.closed() }
    }

    mutating func dispatch(_ inbound: SMPPInbound, now: Instant, into actions: inout [Action]) {
        switch inbound {
        case .malformed(let error):
            if let reply = error.replyPacket { actions.append(.send(reply)) }
            if error.commandID.isResponse, case .matched(let entry) = self.window.complete(error.commandID, sequenceNumber: error.sequenceNumber) {
                actions += self.fail(entry.context, SessionError(.malformedResponse(error.commandStatus.name)))
            }
            self.disarmIfIdle(into: &actions)
            actions += self.unbindIfDrained(now: now)
        case .packet(let packet) where packet.commandID.isResponse:
            let before = actions.count
            self.receivedResponse(packet, now: now, into: &actions)
            // A response that ends the session leaves the timers to `closed()`.
            if actions[before...].contains(where: \.isClose) { return }
            self.disarmIfIdle(into: &actions)
            if self.draining { actions += self.unbindIfDrained(now: now) }
        case .packet(let packet):
            self.receivedRequest(packet, now: now, into: &actions)
        }
    }

    /// A PDU from a `.send` action could not be encoded (a field over its limit): its request
    /// fails now instead of waiting for a timeout, and its window slot is freed.
    public mutating func sendFailed(sequenceNumber: UInt32, error: SMPPEncodingError) -> [Action] {
        guard let entry = self.window.remove(sequenceNumber: sequenceNumber) else { return [] }
        if case .bind = entry.context { self.bindInFlight = false }
        let failure = SessionError(.invalidRequest(error.field, error.status.name))
        switch entry.context {
        case .request(let context), .bind(_, let context): return [.complete(context, .failure(failure))] + self.disarmIfIdle()
        case .enquireLink, .unbind: return [.close] + self.closed()
        }
    }

    /// A timer scheduled with `.schedule` fired.
    public mutating func timerFired(_ timer: SessionTimer, now: Instant) -> [Action] {
        switch timer {
        case .response:
            self.responseTimerDeadline = nil
            var actions: [Action] = []
            for (_, entry) in self.window.expire(now: now) {
                actions += self.fail(entry.context, SessionError(.timeout))
            }
            if actions.contains(where: \.isClose) { return self.closingIfNeeded(actions) }
            if let next = self.window.earliestDeadline { actions += self.armResponseTimer(next) }
            return actions + self.unbindIfDrained(now: now)
        case .enquireLink:
            guard case .bound = self.state, let interval = self.configuration.enquireLinkInterval else { return [] }
            let due = self.lastActivity.advanced(by: interval)
            guard now >= due else { return [.schedule(.enquireLink, due)] }
            var actions: [Action] = [.schedule(.enquireLink, now.advanced(by: interval))]
            let deadline = now.advanced(by: self.configuration.responseTimeout)
            if !self.draining, let sequence = self.window.add(.enquireLink, deadline: deadline, context: .enquireLink) {
                actions += [.send(SMPPPacket(sequenceNumber: sequence, pdu: .enquireLink))] + self.armResponseTimer(deadline)
            }
            return actions
        case .inactivity:
            guard case .bound = self.state, let timeout = self.configuration.inactivityTimeout else { return [] }
            let due = self.lastActivity.advanced(by: timeout)
            guard now >= due else { return [.schedule(.inactivity, due)] }
            return self.unbind(now: now)
        case .sessionInit:
            guard self.state == .open else { return [] }
            return [.close] + self.closed()
        }
    }

    /// Ends the session gracefully: no new requests, the window drains, then unbind → unbind_resp → close.
    public mutating func unbind(now: Instant) -> [Action] {
        guard case .bound = self.state else {
            return self.state == .closed ? [] : [.close] + self.closed()
        }
        self.draining = true
        return self.unbindIfDrained(now: now)
    }

    /// The connection is gone: every pending request fails.
    public mutating func closed() -> [Action] {
        self.state = .closed
        self.responseTimerDeadline = nil
        self.pendingBind = nil
        self.bindInFlight = false
        var actions: [Action] = []
        for (_, entry) in self.window.removeAll() {
            if case .request(let context) = entry.context { actions.append(.complete(context, .failure(SessionError(.closed)))) }
            if case .bind(_, let context) = entry.context { actions.append(.complete(context, .failure(SessionError(.closed)))) }
        }
        return actions + [.cancel(.response), .cancel(.enquireLink), .cancel(.inactivity), .cancel(.sessionInit)]
    }

    // MARK: internals

    mutating func receivedResponse(_ packet: SMPPPacket, now: Instant, into actions: inout [Action]) {
        switch self.window.complete(packet.commandID, sequenceNumber: packet.sequenceNumber) {
        case .unknownSequenceNumber:
            return  // late (its request timed out) or foreign: nothing waits for it
        case .mismatched(let entry):
            actions += self.fail(entry.context, SessionError(.mismatchedResponse(packet.commandID.name)))
        case .matched(let entry):
            switch entry.context {
            case .request(let context):
                actions.append(.complete(context, .success(packet)))
            case .bind(let type, let context):
                self.bindInFlight = false
                actions.append(.complete(context, .success(packet)))
                guard packet.status.isOK, packet.commandID == type.commandID.response else { return }
                self.state = .bound(type)
                actions.append(.bound(type))
                actions += self.keepAliveTimers(now: now)
            case .enquireLink:
                return
            case .unbind:
                actions.append(.close)
            }
        }
    }

    mutating func receivedRequest(_ packet: SMPPPacket, now: Instant, into actions: inout [Action]) {
        let verdict = PDURules.inbound(packet.commandID, state: self.state, receiver: self.configuration.role)
        guard verdict == .allowed else {
            guard case .rejected(let status) = verdict else { preconditionFailure("a verdict is allowed or rejected") }
            return actions.append(.send(SMPPPacket.response(to: packet.commandID, sequenceNumber: packet.sequenceNumber, status: status)))
        }
        switch packet.pdu {
        case .enquireLink:
            actions.append(.send(SMPPPacket(sequenceNumber: packet.sequenceNumber, pdu: .enquireLinkResp)))
        case .unbind:
            actions.append(.send(SMPPPacket(sequenceNumber: packet.sequenceNumber, pdu: .unbindResp)))
            actions.append(.close)
        case .bindTransmitter(let bind), .bindReceiver(let bind), .bindTransceiver(let bind):
            guard self.pendingBind == nil, let type = BindType(packet.commandID) else {
                return actions.append(
                    .send(SMPPPacket.response(to: packet.commandID, sequenceNumber: packet.sequenceNumber, status: .invalidBindStatus)))
            }
            self.pendingBind = (type, packet.sequenceNumber, bind.interfaceVersion)
            actions.append(.authenticate(type, bind, sequenceNumber: packet.sequenceNumber))
        case .deliverSM where self.configuration.acknowledgesDeliveries:
            actions.append(.send(SMPPPacket(sequenceNumber: packet.sequenceNumber, pdu: .deliverSMResp(MessageIDResponse()))))
            actions.append(.deliver(packet))
        case .dataSM where self.configuration.acknowledgesDeliveries:
            actions.append(.send(SMPPPacket(sequenceNumber: packet.sequenceNumber, pdu: .dataSMResp(DataSMResp()))))
            actions.append(.deliver(packet))
        default:
            actions.append(.deliver(packet))
        }
    }

    /// The actions for a request that ends without a response. An unanswered bind, enquire_link
    /// or unbind means the session is not usable: close.
    func fail(_ pending: Pending, _ error: SessionError) -> [Action] {
        switch pending {
        case .request(let context): [.complete(context, .failure(error))]
        case .bind(_, let context): [.complete(context, .failure(error)), .close]
        case .enquireLink, .unbind: [.close]
        }
    }

    mutating func unbindIfDrained(now: Instant) -> [Action] {
        guard self.draining, case .bound = self.state, self.window.isEmpty else { return [] }
        self.state = .unbound
        let deadline = now.advanced(by: self.configuration.responseTimeout)
        guard let sequence = self.window.add(.unbind, deadline: deadline, context: .unbind) else { return [] }
        return [.send(SMPPPacket(sequenceNumber: sequence, pdu: .unbind))] + self.armResponseTimer(deadline)
    }

    /// Once an action list closes the connection, the session is CLOSED and what was pending fails.
    mutating func closingIfNeeded(_ actions: [Action]) -> [Action] {
        guard self.state != .closed, actions.contains(where: \.isClose) else { return actions }
        return actions + self.closed()
    }

    /// No request left to time out: the response timer goes, rather than waking up for nothing.
    mutating func disarmIfIdle() -> [Action] {
        var actions: [Action] = []
        self.disarmIfIdle(into: &actions)
        return actions
    }

    mutating func disarmIfIdle(into actions: inout [Action]) {
        guard self.window.isEmpty, self.responseTimerDeadline != nil else { return }
        self.responseTimerDeadline = nil
        actions.append(.cancel(.response))
    }

    mutating func armResponseTimer(_ deadline: Instant) -> [Action] {
        var actions: [Action] = []
        self.armResponseTimer(deadline, into: &actions)
        return actions
    }

    mutating func armResponseTimer(_ deadline: Instant, into actions: inout [Action]) {
        if let current = self.responseTimerDeadline, current <= deadline { return }
        self.responseTimerDeadline = deadline
        actions.append(.schedule(.response, deadline))
    }

    func keepAliveTimers(now: Instant) -> [Action] {
        var actions: [Action] = []
        if let interval = self.configuration.enquireLinkInterval { actions.append(.schedule(.enquireLink, now.advanced(by: interval))) }
        if let timeout = self.configuration.inactivityTimeout { actions.append(.schedule(.inactivity, now.advanced(by: timeout))) }
        return actions
    }
}


extension SessionStateMachine.Action {
    var isClose: Bool {
        if case .close = self { return true }
        return false
    }
}

