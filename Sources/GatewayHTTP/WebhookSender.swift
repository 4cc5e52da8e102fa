import AsyncHTTPClient
import Crypto
public import GatewayCore
public import Logging
import NIOCore
import NIOPosix
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
        /// Most POSTs in flight for one account, and to one host: a slow or hanging endpoint holds
        /// its owner's share of the slots, the other accounts keep theirs.
        public var perAccount: Int
        public var perHost: Int
        /// The whole exchange — connect, request, response and its body — ends by then.
        public var timeout: Duration
        /// The first retry waits this long; each next one twice as long, up to `maximumBackoff`.
        public var initialBackoff: Duration
        public var maximumBackoff: Duration
        /// Where webhooks may go. A webhook stored before the rules changed that they now refuse
        /// is dropped with a log line; one whose host resolves to a refused address fails (and is
        /// tried again: the name may point elsewhere later).
        public var targets: WebhookTargets

        public init(
            pollInterval: Duration = .milliseconds(100), concurrency: Int = 64, perAccount: Int? = nil, perHost: Int? = nil,
            timeout: Duration = .seconds(10), initialBackoff: Duration = .seconds(5), maximumBackoff: Duration = .seconds(3600),
            targets: WebhookTargets = .init()
        ) {
            self.targets = targets
            self.pollInterval = pollInterval
            self.concurrency = concurrency
            self.perAccount = perAccount ?? max(1, concurrency / 4)
            self.perHost = perHost ?? max(1, concurrency / 4)
            self.timeout = timeout
            self.initialBackoff = initialBackoff
            self.maximumBackoff = maximumBackoff
        }
    }

    /// A host's addresses (the system resolver by default; tests give their own).
    public typealias Resolver = @Sendable (String) async throws -> [IPAddress]

    public static let systemResolver: Resolver = { host in
        try await NIOThreadPool.singleton.runIfActive { try IPAddress.resolve(host) }
    }

    public static let signatureHeader = "Shortwave-Signature"

    let store: any Outbox
    let accounts: AccountRegistry
    let configuration: Configuration
    let resolve: Resolver
    let logger: Logger

    public init(
        store: any Outbox, accounts: AccountRegistry, configuration: Configuration = .init(), resolver: @escaping Resolver = WebhookSender.systemResolver,
        logger: Logger = Logger(label: "shortwave.webhooks")
    ) {
        self.store = store
        self.accounts = accounts
        self.configuration = configuration
        self.resolve = resolver
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
        let clients = WebhookClients(timeout: self.configuration.timeout)
        // A webhook being sent is leased to this sender for three timeouts; a sender that dies
        // mid-POST leaves it to be taken again after that.
        let lease = SubmitValidation.milliseconds(self.configuration.timeout) * 3
        let outcomes = Outcomes()
        // A pipeline: up to `concurrency` POSTs in flight, more claimed as each one finishes
        // (one slow endpoint holds one slot, not the others), and a tick every poll interval.
        await withTaskGroup(of: Webhook?.self) { group in
            var busy = WebhookClaim(
                limit: 0, perAccount: self.configuration.perAccount, perHost: self.configuration.perHost)
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
                        busy.limit = self.configuration.concurrency - inFlight
                        let due = try await self.store.claimWebhooks(now: wallClockMilliseconds(), lease: lease, claim: busy)
                        for webhook in due {
                            inFlight += 1
                            busy.busyAccounts[webhook.accountID, default: 0] += 1
                            busy.busyHosts[webhook.host, default: 0] += 1
                            group.addTask {
                                let failure = await self.post(webhook, clients: clients)
                                outcomes.add(webhook, failure)
                                return webhook
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
                        return nil
                    }
                }
                guard let finished = await group.next() else { break }
                if let webhook = finished {
                    inFlight -= 1
                    busy.busyAccounts[webhook.accountID, default: 1] -= 1
                    if busy.busyAccounts[webhook.accountID] == 0 { busy.busyAccounts[webhook.accountID] = nil }
                    busy.busyHosts[webhook.host, default: 1] -= 1
                    if busy.busyHosts[webhook.host] == 0 { busy.busyHosts[webhook.host] = nil }
                } else {
                    ticking = false
                }
            }
        }
        await self.record(outcomes.take())
        await clients.shutdown()
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

    /// Sends one webhook; nil on a 2xx answer (or when it may not be sent at all), else why not.
    func post(_ webhook: Webhook, clients: WebhookClients) async -> String? {
        guard let account = self.accounts.account(id: webhook.accountID) else { return "no such account \(webhook.accountID)" }
        let url = webhook.url.prefix { $0 != "?" }  // for the log: customers put tokens in the query
        switch self.configuration.targets.check(url: webhook.url) {
        case .allowed: break
        case .hostNotListed:
            self.logger.warning("webhook dropped: its host is not in http.webhookHosts", metadata: ["url": "\(url)"])
            return nil
        case .internalAddress(let address):
            self.logger.warning("webhook dropped: its address is internal (\(address))", metadata: ["url": "\(url)"])
            return nil
        }
        // The connection goes to the address checked here, never to a second lookup's answer.
        let host = webhook.host
        var pinned: IPAddress?
        if IPAddress(host) == nil {
            do {
                let addresses = try await self.resolve(host)
                guard let first = addresses.first else { return "\(host) has no address" }
                for address in addresses {
                    if case .internalAddress = self.configuration.targets.check(address) {
                        GatewayMetrics.shared.webhookRefused()
                        return "refused: \(host) resolves to an internal address (\(address))"
                    }
                }
                pinned = first
            } catch {
                return "\(error)"
            }
        }
        let timeout = self.configuration.timeout
        let client = clients.client(host: host, address: pinned)
        defer { clients.done(host: host, address: pinned) }
        // One deadline for the whole exchange: a server that trickles its answer (or its body)
        // holds the slot no longer than `timeout`.
        return await withTaskGroup(of: String?.self) { group in
            let secret = account.webhookSecret
            group.addTask {
                do {
                    var request = HTTPClientRequest(url: webhook.url)
                    request.method = .POST
                    let timestamp = wallClockMilliseconds() / 1000
                    request.headers.add(name: "Content-Type", value: "application/json")
                    request.headers.add(name: "User-Agent", value: "Shortwave-Webhooks/2")
                    request.headers.add(name: Self.signatureHeader, value: Self.signature(secret: secret, timestamp: timestamp, body: webhook.body))
                    request.headers.add(name: "Shortwave-Event", value: webhook.kind.rawValue)
                    request.headers.add(name: "Shortwave-Webhook-ID", value: String(webhook.sequence))
                    request.headers.add(name: "Shortwave-Attempt", value: String(webhook.attempts + 1))
                    request.body = .bytes(ByteBuffer(bytes: webhook.body))
                    let response = try await client.execute(request, timeout: .milliseconds(Int64(SubmitValidation.milliseconds(timeout))))
                    // The answer's body is read to its end (the connection may then be reused),
                    // or its first 64 KiB: what it says does not matter.
                    var read = 0
                    for try await chunk in response.body {
                        read += chunk.readableBytes
                        if read > 64 * 1024 { break }
                    }
                    return (200..<300).contains(response.status.code) ? nil : "HTTP \(response.status.code)"
                } catch {
                    return "\(error)"
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return Task.isCancelled ? "cancelled" : "no complete answer within \(timeout)"
            }
            let first = await group.next() ?? "cancelled"
            group.cancelAll()
            return first
        }
    }
}

/// The HTTP clients webhooks go out on: one for URLs that name an address, and one per
/// (host, checked address) for named hosts, each pinned to that address (`dnsOverride`; TLS
/// still verifies the host's name). Idle pinned clients beyond a few dozen are shut down.
final class WebhookClients: Sendable {
    struct Entry {
        var client: HTTPClient
        var inUse: Int
        var lastUsed: ContinuousClock.Instant
    }

    let timeout: Duration
    let direct: HTTPClient
    let pinned = Mutex<[String: Entry]>([:])
    static let keepIdle = 32

    init(timeout: Duration) {
        self.timeout = timeout
        self.direct = Self.make(timeout: timeout, override: [:])
    }

    static func make(timeout: Duration, override: [String: String]) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(max(1, timeout.components.seconds)))
        configuration.dnsOverride = override
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func client(host: String, address: IPAddress?) -> HTTPClient {
        guard let address else { return self.direct }
        let key = "\(host) \(address)"
        let (client, retired) = self.pinned.withLock { pinned -> (HTTPClient, [HTTPClient]) in
            if var entry = pinned[key] {
                entry.inUse += 1
                entry.lastUsed = .now
                pinned[key] = entry
                return (entry.client, [])
            }
            let client = Self.make(timeout: self.timeout, override: [host: address.description])
            pinned[key] = Entry(client: client, inUse: 1, lastUsed: .now)
            var retired: [HTTPClient] = []
            if pinned.count > Self.keepIdle {
                let idle = pinned.filter { $0.value.inUse == 0 }.sorted { $0.value.lastUsed < $1.value.lastUsed }
                for (key, entry) in idle.prefix(pinned.count - Self.keepIdle) {
                    pinned[key] = nil
                    retired.append(entry.client)
                }
            }
            return (client, retired)
        }
        for client in retired { client.shutdown { _ in } }
        return client
    }

    func done(host: String, address: IPAddress?) {
        guard let address else { return }
        self.pinned.withLock { $0["\(host) \(address)"]?.inUse -= 1 }
    }

    func shutdown() async {
        let clients = self.pinned.withLock { pinned in
            defer { pinned = [:] }
            return pinned.values.map(\.client)
        }
        for client in clients + [self.direct] { try? await client.shutdown() }
    }
}

/// What finished POSTs came to, until the sender's loop records them.
final class Outcomes: Sendable {
    let list = Mutex<[(Webhook, String?)]>([])
    func add(_ webhook: Webhook, _ failure: String?) { self.list.withLock { $0.append((webhook, failure)) } }
    func take() -> [(Webhook, String?)] { self.list.withLock { list in defer { list = [] }; return list } }
}
