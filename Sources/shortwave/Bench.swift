import ArgumentParser
import GatewayApp
import Histogram
import NIOCore
import SMPPClient
import SMPPCore
import SMPPSession
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `shortwave bench`: a load generator on the SMPPClient library.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load an SMSC with submit_sm through the Shortwave client; print throughput and latency.",
        discussion: """
            Binds --binds sessions, keeps up to --window submit_sm outstanding on each, and sends until --count \
            messages or --duration seconds (default: --count 10000). With --dlr it asks for receipts and matches \
            every one to its submit.

            Example: shortwave bench --port 2775 --system-id bench --password secret --binds 4 --window 100 --duration 5 --dlr
            """)

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Sessions to bind.") var binds = 1
    @Option(help: "Outstanding submit_sm per session.") var window = 100
    @Option(help: "Messages per second across all sessions (0 = as fast as possible).") var rate = 0.0
    @Option(help: "Messages to send.") var count: Int?
    @Option(help: "Seconds to send for.") var duration: Double?
    @Flag(help: "Ask for delivery receipts and match them.") var dlr = false
    @Option(name: .customLong("dlr-wait"), help: "Seconds to wait for outstanding receipts at the end.") var dlrWait = 10.0
    @Option(name: .customLong("dlr-ids"), help: """
        How receipt ids are compared with submit_sm_resp ids: exact, normalized (case, leading zeros) or \
        automatic (also hex against decimal; learns the SMSC's spelling).
        """) var dlrIDs = "normalized"
    @Option(help: "source_addr.") var from = "12345"
    @Option(name: .customLong("to-prefix"), help: "destination_addr prefix; a counter completes it.") var toPrefix = "1555"
    @Option(help: "Message text (GSM 03.38).") var text = "Hello from shortwave bench"
    @Option(help: "submit_sm per write (default: half the window).") var batch: Int?
    @Flag(help: "Print one JSON line instead of the text summary.") var json = false

    func validate() throws {
        guard (1...16).contains(self.binds) else { throw ValidationError("--binds must be 1…16") }
        guard (1...10_000).contains(self.window) else { throw ValidationError("--window must be 1…10000") }
        guard self.rate >= 0 else { throw ValidationError("--rate must be 0 (unlimited) or more") }
        if let count = self.count, count < 1 { throw ValidationError("--count must be at least 1") }
        if let duration = self.duration, duration <= 0 { throw ValidationError("--duration must be above 0") }
        if let batch = self.batch, !(1...self.window).contains(batch) { throw ValidationError("--batch must be 1…--window") }
        guard self.connection.parsedBindType != .receiver else { throw ValidationError("bench submits: use --bind-type trx or tx") }
        guard self.idForm != nil else { throw ValidationError("--dlr-ids must be exact, normalized or automatic") }
        guard EncodedText(self.text, alphabet: .gsm7) != nil else { throw ValidationError("--text must be GSM 03.38 text") }
    }

    var idForm: MessageIDForm? {
        switch self.dlrIDs {
        case "exact": .exact
        case "normalized": .normalized
        case "automatic": .automatic
        default: nil
        }
    }

    func run() async throws {
        CPUBudget.apply(threads: nil)  // event loops for the CPUs this process may use
        var configuration = self.connection.configuration(windowSize: self.window)
        let limit = self.count ?? (self.duration == nil ? 10_000 : Int.max)
        let plan = BenchPlan(
            limit: limit, end: self.duration.map { ContinuousClock.now + .milliseconds(Int64($0 * 1000)) },
            batch: self.batch ?? max(1, self.window / 2), dlr: self.dlr, rate: self.rate, idForm: self.idForm ?? .normalized)
        let state = BenchState(plan: plan)
        // Receipts are matched on the event loop as each read brings them (no task switch per read).
        configuration.inboundHandler = { batch in state.received(batch) }
        let connectionConfiguration = configuration
        let connections: [SMPPConnection]
        do {
            connections = try await withThrowingTaskGroup(of: SMPPConnection.self) { group in
                for _ in 0..<self.binds { group.addTask { try await SMPPConnection.connect(connectionConfiguration) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        } catch {
            FileHandle.standardError.write("shortwave bench: \(self.connection.explain(error))\n")
            throw ExitCode(2)
        }
        let template = SubmitSM(
            source: SMPPAddress(ton: .unknown, npi: .unknown, self.from), destination: SMPPAddress(ton: .international, npi: .isdn, ""),
            registeredDelivery: self.dlr ? .receipt : .none, shortMessage: ByteBuffer(bytes: EncodedText(self.text, alphabet: .gsm7)!.octets))
        let progress = isatty(2) == 1 && !self.json
        let lanes = max(1, self.window / plan.batch)

        let start = ContinuousClock.now
        let cpuStart = cpuSeconds()
        let allocationsStart = allocationCount()
        try await withThrowingTaskGroup(of: Void.self) { group in
            if progress { group.addTask { await state.progress(start: start) } }
            try await withThrowingTaskGroup(of: Histogram<UInt64>.self) { submitters in
                for connection in connections {
                    for _ in 0..<lanes {
                        submitters.addTask {
                            try await LoopLane.run(connection, template: template, prefix: self.toPrefix, state: state)
                        }
                    }
                }
                for try await histogram in submitters { state.merge(histogram) }
            }
            let submitEnd = ContinuousClock.now
            state.submitEnd(submitEnd)
            if self.dlr { await state.waitForReceipts(until: submitEnd + .milliseconds(Int64(self.dlrWait * 1000))) }
            state.finish()
            let cpu = cpuSeconds() - cpuStart
            let allocations = allocationsStart.flatMap { start in allocationCount().map { $0 - start } }
            for connection in connections { await connection.close() }
            group.cancelAll()
            try await group.waitForAll()
            var report = state.report(start: start, cpuSeconds: cpu, binds: self.binds, window: self.window)
            report.allocations = allocations
            if progress { FileHandle.standardError.write("\r\u{1B}[K") }
            print(self.json ? report.json : report.text)
            if report.unanswered > 0 || (self.dlr && report.matched < report.ok) { throw ExitCode(1) }
        }
    }
}

/// One lane: writes `batch` submit_sm at a time on one session until the plan is done. It runs
/// on the connection's event loop — each batch's answers arrive there and the next batch goes
/// out at once, without a task switch — so it is confined to that loop.
final class LoopLane: @unchecked Sendable {
    let connection: SMPPConnection
    let template: SubmitSM
    let prefix: String
    let state: BenchState
    let loop: any EventLoop
    let done: EventLoopPromise<Histogram<UInt64>>
    var histogram = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
    var pdus: [PDU] = []

    init(_ connection: SMPPConnection, template: SubmitSM, prefix: String, state: BenchState) {
        self.connection = connection
        self.template = template
        self.prefix = prefix
        self.state = state
        self.loop = connection.eventLoop
        self.done = self.loop.makePromise()
    }

    static func run(_ connection: SMPPConnection, template: SubmitSM, prefix: String, state: BenchState) async throws -> Histogram<UInt64> {
        let lane = LoopLane(connection, template: template, prefix: prefix, state: state)
        lane.loop.execute { lane.next() }
        return try await lane.done.futureResult.get()
    }

    func next() {
        switch self.state.claimNow() {
        case .done:
            self.done.succeed(self.histogram)
        case .wait(let until):
            let wait = ContinuousClock.now.duration(to: until)
            let nanoseconds = wait.components.seconds * 1_000_000_000 + wait.components.attoseconds / 1_000_000_000
            self.loop.scheduleTask(in: .nanoseconds(max(0, nanoseconds))) { self.next() }
        case .send(let range):
            self.pdus.removeAll(keepingCapacity: true)
            for counter in range {
                var message = self.template
                message.destination.address = self.prefix + String(counter)
                self.pdus.append(.submitSM(message))
            }
            let sentAt = NIODeadline.now()
            self.connection.sendRequests(self.pdus).whenComplete { result in
                switch result {
                case .success(let outcome):
                    self.record(outcome, sentAt: sentAt)
                    if self.connection.isActive { self.next() } else { self.done.succeed(self.histogram) }
                case .failure:
                    self.state.lost(range.count)
                    self.done.succeed(self.histogram)
                }
            }
        }
    }

    func record(_ outcome: SessionBatchResult, sentAt: NIODeadline) {
        var ids: [String] = []
        var tally = BenchTally()
        for index in outcome.results.indices {
            let latency = outcome.completedAt[index] - sentAt
            _ = self.histogram.record(UInt64(max(0, latency.nanoseconds / 1000)))
            switch outcome.results[index] {
            case .success(let packet):
                if packet.status.isOK {
                    tally.ok += 1
                    if self.state.plan.dlr, case .submitSMResp(let resp) = packet.pdu { ids.append(resp.messageID) }
                } else {
                    tally.errors[packet.commandID == .genericNack ? "generic_nack \(packet.status.name)" : packet.status.name, default: 0] += 1
                }
            case .failure(let error):
                if error.code == .timeout { tally.timeouts += 1 } else { tally.lost += 1 }
            }
        }
        self.state.answered(tally, ids: ids)
    }
}

struct BenchPlan: Sendable {
    var limit: Int
    var end: ContinuousClock.Instant?
    var batch: Int
    var dlr: Bool
    var rate: Double
    var idForm: MessageIDForm
}

struct BenchTally: Sendable {
    var ok = 0
    var timeouts = 0
    var lost = 0
    var errors: [String: Int] = [:]
}

/// Counters shared by the lanes and receipt readers (one lock per batch or receipt).
final class BenchState: Sendable {
    let plan: BenchPlan
    private let claimed = Atomic<Int>(0)
    private let answeredCount = Atomic<Int>(0)
    private let okCount = Atomic<Int>(0)
    private let matchedCount = Atomic<Int>(0)
    private let inner: Mutex<Inner>
    private let limiter: Mutex<ThroughputLimiter<ContinuousClock.Instant>?>

    struct Inner: Sendable {
        var tally = BenchTally()
        var histogram = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
        var matcher: ReceiptMatcher<Bool, Bool>
        var receipts = 0
        var unmatchedBeforeResp = 0
        var states: [String: Int] = [:]
        var currentStat = ""
        var currentStatCount = 0
        /// Every stat counted so far.
        var allStates: [String: Int] {
            var all = self.states
            if self.currentStatCount > 0 { all[self.currentStat, default: 0] += self.currentStatCount }
            return all
        }
        var submitEnd: ContinuousClock.Instant?
        var lastReceipt: ContinuousClock.Instant?
        var finished = false
    }

    init(plan: BenchPlan) {
        self.plan = plan
        self.inner = Mutex(Inner(matcher: ReceiptMatcher(form: plan.idForm, capacity: 50_000_000)))
        self.limiter = Mutex(plan.rate > 0 ? ThroughputLimiter(perSecond: plan.rate, burst: max(Double(plan.batch), plan.rate / 100), now: .now) : nil)
    }

    enum Claim {
        case send(Range<Int>)
        case wait(until: ContinuousClock.Instant)
        case done
    }

    /// The next counters to send, when to ask again (the rate limit), or the end of the plan.
    func claimNow() -> Claim {
        if let end = self.plan.end, ContinuousClock.now >= end { return .done }
        if self.plan.rate > 0, case .retry(let at) = self.limiter.withLock({ $0!.acquire(self.plan.batch, now: .now) }) {
            return .wait(until: at)
        }
        let first = self.claimed.add(self.plan.batch, ordering: .relaxed).oldValue
        guard first < self.plan.limit else { return .done }
        return .send(first..<min(first + self.plan.batch, self.plan.limit))
    }

    func answered(_ tally: BenchTally, ids: [String]) {
        self.answeredCount.add(tally.ok + tally.timeouts + tally.lost + tally.errors.values.reduce(0, +), ordering: .relaxed)
        self.okCount.add(tally.ok, ordering: .relaxed)
        var matched = 0
        self.inner.withLock { inner in
            inner.tally.ok += tally.ok
            inner.tally.timeouts += tally.timeouts
            inner.tally.lost += tally.lost
            for (status, count) in tally.errors { inner.tally.errors[status, default: 0] += count }
            for id in ids where inner.matcher.submitted(id, true) != nil { matched += 1 }
        }
        if matched > 0 { self.matchedCount.add(matched, ordering: .relaxed) }
    }

    func lost(_ count: Int) {
        self.answeredCount.add(count, ordering: .relaxed)
        self.inner.withLock { $0.tally.lost += count }
    }

    func received(_ batch: [InboundMessage]) {
        let matched = self.inner.withLock { inner in
            var matched = 0
            for case .receipt(let receipt) in batch {
                inner.receipts += 1
                // Counted by run: receipts of one stat in a row cost a string comparison, not a hash.
                let stat = receipt.text?.stat ?? receipt.state.map { "\($0)" } ?? "unknown"
                if stat == inner.currentStat {
                    inner.currentStatCount += 1
                } else {
                    if inner.currentStatCount > 0 { inner.states[inner.currentStat, default: 0] += inner.currentStatCount }
                    inner.currentStat = stat
                    inner.currentStatCount = 1
                }
                if inner.matcher.received(receipt.messageID, true) != nil { matched += 1 }
            }
            inner.lastReceipt = .now
            return matched
        }
        if matched > 0 { self.matchedCount.add(matched, ordering: .relaxed) }
    }

    func merge(_ histogram: Histogram<UInt64>) { self.inner.withLock { $0.histogram.add(histogram) } }
    func submitEnd(_ at: ContinuousClock.Instant) { self.inner.withLock { $0.submitEnd = at } }
    func finish() { self.inner.withLock { $0.finished = true } }

    func waitForReceipts(until deadline: ContinuousClock.Instant) async {
        while ContinuousClock.now < deadline, self.matchedCount.load(ordering: .relaxed) < self.okCount.load(ordering: .relaxed) {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// A live line on the terminal, once a second.
    func progress(start: ContinuousClock.Instant) async {
        var last = 0
        while !Task.isCancelled, !self.inner.withLock({ $0.finished }) {
            try? await Task.sleep(for: .seconds(1))
            let answered = self.answeredCount.load(ordering: .relaxed)
            let elapsed = (ContinuousClock.now - start).seconds
            FileHandle.standardError.write(
                "\r\u{1B}[K\(Int(elapsed))s  answered \(answered)  \(answered - last)/s  ok \(self.okCount.load(ordering: .relaxed))  receipts matched \(self.matchedCount.load(ordering: .relaxed))")
            last = answered
        }
    }

    func report(start: ContinuousClock.Instant, cpuSeconds: Double, binds: Int, window: Int) -> BenchReport {
        self.inner.withLock { inner in
            let end = inner.submitEnd ?? .now
            let elapsed = (end - start).seconds
            let answered = inner.tally.ok + inner.tally.timeouts + inner.tally.lost + inner.tally.errors.values.reduce(0, +)
            let receiptElapsed = ((inner.lastReceipt ?? end) - start).seconds
            return BenchReport(
                binds: binds, window: window, elapsed: elapsed, answered: answered, ok: inner.tally.ok, errors: inner.tally.errors,
                timeouts: inner.tally.timeouts, unanswered: inner.tally.timeouts + inner.tally.lost, dlr: self.plan.dlr,
                receipts: inner.receipts, matched: self.matchedCount.load(ordering: .relaxed), receiptStates: inner.allStates,
                receiptsPerSecond: receiptElapsed > 0 ? Double(inner.receipts) / receiptElapsed : 0,
                latency: inner.histogram, cpuSeconds: cpuSeconds)
        }
    }
}

struct BenchReport {
    var binds: Int
    var window: Int
    var elapsed: Double
    var answered: Int
    var ok: Int
    var errors: [String: Int]
    var timeouts: Int
    var unanswered: Int
    var dlr: Bool
    var receipts: Int
    var matched: Int
    var receiptStates: [String: Int]
    var receiptsPerSecond: Double
    var latency: Histogram<UInt64>
    var cpuSeconds: Double
    /// Heap allocations in the whole process while sending, when scripts/bench-client preloads the counter.
    var allocations: UInt64?

    var allocationsPerMessage: String {
        guard let allocations = self.allocations, self.answered > 0 else { return "null" }
        return format(Double(allocations) / Double(self.answered))
    }

    var perSecond: Double { self.elapsed > 0 ? Double(self.ok) / self.elapsed : 0 }

    func percentile(_ p: Double) -> UInt64 { self.latency.totalCount == 0 ? 0 : self.latency.valueAtPercentile(p) }

    var text: String {
        var lines = [
            "binds \(self.binds), window \(self.window): \(self.answered) answered in \(format(self.elapsed)) s",
            "throughput   \(Int(self.perSecond)) submit_sm/s accepted (\(self.ok) ok)",
            "latency µs   p50 \(self.percentile(50))  p90 \(self.percentile(90))  p99 \(self.percentile(99))  p99.9 \(self.percentile(99.9))  max \(self.latency.max)",
            "errors       \(self.errors.isEmpty ? "none" : self.errors.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))  timeouts \(self.timeouts)  unanswered \(self.unanswered)",
        ]
        if self.dlr {
            lines.append("receipts     \(self.receipts) received, \(self.matched) matched of \(self.ok) accepted, \(Int(self.receiptsPerSecond))/s  \(self.receiptStates.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: " "))")
        }
        lines.append("cpu          \(format(self.cpuSeconds)) s (\(Int(self.elapsed > 0 ? 100 * self.cpuSeconds / self.elapsed : 0)) % of one core)")
        if self.allocations != nil { lines.append("allocations  \(self.allocationsPerMessage) per submitted message (whole process)") }
        return lines.joined(separator: "\n")
    }

    var json: String {
        let errors = self.errors.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",")
        let states = self.receiptStates.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",")
        return """
            {"tool":"shortwave bench","binds":\(self.binds),"window":\(self.window),"elapsed_s":\(format(self.elapsed)),\
            "answered":\(self.answered),"acked_ok":\(self.ok),"mps":\(format(self.perSecond)),"errors_by_status":{\(errors)},\
            "timeouts":\(self.timeouts),"unanswered":\(self.unanswered),\
            "latency_us":{"p50":\(self.percentile(50)),"p90":\(self.percentile(90)),"p99":\(self.percentile(99)),"p999":\(self.percentile(99.9)),"max":\(self.latency.max)},\
            "dlr":{"requested":\(self.dlr),"received":\(self.receipts),"matched":\(self.matched),"per_s":\(format(self.receiptsPerSecond)),"stats":{\(states)}},\
            "cpu_s":\(format(self.cpuSeconds)),"allocations_per_message":\(self.allocationsPerMessage)}
            """
    }
}

func format(_ value: Double) -> String {
    let scaled = (value * 1000).rounded() / 1000
    return "\(scaled)"
}

/// The process's allocation count, when the counter of scripts/alloccount is preloaded.
func allocationCount() -> UInt64? {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "shortwave_allocation_count") else { return nil }
    typealias Counter = @convention(c) () -> UInt64
    return unsafeBitCast(symbol, to: Counter.self)()
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

extension Duration {
    var seconds: Double { Double(self.components.seconds) + Double(self.components.attoseconds) / 1e18 }
}

extension TimeAmount {
    var microseconds: Int64 { self.nanoseconds / 1000 }
}

struct FileHandle {
    static let standardError = FileHandle()
    func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = Glibc.write(2, bytes.baseAddress, bytes.count) }
    }
}
