import Foundation
import GatewayCore
import Logging
import Metrics
import NIOCore
import SMPPClient
import SMPPCore
import SMPPSession
import ServiceLifecycle
import Synchronization

/// An upstream carrier SMSC the gateway binds to as an ESME (an `SMPPBindPool`), configured by
/// a `ConnectorConfiguration`.
///
/// - Messages are submitted in order of arrival, up to binds × window at once, at most
///   `messagesPerSecond`. A long message goes as parts the way the carrier supports (UDH, SAR,
///   or message_payload); every part's id is kept with the `sent` status.
/// - ESME_RTHROTTLED / ESME_RMSGQFUL: the pool pauses (every bind) and the submit is tried again;
///   any other error status ends the message `rejected` with that status. A submit the carrier
///   never answered (connection lost, no bind) is tried again — on the next connector of the
///   message's failover list when that one is up, else here once the binds are back.
/// - A message whose validity period runs out while it waits ends `expired`.
/// - Receipts are matched by the ids the carrier gave (hex or decimal, leading zeros, case); a
///   message sent as parts is final when every part is delivered, or when one fails. MO goes to
///   the account that owns the number (parts put back together by the client library).
/// - Its state (binding, up, throttled, down) is logged when it changes and exported as
///   `shortwave_connector_up{connector}`, `shortwave_connector_binds{connector}`, and counters of
///   submits by outcome and of receipts nobody asked for.
final class UpstreamConnector: Carrier, Service {
    enum State: String, Sendable, CaseIterable {
        case binding, up, throttled, down
    }

    /// A message the carrier took, waiting for its parts' receipts.
    struct Pending: Sendable {
        var message: Message
        var remaining: Int
        /// When the gateway stops waiting for its receipt (gateway clock, milliseconds).
        var deadline: Int64
    }

    /// How the carrier's receipts were matched (logged when the connector stops): to a message
    /// this run holds, by the reference the pool matched, through the store, or not at all.
    final class ReceiptPaths: Sendable {
        let inMemory = Atomic<Int>(0)
        let byReference = Atomic<Int>(0)
        let byStore = Atomic<Int>(0)
        let unknown = Atomic<Int>(0)
    }
    let receiptPaths = ReceiptPaths()

    let configuration: ConnectorConfiguration
    let gateway: Gateway
    let pool: SMPPBindPool
    let logger: Logger
    let queue: AsyncStream<[Message]>
    let continuation: AsyncStream<[Message]>.Continuation
    let awaiting = Mutex<[MessageID: Pending]>([:])
    /// The earliest receipt deadline among `awaiting` (or later: then a look finds nothing).
    let nextDeadline = Mutex<Int64>(.max)
    /// Parts of long messages sent before a restart, delivered since (with those the store knows).
    let restoredParts = Mutex<[MessageID: Set<String>]>([:])
    let state = Mutex<State>(.binding)
    /// Where a message goes when this connector cannot send it (set by the router).
    let router = Mutex<CarrierRouter?>(nil)
    let concatenationReference = Atomic<UInt16>(UInt16.random(in: 0...UInt16.max))
    let stopped = Atomic<Bool>(false)
    let stopSignal = AsyncStream<Void>.makeStream()
    let telemarketerIDs: [String]
    let metrics: Metrics

    struct Metrics: Sendable {
        let up: Gauge
        let binds: Gauge
        let accepted: Counter
        let refused: Counter
        let retried: Counter
        let unknownReceipts: Counter
        let malformedReceipts: Counter
        /// Messages given up at their receipt deadline.
        let givenUp: Counter

        init(_ name: String) {
            let connector = [("connector", name)]
            self.up = Gauge(label: "shortwave_connector_up", dimensions: connector)
            self.givenUp = Counter(label: "shortwave_connector_receipt_deadlines_total", dimensions: connector)
            self.binds = Gauge(label: "shortwave_connector_binds", dimensions: connector)
            self.accepted = Counter(label: "shortwave_connector_submits_total", dimensions: connector + [("outcome", "accepted")])
            self.refused = Counter(label: "shortwave_connector_submits_total", dimensions: connector + [("outcome", "refused")])
            self.retried = Counter(label: "shortwave_connector_submits_total", dimensions: connector + [("outcome", "retried")])
            self.unknownReceipts = Counter(label: "shortwave_connector_unknown_receipts_total", dimensions: connector)
            self.malformedReceipts = Counter(label: "shortwave_connector_malformed_receipts_total", dimensions: connector)
        }
    }

    var name: String { self.configuration.name }

    init(_ configuration: ConnectorConfiguration, gateway: Gateway, logger: Logger) throws {
        self.configuration = configuration
        self.gateway = gateway
        var logger = logger
        logger[metadataKey: "connector"] = "\(configuration.name)"
        self.logger = logger
        self.telemarketerIDs = configuration.telemarketerIDs
        self.metrics = Metrics(configuration.name)
        var tls = SMPPConnection.TLS.disabled
        if configuration.tls {
            tls = configuration.tlsCAFile.map { SMPPConnection.TLS.trusting(pemFile: $0) } ?? .verified
            tls.serverName = configuration.tlsServerName
        }
        let transmitter = configuration.bindType == "transmitter"
        var connection = SMPPConnection.Configuration(
            host: configuration.host, port: configuration.port, systemID: configuration.systemID, password: configuration.password,
            systemType: configuration.systemType, bindType: transmitter ? .transmitter : .transceiver, tls: tls,
            session: SessionConfiguration(
                role: .esme, windowSize: configuration.window, responseTimeout: .seconds(configuration.responseTimeoutSeconds),
                bindTimeout: .seconds(10), enquireLinkInterval: configuration.enquireLinkSeconds > 0 ? .seconds(configuration.enquireLinkSeconds) : nil),
            connectTimeout: .seconds(10))
        // A receipt not matched to a submit of this run (one sent before a restart) is held only
        // briefly: the store knows the carrier's ids too. A submit waits at most a second for a
        // bind, then the message may fail over.
        self.pool = SMPPBindPool(
            .init(
                connection: connection, binds: configuration.binds, messagesPerSecond: configuration.messagesPerSecond,
                backoff: Backoff(
                    initial: .milliseconds(configuration.reconnectInitialMilliseconds),
                    maximum: .milliseconds(configuration.reconnectMaximumMilliseconds)),
                throttlePause: .milliseconds(200), throttleRetries: 50, bindWait: .seconds(1), receiptHold: .seconds(2),
                idForm: try configuration.messageIDForm()),
            logger: logger)
        (self.queue, self.continuation) = AsyncStream.makeStream(of: [Message].self)
        if transmitter {
            // Receivers for the receipts and MO: what they read is matched by the transmitters' pool.
            let pool = self.pool
            connection.bindType = .receiver
            connection.inboundHandler = { batch in pool.receive(batch) }
            var receiverLogger = logger
            receiverLogger[metadataKey: "smpp.role"] = "receiver"
            self.receivers = SMPPBindPool(.init(connection: connection, binds: configuration.receiverBinds), logger: receiverLogger)
        } else {
            self.receivers = nil
        }
    }

    /// With `bindType` transmitter: the receiver binds.
    let receivers: SMPPBindPool?

    var isUp: Bool { self.pool.boundCount > 0 }

    /// Messages the carrier took over this run.
    let acceptedCount = Atomic<Int>(0)

    var info: ConnectorInfo {
        let configuration = self.configuration
        return ConnectorInfo(
            name: configuration.name, kind: configuration.kind, address: "\(configuration.host):\(configuration.port)", tls: configuration.tls,
            state: self.state.withLock { $0 }.rawValue, bindsUp: self.pool.boundCount, binds: configuration.binds,
            accepted: self.acceptedCount.load(ordering: .relaxed), awaitingReceipts: self.awaiting.withLock { $0.count })
    }

    func send(_ messages: [Message]) {
        self.continuation.yield(messages)
    }

    func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await self.pool.run() }
            if let receivers = self.receivers { group.addTask { try await receivers.run() } }
            group.addTask { await self.receive() }
            group.addTask { await self.submitAll() }
            group.addTask { await self.watch() }
            // Until graceful shutdown, or `stop()` (the connector removed at run time).
            await withTaskGroup(of: Void.self) { waiter in
                waiter.addTask { try? await gracefulShutdown() }
                waiter.addTask { for await _ in self.stopSignal.stream {} }
                await waiter.next()
                waiter.cancelAll()
            }
            self.continuation.finish()
            self.pool.shutdown()
            self.receivers?.shutdown()
        }
        let early = self.pool.earlyReceipts
        self.logger.notice(
            "connector stopped",
            metadata: [
                "receipts.in_memory": "\(self.receiptPaths.inMemory.load(ordering: .relaxed))",
                "receipts.by_reference": "\(self.receiptPaths.byReference.load(ordering: .relaxed))",
                "receipts.by_store": "\(self.receiptPaths.byStore.load(ordering: .relaxed))",
                "receipts.unknown": "\(self.receiptPaths.unknown.load(ordering: .relaxed))",
                "receipts.early_evicted": "\(early.evicted)", "receipts.early_released": "\(early.releasedUnmatched)",
                "awaiting_receipts": "\(self.awaiting.withLock { $0.count })",
            ])
    }

    /// Stops this connector alone: binds unbind; messages it has not submitted go back to the
    /// router (to the other connectors of their routes). Receipts still owed for messages it
    /// sent will not come.
    func stop() {
        self.stopped.store(true, ordering: .relaxed)
        self.stopSignal.continuation.finish()
    }

    var isStopped: Bool { self.stopped.load(ordering: .relaxed) }

    /// Follows the pool's health: logs each change of state, keeps the gauges current.
    func watch() async {
        var last: State? = nil
        var evicted = 0
        while !Task.isShuttingDownGracefully, !Task.isCancelled, !self.isStopped {
            self.giveUpOverdue()
            let early = self.pool.earlyReceipts
            if early.evicted > evicted {
                // Never silent: a receipt dropped here leaves its message `sent`.
                self.logger.error(
                    "receipts dropped: too many held before their submissions were recorded",
                    metadata: ["dropped": "\(early.evicted - evicted)", "held": "\(early.held)"])
                evicted = early.evicted
            }
            let health = self.pool.health
            let state: State =
                health.bound == 0 ? (health.failedBinds > 0 ? .down : .binding) : (health.throttled ? .throttled : .up)
            self.state.withLock { $0 = state }
            self.metrics.binds.record(health.bound)
            self.metrics.up.record(health.bound > 0 ? 1 : 0)
            if state != last {
                var metadata: Logger.Metadata = ["state": "\(state.rawValue)", "binds": "\(health.bound)/\(self.configuration.binds)"]
                if let receivers = self.receivers { metadata["receivers"] = "\(receivers.boundCount)/\(self.configuration.receiverBinds)" }
                if state == .down, let error = health.lastBindError { metadata["error"] = "\(error)" }
                self.logger.log(level: state == .down ? .warning : .info, "connector state", metadata: metadata)
                last = state
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Submits in order of arrival, up to binds × window messages at once, in chunks of up to
    /// 64 (one flush and one wait each; no more than a second's worth under a rate limit).
    func submitAll() async {
        let limit = self.configuration.binds * self.configuration.window
        let chunkSize = min(64, limit, self.configuration.messagesPerSecond.map { max(1, Int(min($0, 64))) } ?? 64)
        await withDiscardingTaskGroup { group in
            var inFlight = 0
            let done = AsyncStream<Int>.makeStream()
            var finished = done.stream.makeAsyncIterator()
            for await batch in self.queue {
                var start = batch.startIndex
                while start < batch.endIndex {
                    let chunk = batch[start..<min(start + chunkSize, batch.endIndex)]
                    start = chunk.endIndex
                    while inFlight > 0, inFlight + chunk.count > limit {
                        inFlight -= await finished.next() ?? inFlight
                    }
                    inFlight += chunk.count
                    group.addTask {
                        await self.submit(chunk)
                        done.continuation.yield(chunk.count)
                    }
                }
            }
        }
    }

    /// The fast path: single-part messages of a chunk go in one `submit(contentsOf:)`; those it
    /// does not settle (throttled, not answered, nothing bound) and long messages take the
    /// one-by-one path with its retries and failover, in order.
    func submit(_ chunk: ArraySlice<Message>) async {
        if self.isStopped, let router = self.router.withLock({ $0 }) { return router.send(Array(chunk)) }
        /// Messages left for the one-by-one path, with their PDUs when already made.
        var rest: [(Message, Result<[SubmitSM], CarrierError>?)] = []
        if chunk.count > 1, self.isUp {
            var simple: [Message] = []
            var pdus: [SubmitSM] = []
            simple.reserveCapacity(chunk.count)
            pdus.reserveCapacity(chunk.count)
            let now = wallClockMilliseconds()
            for message in chunk {
                guard message.expiresAt.map({ $0 > now }) ?? true else {
                    rest.append((message, nil))
                    continue
                }
                let made = self.submits(for: message)
                if case .success(let submits) = made, submits.count == 1 {
                    simple.append(message)
                    pdus.append(submits[0])
                } else {
                    rest.append((message, made))
                }
            }
            if let results = try? await self.pool.submit(contentsOf: pdus) {
                var accepted: [(Message, String)] = []
                accepted.reserveCapacity(results.count)
                for ((message, result), pdu) in zip(zip(simple, results), pdus) {
                    switch result {
                    case .success(let reply) where reply.isOK: accepted.append((message, reply.messageID))
                    case .success(let reply) where reply.status != .throttled && reply.status != .messageQueueFull:
                        self.refused(message, status: reply.status)
                    default: rest.append((message, .success([pdu])))
                    }
                }
                self.accepted(accepted)
            } else {
                rest.append(contentsOf: zip(simple, pdus).map { ($0, .success([$1])) })
            }
        } else {
            rest.append(contentsOf: chunk.map { ($0, nil) })
        }
        for (message, made) in rest { await self.submit(message, made: made) }
    }

    /// Messages the carrier took, each as one submit_sm with this id.
    func accepted(_ messages: [(Message, String)]) {
        guard !messages.isEmpty else { return }
        self.metrics.accepted.increment(by: Int64(messages.count))
        self.acceptedCount.add(messages.count, ordering: .relaxed)
        self.startAwaiting(messages.lazy.map(\.0), parts: 1)
        let ids = messages.map { self.configuration.receiptSpelling(of: $0.1) }
        self.pool.recordSubmissions(zip(messages, ids).map { .init(reference: $0.0.id.description, messageID: $1, part: 1, parts: 1) })
        self.gateway.carriers.accepted(zip(messages, ids).map { ($0.0, [UpstreamID(connector: self.name, id: $1)]) })
    }

    func refused(_ message: Message, status: CommandStatus) {
        self.metrics.refused.increment()
        self.logger.notice("carrier refused a message", metadata: ["message": "\(message.id)", "smpp.status": "\(status)"])
        self.gateway.carriers.refused(message, status: status)
    }

    /// The submit_sm PDUs for `message` as this carrier takes it, or the error code it fails with.
    func submits(for message: Message) -> Result<[SubmitSM], CarrierError> {
        var source = message.source
        var destination = message.destination
        let rewrite = self.configuration.rewrite
        if !rewrite.isEmpty {
            if let ton = rewrite.sourceTON { source.ton = TypeOfNumber(rawValue: UInt8(ton)) }
            if let npi = rewrite.sourceNPI { source.npi = NumberingPlan(rawValue: UInt8(npi)) }
            if let ton = rewrite.destinationTON { destination.ton = TypeOfNumber(rawValue: UInt8(ton)) }
            if let npi = rewrite.destinationNPI { destination.npi = NumberingPlan(rawValue: UInt8(npi)) }
            if let strip = rewrite.destinationStripPrefix, !strip.isEmpty, destination.address.hasPrefix(strip) {
                destination.address.removeFirst(strip.count)
            }
            if let add = rewrite.destinationAddPrefix { destination.address = add + destination.address }
        }
        let tlvs = DLTRules.carrierTLVs(message.tlvs, telemarketerIDs: self.telemarketerIDs)
        func submit(_ esmClass: ESMClass, _ shortMessage: ByteBuffer, _ extra: TLVList) -> SubmitSM {
            var all = tlvs
            for tlv in extra { all.append(tlv) }
            return SubmitSM(
                serviceType: message.serviceType, source: source, destination: destination, esmClass: esmClass,
                protocolID: message.protocolID, priorityFlag: Priority(rawValue: message.priority),
                validityPeriod: message.expiresAt.map { .absolute(SMPPTime.AbsoluteTime(secondsSince1970: $0 / 1000)) },
                registeredDelivery: .receipt, dataCoding: message.dataCoding, shortMessage: shortMessage, tlvs: all)
        }
        // One SMS, or a part the customer made (its own UDH): as it is.
        if message.payload.count <= 140 || message.esmClass.udhi {
            guard message.payload.count <= SubmitSM.maxShortMessageLength else {
                return .failure(.tooLong)
            }
            return .success([submit(message.esmClass, ByteBuffer(bytes: message.payload), [])])
        }
        let supports = self.configuration.supports
        let text: EncodedText
        if let decoded = SMSText.decode(ByteBuffer(bytes: message.payload), dataCoding: message.dataCoding),
            let alphabet = message.dataCoding.alphabet, let encoded = EncodedText(decoded, alphabet: alphabet), encoded.octets == message.payload
        {
            text = encoded
        } else {
            text = EncodedText(binary: message.payload)
        }
        let reference = self.concatenationReference.wrappingAdd(1, ordering: .relaxed).newValue
        let concatenation: Concatenation
        if supports.udh {
            concatenation = .udh8(reference: UInt8(truncatingIfNeeded: reference))
        } else if supports.sar {
            concatenation = .sar(reference: reference)
        } else if supports.messagePayload {
            concatenation = .messagePayload
        } else {
            return .failure(.tooLong)
        }
        guard let segmented = try? text.split(concatenation), segmented.parts.count <= supports.maximumParts else {
            return .failure(.tooManyParts)
        }
        return .success(segmented.parts.map { part in
            var esmClass = message.esmClass
            esmClass.udhi = part.udhi
            return submit(esmClass, part.shortMessage, part.tlvs)
        })
    }

    enum CarrierError: Int, Error {
        /// More parts than the connector's `supports.maximumParts`, or longer than 255 parts.
        case tooManyParts = 901
        /// Longer than one SMS and the carrier takes no concatenation at all.
        case tooLong = 903
    }

    /// One message, its parts in order, until the carrier answers each (`made`: its PDUs, when
    /// the chunk path already made them).
    func submit(_ message: Message, made: Result<[SubmitSM], CarrierError>? = nil) async {
        let submits: [SubmitSM]
        switch made ?? self.submits(for: message) {
        case .success(let made): submits = made
        case .failure(let error):
            self.logger.notice("message cannot be sent to this carrier", metadata: ["message": "\(message.id)", "error": "\(error)"])
            self.gateway.carriers.failed(message, error: error.rawValue)
            return
        }
        var ids: [String] = []
        ids.reserveCapacity(submits.count)
        var attempt = 0
        // Awaited from the first part on, and each part's submission recorded as soon as the
        // carrier answers it: a part's receipt may come before the last part is even sent (a
        // receipt held for a submission recorded only at the end could be given up and lost).
        self.startAwaiting([message], parts: submits.count)
        func abandon() { self.awaiting.withLock { _ = $0.removeValue(forKey: message.id) } }
        while ids.count < submits.count {
            if Task.isShuttingDownGracefully { return abandon() }  // still queued in the store: sent after the restart
            if self.isStopped, let router = self.router.withLock({ $0 }) {  // parts already sent go again
                abandon()
                return router.send([message])
            }
            if let expires = message.expiresAt, expires <= wallClockMilliseconds() {
                abandon()
                self.gateway.carriers.expired(message)
                return
            }
            // Nothing bound: the next connector of the message's failover list, if one is up.
            if ids.isEmpty, attempt > 0 || !self.isUp, self.router.withLock({ $0 })?.reroute(message, from: self) == true { return abandon() }
            do {
                let reply = try await self.pool.submit(submits[ids.count])
                if reply.isOK {
                    ids.append(reply.messageID)
                    attempt = 0
                    self.pool.recordSubmissions([
                        .init(
                            reference: message.id.description, messageID: self.configuration.receiptSpelling(of: reply.messageID), part: ids.count,
                            parts: submits.count)
                    ])
                } else if reply.status == .throttled || reply.status == .messageQueueFull {
                    // Still throttled after the pool's own pauses: wait longer and try again.
                    self.metrics.retried.increment()
                    attempt += 1
                    try? await Task.sleep(for: .milliseconds(min(5_000, 200 * attempt)))
                } else {
                    abandon()
                    self.refused(message, status: reply.status)
                    return
                }
            } catch {
                // Not answered (no bind, the connection went): tried again; nothing is dropped.
                self.metrics.retried.increment()
                attempt += 1
                if attempt == 1 || attempt % 50 == 0 {
                    self.logger.warning("submit to the carrier failed; retrying", metadata: ["message": "\(message.id)", "error": "\(error)"])
                }
                try? await Task.sleep(for: .milliseconds(min(5_000, 100 * attempt)))
            }
        }
        self.metrics.accepted.increment()
        self.acceptedCount.add(1, ordering: .relaxed)
        let spelled = ids.map { self.configuration.receiptSpelling(of: $0) }
        self.gateway.carriers.accepted([(message, spelled.map { UpstreamID(connector: self.name, id: $0) })])
    }
}
