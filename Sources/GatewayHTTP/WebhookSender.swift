import AsyncHTTPClient
import Crypto
public import GatewayCore
public import Logging
import NIOCore
import NIOHTTP1
public import ServiceLifecycle
import Synchronization

/// POSTs the webhooks the gateway stored (status changes, inbound messages) to the customers'
/// URLs, signed, from the durable outbox: a webhook leaves the store only when its URL answered
/// 2xx (or it expired); a failure is tried again with exponential backoff, a restart carries on
/// where the last run stopped, and several senders (nodes) never take the same one at once.
///
/// Signature (documented in README and the OpenAPI document): the header
/// `Shortwave-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, with
/// the account's webhook secret. A receiver recomputes it over the raw body, compares in
/// constant time, and rejects a `t` more than 5 minutes old.
public final class WebhookSender: Service, Sendable {
    public struct Configuration: Sendable {
        /// How often the outbox is looked at when nothing was due.
        public var pollInterval: Duration
        /// POSTs in flight at once.
        public var concurrency: Int
        public var timeout: Duration
        /// The first retry waits this long; each next one twice as long, up to `maximumBackoff`.
        public var initialBackoff: Duration
        public var maximumBackoff: Duration
        /// Hosts webhooks may go to; empty: any. A webhook to another host (stored before the
        /// list changed) is dropped with a log line.
        public var allowedHosts: Set<String>

        public init(
            pollInterval: Duration = .milliseconds(100), concurrency: Int = 64, timeout: Duration = .seconds(10),
            initialBackoff: Duration = .seconds(5), maximumBackoff: Duration = .seconds(3600), allowedHosts: Set<String> = []
        ) {
            self.allowedHosts = Set(allowedHosts.map { $0.lowercased() })
            self.pollInterval = pollInterval
            self.concurrency = concurrency
            self.timeout = timeout
            self.initialBackoff = initialBackoff
            self.maximumBackoff = maximumBackoff
        }
    }

    public static let signatureHeader = "Shortwave-Signature"

    let store: any Outbox
    let accounts: AccountRegistry
    let configuration: Configuration
    let logger: Logger

    public init(store: any Outbox, accounts: AccountRegistry, configuration: Configuration = .init(), logger: Logger = Logger(label: "shortwave.webhooks")) {
        self.store = store
        self.accounts = accounts
        self.configuration = configuration
        self.logger = logger
    }

    /// `t=…,v1=…` for `body` sent at `timestamp` (seconds since 1970).
    public static func signature(secret: String, timestamp: Int64, body: some Sequence<UInt8>) -> String {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.utf8)))
        mac.update(data: Array("\(timestamp).".utf8))
        mac.update(data: Array(body))
        return "t=\(timestamp),v1=\(hexString(mac.finalize()))"
    }

    public func run() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(Int64(self.configuration.timeout.components.seconds)))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        // A webhook being sent is leased to this sender for three timeouts; a sender that dies
        // mid-POST leaves it to be taken again after that.
        let lease = SubmitValidation.milliseconds(self.configuration.timeout) * 3
        let outcomes = Outcomes()
        // A pipeline: up to `concurrency` POSTs in flight, more claimed as each one finishes
        // (one slow endpoint holds one slot, not the others), and a tick every poll interval.
        await withTaskGroup(of: Bool.self) { group in
            var inFlight = 0
            var ticking = false
            var stopping = false
            while true {
                await self.record(outcomes.take())
                if !stopping && (Task.isShuttingDownGracefully || Task.isCancelled) {
                    stopping = true
                    // In-flight POSTs are cut short and recorded as failed: tried again soon after a restart.
                    group.cancelAll()
                }
                if stopping && inFlight == 0 { break }
                if !stopping && inFlight < self.configuration.concurrency {
                    do {
                        let due = try await self.store.claimWebhooks(
                            now: wallClockMilliseconds(), lease: lease, limit: self.configuration.concurrency - inFlight)
                        for webhook in due {
                            inFlight += 1
                            group.addTask {
                                let failure = await self.post(webhook, client: client)
                                outcomes.add(webhook, failure)
                                return true
                            }
                        }
                    } catch {
                        self.logger.error("could not read the webhook outbox", metadata: ["error": "\(error)"])
                    }
                }
                if !ticking {
                    ticking = true
                    let interval = self.configuration.pollInterval
                    group.addTask {
                        try? await Task.sleep(for: interval)
                        return false
                    }
                }
                guard let posted = await group.next() else { break }
                if posted { inFlight -= 1 } else { ticking = false }
            }
        }
        await self.record(outcomes.take())
        try? await client.shutdown()
    }

    /// Stores what the POSTs came to: 2xx ones done, the others due again after their backoff.
    func record(_ outcomes: [(Webhook, String?)]) async {
        guard !outcomes.isEmpty else { return }
        for (_, failure) in outcomes { GatewayMetrics.shared.webhook(delivered: failure == nil) }
        do {
            try await self.store.completeWebhooks(outcomes.filter { $0.1 == nil }.map(\.0.sequence))
            let now = wallClockMilliseconds()
            for (webhook, reason) in outcomes {
                guard let reason else { continue }
                let attempts = webhook.attempts + 1
                let at = now + self.backoff(attempts: attempts)
                self.logger.notice(
                    "webhook failed; will retry",
                    metadata: [
                        // Not the query: customers put tokens there.
                        "url": "\(webhook.url.prefix { $0 != "?" })", "attempt": "\(attempts)", "reason": "\(reason)",
                        "retry_in_ms": "\(at - now)",
                    ])
                try await self.store.retryWebhook(webhook.sequence, at: at, attempts: attempts)
            }
        } catch {
            // The leases run out and the webhooks are tried again: nothing is lost.
            self.logger.error("could not record webhook outcomes", metadata: ["error": "\(error)"])
        }
    }

    /// Milliseconds before attempt `attempts + 1`: initial × 2^(attempts−1), capped, ±10 %.
    func backoff(attempts: Int) -> Int64 {
        let initial = SubmitValidation.milliseconds(self.configuration.initialBackoff)
        let maximum = SubmitValidation.milliseconds(self.configuration.maximumBackoff)
        let base = min(maximum, initial << min(attempts - 1, 30))
        return base + Int64.random(in: -(base / 10)...(base / 10))
    }

    /// Sends one webhook; nil on a 2xx answer, else why not.
    func post(_ webhook: Webhook, client: HTTPClient) async -> String? {
        guard let account = self.accounts.account(id: webhook.accountID) else { return "no such account \(webhook.accountID)" }
        guard SendRequest.hostAllowed(webhook.url, self.configuration.allowedHosts) else {
            self.logger.warning(
                "webhook dropped: its host is not in http.webhookHosts", metadata: ["url": "\(webhook.url.prefix { $0 != "?" })"])
            return nil
        }
        var request = HTTPClientRequest(url: webhook.url)
        request.method = .POST
        let timestamp = wallClockMilliseconds() / 1000
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Shortwave-Webhooks/2")
        request.headers.add(name: Self.signatureHeader, value: Self.signature(secret: account.webhookSecret, timestamp: timestamp, body: webhook.body))
        request.headers.add(name: "Shortwave-Event", value: webhook.kind.rawValue)
        request.headers.add(name: "Shortwave-Webhook-ID", value: String(webhook.sequence))
        request.headers.add(name: "Shortwave-Attempt", value: String(webhook.attempts + 1))
        request.body = .bytes(ByteBuffer(bytes: webhook.body))
        do {
            let response = try await client.execute(request, timeout: .seconds(self.configuration.timeout.components.seconds))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return (200..<300).contains(response.status.code) ? nil : "HTTP \(response.status.code)"
        } catch {
            return "\(error)"
        }
    }
}

/// What finished POSTs came to, until the sender's loop records them.
final class Outcomes: Sendable {
    let list = Mutex<[(Webhook, String?)]>([])
    func add(_ webhook: Webhook, _ failure: String?) { self.list.withLock { $0.append((webhook, failure)) } }
    func take() -> [(Webhook, String?)] { self.list.withLock { list in defer { list = [] }; return list } }
}
