public import Logging
public import NIOCore
public import NIOPosix
public import SMPPCore
public import ServiceLifecycle
import Synchronization

/// Keeps N binds to one SMSC up and spreads messages over them: the ESME as a long-running
/// `Service`.
///
/// - Each bind slot connects, binds, and when the session is lost (reset, unbind, keep-alive
///   failure) waits for the old socket to close, then reconnects after a jittered exponential
///   backoff (1 s × 1.6, ±20 %, capped at 60 s; reset after a successful bind).
/// - `submit`/`send` wait (up to `bindWait`) for a bound session, take them in turn, and respect
///   `messagesPerSecond` across all binds (one token per PDU, so a 3-part message takes 3).
/// - ESME_RTHROTTLED and ESME_RMSGQFUL pause every sender for `throttlePause` — twice as long
///   each time the SMSC throttles again right after a pause, up to 32 ×, back to the start after
///   an accepted submit — then the same PDU is sent again — up to `throttleRetries` times — so
///   nothing is lost and order is kept as far as the window allows.
/// - `inbound` merges every bind's receipts and MO. Receipts for messages sent with `send` carry
///   their `submission`, matched by message id (hex/decimal/zeros/case tolerant), even when a
///   receipt overtakes its own submit_sm_resp (it is held up to `receiptHold` for it).
/// - Graceful shutdown (ServiceGroup, or `shutdown()`): stop taking messages, drain each window,
///   unbind, close.
public final class SMPPBindPool: Service, Sendable {
    public struct Configuration: Sendable {
        public var connection: SMPPConnection.Configuration
        public var binds: Int
        /// Messages (PDUs) per second across all binds; `nil` for no limit.
        public var messagesPerSecond: Double?
        public var backoff: Backoff
        public var throttlePause: Duration
        public var throttleRetries: Int
        /// How long a submit waits for a bound session before failing with `.notBound`.
        public var bindWait: Duration
        /// How long a receipt that came before its submit_sm_resp waits to be matched.
        public var receiptHold: Duration
        public var idForm: MessageIDForm

        public init(
            connection: SMPPConnection.Configuration, binds: Int = 1, messagesPerSecond: Double? = nil,
            backoff: Backoff = Backoff(), throttlePause: Duration = .seconds(1), throttleRetries: Int = 10,
            bindWait: Duration = .seconds(30), receiptHold: Duration = .seconds(30), idForm: MessageIDForm = .automatic
        ) {
            precondition(binds >= 1, "a pool holds at least one bind")
            self.connection = connection
            self.binds = binds
            self.messagesPerSecond = messagesPerSecond
            self.backoff = backoff
            self.throttlePause = throttlePause
            self.throttleRetries = throttleRetries
            self.bindWait = bindWait
            self.receiptHold = receiptHold
            self.idForm = idForm
        }
    }

    struct State: Sendable {
        var sessions: [Int: SMPPConnection] = [:] {
            didSet { self.slots = self.sessions.keys.sorted() }
        }
        /// The bound slots in order (kept with `sessions`: no sort per submit).
        var slots: [Int] = []
        var next = 0
        var waiters: [Int: CheckedContinuation<SMPPConnection?, Never>] = [:]
        var nextWaiter = 0
        var pausedUntil: ContinuousClock.Instant?
        var limiter: ThroughputLimiter<ContinuousClock.Instant>?
        var shuttingDown = false
        var matcher: ReceiptMatcher<SMPPReceipt.Submission, SMPPReceipt>
        /// Binds made over the pool's life (reconnects included), for tests and metrics.
        var bindsMade = 0
        /// Bind attempts that failed since the last one that succeeded.
        var failedBinds = 0
        var lastBindError: String?
    }

    public let configuration: Configuration
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger
    let state: Mutex<State>
    /// Receipts and MO from every bind, acknowledged; finishes when the pool stops.
    public let inbound: InboundMessages
    /// Pauses in a row without an accepted submit between them (the backoff's exponent); read on
    /// every accepted submit, so it is an atomic rather than under the state lock.
    let throttleStreak = Atomic<Int>(0)
    let inboundContinuation: AsyncStream<[InboundMessage]>.Continuation
    /// Receipts given up on after `receiptHold` (see `earlyReceipts`).
    let releasedUnmatched = Atomic<Int>(0)

    public init(
        _ configuration: Configuration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "smpp.pool")
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        var state = State(matcher: ReceiptMatcher(form: configuration.idForm))
        if let rate = configuration.messagesPerSecond { state.limiter = ThroughputLimiter(perSecond: rate, now: .now) }
        self.state = Mutex(state)
        let (stream, continuation) = AsyncStream<[InboundMessage]>.makeStream()
        self.inbound = InboundMessages(batches: stream)
        self.inboundContinuation = continuation
    }

    /// Sessions bound right now.
    public var boundCount: Int { self.state.withLock { $0.sessions.count } }

    /// Successful binds so far, reconnects included.
    public var bindsMade: Int { self.state.withLock { $0.bindsMade } }

    /// How the pool is doing, for a connector's state in logs and metrics.
    public struct Health: Sendable, Equatable {
        public var bound: Int
        /// Bind attempts that failed since one last succeeded, and the last one's error.
        public var failedBinds: Int
        public var lastBindError: String?
        /// Paused after ESME_RTHROTTLED / ESME_RMSGQFUL.
        public var throttled: Bool
    }

    public var health: Health {
        let now = ContinuousClock.now
        return self.state.withLock { state in
            Health(
                bound: state.sessions.count, failedBinds: state.failedBinds, lastBindError: state.lastBindError,
                throttled: state.pausedUntil.map { $0 > now } ?? false)
        }
    }

    /// What became of receipts that came before their submission was recorded: held now,
    /// dropped because too many were held (`earlyCapacity`), and given up after `receiptHold`
    /// (delivered on `inbound` without a submission).
    public struct EarlyReceipts: Sendable, Equatable {
        public var held: Int
        public var evicted: Int
        public var releasedUnmatched: Int
    }

    public var earlyReceipts: EarlyReceipts {
        self.state.withLock { state in
            EarlyReceipts(
                held: state.matcher.earlyCount, evicted: state.matcher.earlyEvicted,
                releasedUnmatched: self.releasedUnmatched.load(ordering: .relaxed))
        }
    }

    // MARK: running

    /// Keeps the binds up until graceful shutdown or cancellation; then unbinds them.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for slot in 0..<self.configuration.binds {
                    group.addTask { await self.keepBound(slot: slot) }
                }
                group.addTask { await self.releaseStaleReceipts() }
                await group.waitForAll()
            }
        } onGracefulShutdown: {
            self.shutdown()
        }
        self.inboundContinuation.finish()
    }

    /// Stops the pool: no new messages; each bind drains its window, unbinds and closes.
    public func shutdown() {
        let (sessions, waiters) = self.state.withLock { state in
            state.shuttingDown = true
            let waiters = state.waiters
            state.waiters.removeAll()
            return (Array(state.sessions.values), waiters)
        }
        for waiter in waiters.values { waiter.resume(returning: nil) }
        for session in sessions { Task { await session.close() } }
    }

    var isShuttingDown: Bool { self.state.withLock { $0.shuttingDown } }

    func keepBound(slot: Int) async {
        var delays = self.configuration.backoff.delays()
        var logger = self.logger
        logger[metadataKey: "smpp.bind"] = "\(slot)"
        while !self.isShuttingDown, !Task.isCancelled {
            do {
                let connection = try await SMPPConnection.connect(
                    self.configuration.connection, eventLoopGroup: self.eventLoopGroup, logger: logger)
                delays = self.configuration.backoff.delays()
                self.register(connection, slot: slot)
                logger.info("bound", metadata: ["smpp.smsc": "\(connection.smscSystemID)"])
                for await batch in connection.inbound.batches { self.deliver(batch) }
                self.unregister(slot: slot)
                // The stream also ends when the task is cancelled: then unbind and close here.
                if Task.isCancelled { await connection.close() }
                // The stream ends when the channel goes inactive; wait for the socket to be closed.
                try? await connection.closeFuture.get()
                if !self.isShuttingDown { logger.warning("session lost; reconnecting") }
            } catch {
                self.state.withLock { state in
                    state.failedBinds += 1
                    state.lastBindError = "\(error)"
                }
                logger.warning("bind failed", metadata: ["error": "\(error)"])
            }
            guard !self.isShuttingDown, let delay = delays.next() else { break }
            await self.sleep(delay)
        }
    }

    /// Sleeps, waking early on shutdown.
    func sleep(_ delay: Duration) async {
        let end = ContinuousClock.now + delay
        while !self.isShuttingDown, !Task.isCancelled, ContinuousClock.now < end {
            try? await Task.sleep(for: min(.milliseconds(100), end - .now))
        }
    }

    func register(_ connection: SMPPConnection, slot: Int) {
        let resumed: [CheckedContinuation<SMPPConnection?, Never>] = self.state.withLock { state in
            state.sessions[slot] = connection
            state.bindsMade += 1
            state.failedBinds = 0
            state.lastBindError = nil
            let waiters = Array(state.waiters.values)
            state.waiters.removeAll()
            return waiters
        }
        for waiter in resumed { waiter.resume(returning: connection) }
    }

    func unregister(slot: Int) {
        _ = self.state.withLock { $0.sessions.removeValue(forKey: slot) }
    }

    // MARK: inbound

    static func epoch() -> UInt64 {
        // Milliseconds of the continuous clock since the pool's process started: a monotonic tick.
        let elapsed = ContinuousClock.now - processStart
        return UInt64(elapsed.components.seconds) * 1000 + UInt64(elapsed.components.attoseconds / 1_000_000_000_000_000)
    }

    /// Inbound messages from elsewhere — a separate receiver bind to the same SMSC — matched to
    /// this pool's submits and delivered on `inbound` like its own.
    public func receive(_ batch: [InboundMessage]) { self.deliver(batch) }

    func deliver(_ batch: [InboundMessage]) {
        let now = Self.epoch()
        let ready: [InboundMessage] = self.state.withLock { state in
            var ready: [InboundMessage] = []
            ready.reserveCapacity(batch.count)
            for message in batch {
                guard case .receipt(var receipt) = message else {
                    ready.append(message)
                    continue
                }
                guard let submission = state.matcher.received(receipt.messageID, receipt, tick: now) else { continue }  // held
                receipt.submission = submission
                ready.append(.receipt(receipt))
            }
            return ready
        }
        if !ready.isEmpty { self.inboundContinuation.yield(ready) }
    }

    /// Records a message submitted with `submit(_:)`, so that its receipt comes on `inbound`
    /// with `submission` set (at once, even if it arrived before the submit_sm_resp).
    /// `send(_:)` records its parts itself.
    public func recordSubmission(_ submission: SMPPReceipt.Submission) {
        self.recordSubmissions([submission])
    }

    /// The spellings a receipt's id may have among this pool's submits (see
    /// `MessageIDCorrelator.spellings`): for looking up ids stored before a restart.
    public func receiptSpellings(_ id: String) -> [String] {
        self.state.withLock { $0.matcher.correlator.spellings(id) }
    }

    /// Receipts held for a submit that never showed up are delivered without a submission.
    func releaseStaleReceipts() async {
        let hold = UInt64(self.configuration.receiptHold.components.seconds * 1000)
        while !self.isShuttingDown, !Task.isCancelled {
            await self.sleep(.milliseconds(500))
            let now = Self.epoch()
            let stale = self.state.withLock { $0.matcher.releaseHeld(before: now > hold ? now - hold : 0) }
            if !stale.isEmpty {
                self.releasedUnmatched.add(stale.count, ordering: .relaxed)
                self.inboundContinuation.yield(stale.map { .receipt($0) })
            }
        }
        // Shutting down: whatever is still held goes out as it is.
        let rest = self.state.withLock { $0.matcher.releaseHeld(before: .max) }
        if !rest.isEmpty { self.inboundContinuation.yield(rest.map { .receipt($0) }) }
    }

    // MARK: sending

    /// Submits one PDU on the next bound session, retrying ESME_RTHROTTLED / ESME_RMSGQFUL after a
    /// pause; returns the final reply (an error status is a reply, not a throw).
    public func submit(_ message: SubmitSM) async throws(SMPPClientError) -> SMPPReply<MessageIDResponse> {
        var attempts = 0
        while true {
            try await self.admit()
            let connection = try await self.nextSession()
            let reply = try await connection.submit(message)
            if reply.status == .throttled || reply.status == .messageQueueFull, attempts < self.configuration.throttleRetries {
                attempts += 1
                self.pause()
                continue
            }
            if reply.isOK { self.accepted() }
            return reply
        }
    }

    /// Submits several PDUs on one bound session in one go (one hop to the event loop, one
    /// flush, one wait), after the rate limit and any throttling pause; the outcomes come back in
    /// order. ESME_RTHROTTLED / ESME_RMSGQFUL answers pause the pool and are returned as they
    /// are: the caller tries those again (`submit(_:)` does, one by one).
    public func submit(contentsOf messages: [SubmitSM]) async throws(SMPPClientError) -> [Result<SMPPReply<MessageIDResponse>, SMPPClientError>] {
        try await self.admit(messages.count)
        let connection = try await self.nextSession()
        let results = try await connection.submit(contentsOf: messages)
        let throttled = results.contains { result in
            guard case .success(let reply) = result else { return false }
            return reply.status == .throttled || reply.status == .messageQueueFull
        }
        if throttled {
            self.pause()
        } else if results.contains(where: { (try? $0.get())?.isOK == true }) {
            self.accepted()
        }
        return results
    }

    /// `recordSubmission` for several messages under one lock.
    public func recordSubmissions(_ submissions: [SMPPReceipt.Submission]) {
        var early: [InboundMessage] = []
        self.state.withLock { state in
            for submission in submissions {
                if var receipt = state.matcher.submitted(submission.messageID, submission) {
                    receipt.submission = submission
                    early.append(.receipt(receipt))
                }
            }
        }
        if !early.isEmpty { self.inboundContinuation.yield(early) }
    }

    /// Encodes, splits and submits a text; returns every part's id. Receipts for it come on
    /// `inbound` with `submission` set (reference = `message.reference`).
    public func send(_ message: TextMessage) async throws(SMPPClientError) -> SentMessage {
        let submits = try message.submits()
        var ids: [String] = []
        for (index, submit) in submits.enumerated() {
            let reply = try await self.submit(submit)
            guard reply.isOK else { throw SMPPClientError(.rejected(reply.status)) }
            ids.append(reply.messageID)
            if message.registeredDelivery.receipt != .none {
                self.recordSubmission(SMPPReceipt.Submission(
                    reference: message.reference, messageID: reply.messageID, part: index + 1, parts: submits.count))
            }
        }
        return SentMessage(messageIDs: ids)
    }

    public func send(text: String, from: String, to: String, reference: String? = nil) async throws(SMPPClientError) -> SentMessage {
        try await self.send(TextMessage(text, from: .sender(from), to: .recipient(to), reference: reference))
    }

    /// Waits out a throttling pause and the rate limit.
    func admit(_ count: Int = 1) async throws(SMPPClientError) {
        while true {
            let now = ContinuousClock.now
            let wait: ContinuousClock.Instant? = try self.state.withLock { state throws(SMPPClientError) in
                guard !state.shuttingDown else { throw SMPPClientError(.shutDown) }
                if let until = state.pausedUntil, until > now { return until }
                state.pausedUntil = nil
                guard state.limiter != nil else { return nil }
                switch state.limiter!.acquire(min(count, Int(state.limiter!.burst)), now: now) {
                case .granted: return nil
                case .retry(let at): return at
                }
            }
            guard let wait else { return }
            try? await Task.sleep(until: wait, clock: .continuous)
        }
    }

    /// Pauses every sender. Throttles answered while a pause is on (the rest of the window) do
    /// not lengthen it; one that comes after it doubles the next pause.
    func pause() {
        let now = ContinuousClock.now
        let pause: Duration? = self.state.withLock { state in
            if let until = state.pausedUntil, until > now { return nil }
            let streak = min(self.throttleStreak.load(ordering: .relaxed) + 1, 6)
            self.throttleStreak.store(streak, ordering: .relaxed)
            let pause = self.configuration.throttlePause * (1 << (streak - 1))
            state.pausedUntil = now + pause
            return pause
        }
        if let pause { self.logger.notice("SMSC throttled; pausing", metadata: ["smpp.pause": "\(pause)"]) }
    }

    /// The SMSC took a submit: the next throttling pause starts short again (no lock taken).
    func accepted() {
        if self.throttleStreak.load(ordering: .relaxed) != 0 { self.throttleStreak.store(0, ordering: .relaxed) }
    }

    /// The pause the next throttle would bring (for tests and metrics).
    public var nextThrottlePause: Duration {
        self.configuration.throttlePause * (1 << min(self.throttleStreak.load(ordering: .relaxed), 5))
    }

    /// The next bound session in turn, waiting up to `bindWait` for one.
    func nextSession() async throws(SMPPClientError) -> SMPPConnection {
        enum Pick { case session(SMPPConnection), wait(Int), shutDown }
        let pick: Pick = self.state.withLock { state in
            guard !state.shuttingDown else { return .shutDown }
            let slots = state.slots
            if !slots.isEmpty {
                state.next &+= 1
                for offset in 0..<slots.count {
                    let session = state.sessions[slots[(state.next + offset) % slots.count]]!
                    if session.isActive { return .session(session) }
                }
            }
            state.nextWaiter += 1
            return .wait(state.nextWaiter)
        }
        switch pick {
        case .session(let session): return session
        case .shutDown: throw SMPPClientError(.shutDown)
        case .wait(let id):
            let timeout = Task {
                try await Task.sleep(for: self.configuration.bindWait)
                let waiter = self.state.withLock { $0.waiters.removeValue(forKey: id) }
                waiter?.resume(returning: nil)
            }
            defer { timeout.cancel() }
            let session = await withCheckedContinuation { (continuation: CheckedContinuation<SMPPConnection?, Never>) in
                let immediate: SMPPConnection?? = self.state.withLock { state in
                    if state.shuttingDown { return .some(nil) }
                    if let bound = state.sessions.values.first(where: \.isActive) { return .some(bound) }
                    state.waiters[id] = continuation
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
            guard let session else { throw SMPPClientError(self.isShuttingDown ? .shutDown : .notBound) }
            return session
        }
    }
}

private let processStart = ContinuousClock.now
