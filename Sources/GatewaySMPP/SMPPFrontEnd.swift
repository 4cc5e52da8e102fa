public import GatewayCore
public import Logging
import Metrics
import NIOCore
public import SMPPCore
public import SMPPServer
import SMPPSession
import Synchronization

/// The gateway's SMPP face: binds checked against accounts, every v3.4 request an ESME may send
/// answered from the gateway, and receivers fed with the account's receipts and MO.
public final class SMPPFrontEnd: SMPPServerDelegate, BindDirectory {
    let gateway: Gateway
    let logger: Logger
    /// Receivers by session id.
    let receivers = Mutex<[UInt64: ReceiverTarget]>([:])
    /// Live SMPP binds on this node.
    static let bindsGauge = Gauge(label: "shortwave_smpp_binds")
    /// Every bound session, by id (the admin API lists and unbinds them).
    let bound = Mutex<[UInt64: BoundSession]>([:])

    /// A bound session and what it did.
    final class BoundSession: Sendable {
        let session: SMPPServerSession
        let accountID: String
        let since = wallClockMilliseconds()
        let submitted = Atomic<Int>(0)
        /// query_sm, cancel_sm and replace_sm being answered (each a store read or write):
        /// never more than the session's window at once (DESIGN rule 6).
        let answering: RequestLimit
        init(session: SMPPServerSession, accountID: String) {
            self.answering = RequestLimit(maximum: session.windowSize)
            self.session = session
            self.accountID = accountID
        }
    }

    /// How binds are checked: the password checks' threads, the failures' lockouts, and whether
    /// refusals tell unknown system_id, wrong password and address apart (off by default: one
    /// status, ESME_RINVPASWD, for the three, so accounts cannot be enumerated).
    public struct BindChecks: Sendable {
        public var verifier: PasswordVerifier
        public var guard_: BindGuard
        public var distinctRefusals: Bool

        public init(verifier: PasswordVerifier, guard guard_: BindGuard, distinctRefusals: Bool = false) {
            self.verifier = verifier
            self.guard_ = guard_
            self.distinctRefusals = distinctRefusals
        }
    }

    public let checks: BindChecks

    public init(gateway: Gateway, checks: BindChecks? = nil, logger: Logger) {
        self.gateway = gateway
        self.logger = logger
        self.checks = checks ?? BindChecks(verifier: PasswordVerifier(), guard: BindGuard(clock: gateway.clock, logger: logger))
    }

    public func authenticate(_ request: BindRequest, session: SMPPServerSession) async -> BindVerdict {
        let kind: Account.BindKind =
            switch request.type {
            case .transmitter: .transmitter
            case .receiver: .receiver
            case .transceiver: .transceiver
            }
        let systemID = request.bind.systemID
        let address = session.peer?.ipAddress ?? "?"
        let distinct = self.checks.distinctRefusals
        if case .lockedOut(let until, let by) = self.checks.guard_.check(address: address, systemID: systemID) {
            // Not even checked: guessing from here (or at this system_id) waits.
            self.logger.notice(
                "bind refused",
                metadata: [
                    "smpp.system_id": "\(systemID)", "reason": "locked out after failed passwords (\(by))",
                    "retry_in_ms": "\(until - self.gateway.clock.wallMilliseconds)", "smpp.session": "\(session.id)",
                ])
            return .reject(distinct ? .bindFailed : .invalidPassword)
        }
        switch await self.gateway.accounts.bind(
            systemID: systemID, password: request.bind.password, kind: kind, from: session.peer?.ipAddress, verifier: self.checks.verifier)
        {
        case .success(let account):
            self.checks.guard_.succeeded(address: address, systemID: systemID)
            return .accept(systemID: "shortwave", principal: account.id)
        case .failure(let refusal):
            self.logger.notice(
                "bind refused", metadata: ["smpp.system_id": "\(systemID)", "reason": "\(refusal)", "smpp.session": "\(session.id)"])
            switch refusal {
            case .unknownSystemID, .wrongPassword, .addressNotAllowed:
                self.checks.guard_.failed(address: address, systemID: systemID)
                guard distinct else { return .reject(.invalidPassword) }
                return .reject(refusal == .unknownSystemID ? .invalidSystemID : refusal == .wrongPassword ? .invalidPassword : .bindFailed)
            case .disabled, .bindTypeNotAllowed, .tooManyBinds, .busy: return .reject(.bindFailed)
            }
        }
    }

    public func sessionBound(_ session: SMPPServerSession) {
        guard let accountID = session.principal else { return }
        let count = self.bound.withLock { bound in
            bound[session.id] = BoundSession(session: session, accountID: accountID)
            return bound.count
        }
        Self.bindsGauge.record(count)
        guard session.receives, let account = self.gateway.accounts.account(id: accountID) else { return }
        let target = ReceiverTarget(session: session, accountID: accountID, window: max(1, min(account.window, session.windowSize)))
        self.receivers.withLock { $0[session.id] = target }
        self.gateway.attach(target)
    }

    public func sessionClosed(_ session: SMPPServerSession) {
        guard let accountID = session.principal else { return }
        Self.bindsGauge.record(self.bound.withLock { bound in
            bound.removeValue(forKey: session.id)
            return bound.count
        })
        self.gateway.accounts.unbound(accountID: accountID)
        if let target = self.receivers.withLock({ $0.removeValue(forKey: session.id) }) { self.gateway.detach(target) }
    }

    public func received(_ request: SMPPPacket, on session: SMPPServerSession) {
        let sequence = request.sequenceNumber
        guard let accountID = session.principal, let account = self.gateway.accounts.account(id: accountID) else {
            return session.respond(SMPPPacket.response(to: request.commandID, sequenceNumber: sequence, status: .invalidBindStatus))
        }
        if let counters = self.bound.withLock({ $0[session.id] }) {
            switch request.pdu {
            case .submitSM, .dataSM, .submitMulti: counters.submitted.add(1, ordering: .relaxed)
            default: break
            }
        }
        switch request.pdu {
        case .submitSM(let submit):
            self.gateway.accept(SubmitValidation.Fields(submit), account: account) { result in
                switch result {
                case .success(let message):
                    session.respond(SMPPPacket(sequenceNumber: sequence, pdu: .submitSMResp(MessageIDResponse(messageID: message.id.description))))
                case .failure(let refused):
                    self.logRefusal(refused, session: session)
                    session.respond(SMPPPacket(sequenceNumber: sequence, status: refused.status, pdu: .submitSMResp(MessageIDResponse())))
                }
            }
        case .dataSM(let data):
            self.gateway.accept(SubmitValidation.Fields(data), account: account) { result in
                switch result {
                case .success(let message):
                    session.respond(SMPPPacket(sequenceNumber: sequence, pdu: .dataSMResp(DataSMResp(messageID: message.id.description))))
                case .failure(let refused):
                    self.logRefusal(refused, session: session)
                    session.respond(SMPPPacket(sequenceNumber: sequence, status: refused.status, pdu: .dataSMResp(DataSMResp())))
                }
            }
        case .submitMulti(let multi):
            self.submitMulti(multi, sequence: sequence, account: account, session: session)
        case .querySM(let query):
            self.answer(sequence, on: session, command: .querySM) {
                guard let id = MessageID(query.messageID), let message = try await self.gateway.requests.message(id, accountID: accountID) else {
                    return SMPPPacket(sequenceNumber: sequence, status: .invalidMessageID, pdu: .querySMResp(QuerySMResp(messageID: query.messageID)))
                }
                let finalDate = message.doneAt.map { SMPPTime.absolute(SMPPTime.AbsoluteTime(secondsSince1970: $0 / 1000)) }
                return SMPPPacket(
                    sequenceNumber: sequence,
                    pdu: .querySMResp(
                        QuerySMResp(
                            messageID: query.messageID, finalDate: finalDate, messageState: message.status.messageState,
                            errorCode: UInt8(clamping: message.errorCode))))
            }
        case .cancelSM(let cancel):
            self.answer(sequence, on: session, command: .cancelSM) {
                guard let id = MessageID(cancel.messageID) else {
                    return SMPPPacket.response(to: .cancelSM, sequenceNumber: sequence, status: .invalidMessageID)
                }
                let status: CommandStatus =
                    switch try await self.gateway.requests.cancel(id, accountID: accountID) {
                    case .cancelled: .ok
                    case .notFound: .invalidMessageID
                    case .tooLate: .cancelFailed
                    }
                return SMPPPacket.response(to: .cancelSM, sequenceNumber: sequence, status: status)
            }
        case .replaceSM(let replace):
            self.answer(sequence, on: session, command: .replaceSM) {
                guard let id = MessageID(replace.messageID) else {
                    return SMPPPacket.response(to: .replaceSM, sequenceNumber: sequence, status: .invalidMessageID)
                }
                let status = try await self.gateway.requests.replace(id, accountID: accountID, with: replace)
                return SMPPPacket.response(to: .replaceSM, sequenceNumber: sequence, status: status)
            }
        default:
            // Legal in the session's state but nothing a gateway takes from an ESME.
            session.respond(SMPPPacket(sequenceNumber: sequence, status: .invalidCommandID, pdu: .genericNack))
        }
    }

    /// Runs a store lookup off the event loop and answers with what it returns (or ESME_RSYSERR).
    /// A session with its window of such answers under way gets ESME_RTHROTTLED at once: a
    /// client flooding query_sm costs itself, not the gateway's memory.
    private func answer(_ sequence: UInt32, on session: SMPPServerSession, command: CommandID, _ body: @escaping @Sendable () async throws -> SMPPPacket) {
        guard let limit = self.bound.withLock({ $0[session.id]?.answering }), limit.acquire() else {
            return session.respond(SMPPPacket.response(to: command, sequenceNumber: sequence, status: .throttled))
        }
        let logger = self.logger
        Task {
            defer { limit.release() }
            do {
                session.respond(try await body())
            } catch {
                logger.error("request failed", metadata: ["smpp.session": "\(session.id)", "error": "\(error)"])
                session.respond(SMPPPacket.response(to: command, sequenceNumber: sequence, status: .systemError))
            }
        }
    }

    /// submit_multi: each SME destination checked on its own; the good ones stored together,
    /// the others listed in unsuccess_sme. The response's message_id is the first stored
    /// message's; destination k (in order of the good ones) has that id + k.
    private func submitMulti(_ multi: SubmitMulti, sequence: UInt32, account: Account, session: SMPPServerSession) {
        var accepted: [SubmitValidation.Fields] = []
        var failures: [SubmitMultiResp.Failure] = []
        for destination in multi.destinations {
            switch destination {
            case .address(let address):
                let fields = SubmitValidation.Fields(multi, destination: address)
                if let refused = self.gateway.check(fields, account: account) {
                    failures.append(.init(destination: address, status: refused.status))
                } else {
                    accepted.append(fields)
                }
            case .distributionList(let name):
                failures.append(.init(destination: SMPPAddress(name), status: .invalidDistributionListName))
            }
        }
        guard !accepted.isEmpty else {
            let status = failures.first?.status ?? .invalidNumberOfDestinations
            return session.respond(
                SMPPPacket(sequenceNumber: sequence, status: status, pdu: .submitMultiResp(SubmitMultiResp(unsuccessful: failures))))
        }
        let unsuccessful = failures
        self.gateway.accept(accepted, account: account) { result in
            switch result {
            case .success(let messages):
                session.respond(
                    SMPPPacket(
                        sequenceNumber: sequence,
                        pdu: .submitMultiResp(SubmitMultiResp(messageID: messages[0].id.description, unsuccessful: unsuccessful))))
            case .failure(let refused):
                session.respond(SMPPPacket(sequenceNumber: sequence, status: refused.status, pdu: .submitMultiResp(SubmitMultiResp())))
            }
        }
    }
}

extension SMPPFrontEnd {
    /// A refusal for a rule SMPP has no status of its own for (DLT): the status says little,
    /// so the reason goes to the log for the operator and the customer's support.
    func logRefusal(_ refused: Refused, session: SMPPServerSession) {
        guard let code = refused.code else { return }
        self.logger.notice(
            "submit refused", metadata: ["smpp.session": "\(session.id)", "smpp.system_id": "\(session.systemID)", "rule": "\(code)", "reason": "\(refused.reason ?? "")"])
    }

    public func binds() -> [BindInfo] {
        let now = wallClockMilliseconds()
        let sessions = self.bound.withLock { Array($0.values) }
        let receivers = self.receivers.withLock { $0 }
        return sessions.map { entry in
            let session = entry.session
            let type: Account.BindKind =
                switch session.bindType {
                case .receiver?: .receiver
                case .transceiver?: .transceiver
                case .transmitter?, nil: .transmitter
                }
            let submitted = entry.submitted.load(ordering: .relaxed)
            let seconds = max(0.001, Double(now - entry.since) / 1000)
            return BindInfo(
                id: session.id, accountID: entry.accountID, systemID: session.systemID, type: type, peer: session.peer?.description,
                tls: session.tls, since: entry.since, window: receivers[session.id]?.window ?? 0,
                windowInUse: receivers[session.id]?.inFlight.load(ordering: .relaxed) ?? 0, submitted: submitted,
                messagesPerSecond: Double(submitted) / seconds)
        }.sorted { $0.id < $1.id }
    }

    public func unbind(id: UInt64) -> Bool {
        guard let entry = self.bound.withLock({ $0[id] }) else { return false }
        entry.session.unbind()
        return true
    }

    @discardableResult public func unbindAll(accountID: String) -> Int {
        let sessions = self.bound.withLock { $0.values.filter { $0.accountID == accountID } }
        for entry in sessions { entry.session.unbind() }
        return sessions.count
    }
}

/// An SMPP receiver or transceiver bind as a place deliveries go.
final class ReceiverTarget: DeliveryTarget {
    let session: SMPPServerSession
    let accountID: String
    let window: Int
    /// deliver_sm sent and not yet answered.
    let inFlight = Atomic<Int>(0)

    init(session: SMPPServerSession, accountID: String, window: Int) {
        self.session = session
        self.accountID = accountID
        self.window = window
    }

    func deliver(_ deliveries: [Delivery], completion: @escaping @Sendable (Delivery, Bool) -> Void) {
        self.inFlight.add(deliveries.count, ordering: .relaxed)
        self.session.send(deliveries.map { .deliverSM($0.deliverSM) }) { index, result in
            self.inFlight.subtract(1, ordering: .relaxed)
            switch result {
            case .success(let response): completion(deliveries[index], response.status == .ok)
            case .failure: completion(deliveries[index], false)
            }
        }
    }
}
