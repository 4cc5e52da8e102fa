public import GatewayCore
public import Logging
public import NIOCore
public import SMPPCore
public import SMPPServer
import SMPPSession
public import ServiceLifecycle
import Synchronization

/// `shortwave smsc-sim`: a standalone SMSC for testing any SMPP client or gateway, built on
/// `SMPPServer`. Accounts (or any credentials), binds and windows; every submit answered with an
/// id of its own (hex or decimal, as carriers differ) and, after a delay, a delivery receipt with
/// the outcome the `CarrierSimulator` rules give; MO injected by `inject`; throttling above a
/// rate (ESME_RTHROTTLED); random disconnects. Receipts for a system_id with no receiver bound
/// wait (bounded) until one binds.
public final class SMSCSimulator: SMPPServerDelegate, Service, Sendable {
    public enum IDFormat: String, Sendable, CaseIterable {
        case hex, decimal
    }

    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// system_id → password; empty: any credentials bind.
        public var accounts: [String: String]
        /// Outcomes by destination suffix and share, and the receipt delay.
        public var outcomes: CarrierSimulator.Configuration
        /// Submits per second per system_id beyond which ESME_RTHROTTLED is answered; nil: no limit.
        public var messagesPerSecond: Int?
        /// Each second, each session is dropped (no unbind) with this probability.
        public var disconnectProbability: Double
        public var idFormat: IDFormat
        /// The window this SMSC keeps for its deliver_sm.
        public var window: Int
        /// Receipts kept for a system_id with no receiver bound; older ones are dropped beyond it.
        public var maximumWaitingReceipts: Int
        /// A scripted outcome for a submit (for embedders and tests), before `outcomes`' rules.
        public var script: (@Sendable (SubmitSM) -> CarrierSimulator.Outcome?)?

        public init(
            host: String = "127.0.0.1", port: Int = 2775, accounts: [String: String] = [:],
            outcomes: CarrierSimulator.Configuration = .init(), messagesPerSecond: Int? = nil, disconnectProbability: Double = 0,
            idFormat: IDFormat = .hex, window: Int = 100, maximumWaitingReceipts: Int = 100_000
        ) {
            self.host = host
            self.port = port
            self.accounts = accounts
            self.outcomes = outcomes
            self.messagesPerSecond = messagesPerSecond
            self.disconnectProbability = disconnectProbability
            self.idFormat = idFormat
            self.window = window
            self.maximumWaitingReceipts = maximumWaitingReceipts
        }
    }

    struct State {
        var sessions: [UInt64: SMPPServerSession] = [:]
        var nextID: UInt64 = 1
        var nextReceiver: Int = 0
        var waiting: [String: [DeliverSM]] = [:]
        var buckets: [String: (tokens: Double, last: Int64)] = [:]
        var submitted = 0
        var throttled = 0
        /// The latest 1,000 submit_sm, a ring: `recentNext` is where the next one goes.
        var recent: [SubmitSM] = []
        var recentNext = 0
        var receiptsSent = 0
        /// Down for maintenance: every bind is refused (ESME_RBINDFAIL) until it is over.
        var refusingBinds = false
    }

    public let configuration: Configuration
    let simulator: CarrierSimulator
    let logger: Logger
    let state = Mutex(State())
    let server: Mutex<SMPPServer?> = Mutex(nil)

    public init(configuration: Configuration, logger: Logger = Logger(label: "shortwave.smsc-sim")) {
        self.configuration = configuration
        self.simulator = CarrierSimulator(configuration: configuration.outcomes)
        self.logger = logger
    }

    /// Submits answered OK, and receipts handed to a receiver.
    public var counts: (submitted: Int, receipts: Int) { self.state.withLock { ($0.submitted, $0.receiptsSent) } }

    /// submit_sm answered ESME_RTHROTTLED (above `messagesPerSecond`).
    public var throttledCount: Int { self.state.withLock { $0.throttled } }

    /// The latest submit_sm taken, oldest first (the last 1,000): what a carrier would see.
    public var recentSubmits: [SubmitSM] {
        self.state.withLock { Array($0.recent[$0.recentNext...] + $0.recent[..<$0.recentNext]) }
    }

    /// The addresses listened on, once running.
    public var localAddresses: [SocketAddress] {
        get async throws {
            while true {
                if let server = self.server.withLock({ $0 }) { return try await server.localAddresses }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    public func run() async throws {
        let session = SessionConfiguration(role: .smsc, windowSize: self.configuration.window)
        let server = SMPPServer(
            configuration: .init(listeners: [.init(host: self.configuration.host, port: self.configuration.port)], session: session),
            delegate: self, logger: self.logger)
        self.server.withLock { $0 = server }
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.run() }
            if self.configuration.disconnectProbability > 0 {
                group.addTask {
                    while !Task.isShuttingDownGracefully && !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(1))
                        self.disconnectSome()
                    }
                }
            }
        }
    }

    /// A carrier that is down without going away: while true every bind is refused with
    /// ESME_RBINDFAIL (sessions already bound stay). Tests use it instead of closing the
    /// listener and binding its port again, which another process may have taken meanwhile.
    public func setRefusingBinds(_ refusing: Bool) { self.state.withLock { $0.refusingBinds = refusing } }

    // MARK: the delegate

    public func authenticate(_ request: BindRequest, session: SMPPServerSession) async -> BindVerdict {
        let systemID = request.bind.systemID
        if self.state.withLock({ $0.refusingBinds }) { return .reject(.bindFailed) }
        if !self.configuration.accounts.isEmpty {
            guard let password = self.configuration.accounts[systemID] else { return .reject(.invalidSystemID) }
            guard password == request.bind.password else { return .reject(.invalidPassword) }
        }
        return .accept(systemID: "smsc-sim", principal: systemID)
    }

    public func sessionBound(_ session: SMPPServerSession) {
        let waiting = self.state.withLock { state -> [DeliverSM] in
            state.sessions[session.id] = session
            guard session.receives, let systemID = session.principal else { return [] }
            return state.waiting.removeValue(forKey: systemID) ?? []
        }
        if !waiting.isEmpty { self.deliver(waiting, systemID: session.principal ?? "") }
    }

    public func sessionClosed(_ session: SMPPServerSession) {
        self.state.withLock { _ = $0.sessions.removeValue(forKey: session.id) }
    }

    public func received(_ request: SMPPPacket, on session: SMPPServerSession) {
        let sequence = request.sequenceNumber
        guard let systemID = session.principal else {
            return session.respond(SMPPPacket.response(to: request.commandID, sequenceNumber: sequence, status: .invalidBindStatus))
        }
        switch request.pdu {
        case .submitSM(let submit):
            guard self.admit(systemID) else {
                self.state.withLock { $0.throttled += 1 }
                return session.respond(SMPPPacket(sequenceNumber: sequence, status: .throttled, pdu: .submitSMResp(MessageIDResponse())))
            }
            self.state.withLock { state in
                if state.recent.count < 1_000 {
                    state.recent.append(submit)
                } else {
                    state.recent[state.recentNext] = submit
                    state.recentNext = (state.recentNext + 1) % 1_000
                }
            }
            let id = self.nextID()
            session.respond(SMPPPacket(sequenceNumber: sequence, pdu: .submitSMResp(MessageIDResponse(messageID: id))))
            self.scheduleReceipt(for: submit, id: id, systemID: systemID)
        case .dataSM(let data):
            guard self.admit(systemID) else {
                return session.respond(SMPPPacket(sequenceNumber: sequence, status: .throttled, pdu: .dataSMResp(DataSMResp())))
            }
            session.respond(SMPPPacket(sequenceNumber: sequence, pdu: .dataSMResp(DataSMResp(messageID: self.nextID()))))
            _ = data
        default:
            // Everything else an ESME may send that this SMSC does not simulate.
            session.respond(SMPPPacket.response(to: request.commandID, sequenceNumber: sequence, status: .invalidCommandID))
        }
    }

    // MARK: behaviour

    func nextID() -> String {
        let number = self.state.withLock { state -> UInt64 in
            defer {
                state.nextID += 1
                state.submitted += 1
            }
            return state.nextID
        }
        switch self.configuration.idFormat {
        case .hex: return String(number, radix: 16)
        case .decimal: return String(number)
        }
    }

    /// A token bucket per system_id, one second deep.
    func admit(_ systemID: String, now: Int64 = monotonicNanoseconds()) -> Bool {
        guard let rate = self.configuration.messagesPerSecond else { return true }
        return self.state.withLock { state in
            var bucket = state.buckets[systemID] ?? (Double(rate), now)
            bucket.tokens = min(Double(rate), bucket.tokens + Double(max(0, now - bucket.last)) / 1e9 * Double(rate))
            bucket.last = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            state.buckets[systemID] = bucket
            return allowed
        }
    }

    func scheduleReceipt(for submit: SubmitSM, id: String, systemID: String) {
        guard submit.registeredDelivery.rawValue & 0x03 != 0 else { return }
        let message = Message(
            id: MessageID(rawValue: 0), accountID: systemID, source: submit.source, destination: submit.destination,
            esmClass: submit.esmClass, dataCoding: submit.dataCoding,
            payload: Array(submit.shortMessage.readableBytesView), submittedAt: wallClockMilliseconds())
        let outcome = self.configuration.script?(submit) ?? self.simulator.outcome(for: message)
        // registered_delivery 2: a receipt on failure only.
        if submit.registeredDelivery.rawValue & 0x03 == 2, outcome.status == .delivered { return }
        let now = SMPPTime.AbsoluteTime(secondsSince1970: wallClockMilliseconds() / 1000)
        let receipt = DeliveryReceipt(
            id: id, state: outcome.status.messageState, submitDate: ReceiptDate(now), doneDate: ReceiptDate(now),
            error: threeDigits(outcome.error), text: message.textPrefix(20) ?? "")
        var tlvs = TLVList()
        tlvs.receiptedMessageID = id
        tlvs.messageState = outcome.status.messageState
        let pdu = DeliverSM(
            source: submit.destination, destination: submit.source, esmClass: ESMClass(type: .smscDeliveryReceipt),
            shortMessage: ByteBuffer(string: receipt.formatted), tlvs: tlvs)
        let delay = self.configuration.outcomes.delayMilliseconds
        if delay <= 0 { return self.deliver([pdu], systemID: systemID) }
        Task {
            try? await Task.sleep(for: .milliseconds(delay))
            self.deliver([pdu], systemID: systemID)
        }
    }

    /// An inbound (MO) message to the receivers of `systemID` (or of any system_id when nil).
    /// A delivery receipt with `text` as its short_message (and no TLVs) to the receivers of
    /// `systemID`: for testing what a gateway does with receipts for ids it never sent, or with
    /// receipt text it cannot read.
    public func injectReceipt(text: String, systemID: String) {
        let pdu = DeliverSM(
            source: SMPPAddress(ton: .international, npi: .isdn, "447700900000"), destination: SMPPAddress(ton: .alphanumeric, npi: .unknown, "ACME"),
            esmClass: ESMClass(type: .smscDeliveryReceipt), shortMessage: ByteBuffer(string: text))
        self.deliver([pdu], systemID: systemID)
    }

    public func inject(from source: String, to destination: String, text: String, systemID: String? = nil) {
        let encoded = EncodedText(text) ?? EncodedText(text, alphabet: .ucs2)!
        let pdu = DeliverSM(
            source: SMPPAddress(ton: .international, npi: .isdn, source.hasPrefix("+") ? String(source.dropFirst()) : source),
            destination: SMPPAddress(ton: .unknown, npi: .isdn, destination.hasPrefix("+") ? String(destination.dropFirst()) : destination),
            dataCoding: encoded.alphabet.dataCoding, shortMessage: ByteBuffer(bytes: encoded.octets))
        let target = systemID ?? self.state.withLock { state in state.sessions.values.first { $0.receives }?.principal } ?? ""
        self.deliver([pdu], systemID: target)
    }

    /// Sends to a receiver of `systemID` (round robin), or keeps them until one binds.
    func deliver(_ pdus: [DeliverSM], systemID: String) {
        let receiver = self.state.withLock { state -> SMPPServerSession? in
            let receivers = state.sessions.values.filter { $0.receives && $0.principal == systemID }.sorted { $0.id < $1.id }
            guard !receivers.isEmpty else {
                var waiting = state.waiting[systemID, default: []]
                waiting.append(contentsOf: pdus)
                if waiting.count > self.configuration.maximumWaitingReceipts {
                    waiting.removeFirst(waiting.count - self.configuration.maximumWaitingReceipts)
                }
                state.waiting[systemID] = waiting
                return nil
            }
            state.nextReceiver &+= 1
            return receivers[state.nextReceiver % receivers.count]
        }
        guard let receiver else { return }
        receiver.send(pdus.map { .deliverSM($0) }) { index, result in
            switch result {
            case .success(let response) where response.status == .ok:
                self.state.withLock { $0.receiptsSent += 1 }
            default:
                // Not taken (refused, or its session went): offered again in a moment, like a
                // carrier's retry — to a receiver bound by then, or kept until one binds. Kept
                // here directly it could wait for ever: the bind that flushes `waiting` may
                // already have happened (the session that failed was closing while another bound).
                let pdu = pdus[index]
                Task {
                    try? await Task.sleep(for: .milliseconds(250))
                    self.deliver([pdu], systemID: systemID)
                }
            }
        }
    }

    func disconnectSome() {
        let victims = self.state.withLock { state in
            state.sessions.values.filter { _ in Double.random(in: 0..<1) < self.configuration.disconnectProbability }
        }
        for session in victims {
            self.logger.notice("dropping a session (random disconnect)", metadata: ["smpp.session": "\(session.id)"])
            session.close()
        }
    }
}

/// Three digits, zero-padded (a receipt's `err:`).
func threeDigits(_ value: Int) -> String {
    let digits = String(Swift.min(Swift.max(value, 0), 999))
    return String(repeating: "0", count: 3 - digits.count) + digits
}
