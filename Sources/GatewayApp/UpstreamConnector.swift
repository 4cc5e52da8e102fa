import Foundation
import GatewayCore
import Logging
import NIOCore
import SMPPClient
import SMPPCore
import SMPPSession
import ServiceLifecycle
import Synchronization

/// An upstream carrier SMSC the gateway binds to as an ESME (an `SMPPBindPool`): dispatched
/// messages are submitted to it, its submit_sm_resp ids are kept with the `sent` status, its
/// receipts are matched back to the gateway's messages by those ids (hex or decimal, leading
/// zeros, case), and its MO goes to the account that owns the number.
///
/// This is the first connector (issue 6): one route for every message (`--upstream`). A submit
/// that fails on the connection is tried again after a backoff until it is answered; throttling
/// is handled by the pool (pause and retry); any other error status rejects the message.
final class UpstreamConnector: MessageRoute, Service, Sendable {
    /// `smpp://system_id:password@host:port?binds=4&window=100` (`smpps://` for TLS).
    struct Address: Sendable, Equatable {
        var name: String
        var host: String
        var port: Int
        var systemID: String
        var password: String
        var tls: Bool
        var binds: Int
        var window: Int

        init(_ text: String) throws {
            guard let url = URLComponents(string: text), let scheme = url.scheme, ["smpp", "smpps"].contains(scheme),
                let host = url.host, !host.isEmpty, let systemID = url.user, !systemID.isEmpty
            else {
                throw ConfigurationError("an upstream is smpp://system_id:password@host:port?binds=4&window=100 (smpps:// for TLS), not \(text)")
            }
            self.tls = scheme == "smpps"
            self.host = host
            self.port = url.port ?? (self.tls ? 2776 : 2775)
            self.systemID = systemID
            self.password = url.password ?? ""
            let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
            for key in query.keys where !["binds", "window", "name"].contains(key) {
                throw ConfigurationError("unknown upstream parameter \(key) (binds, window, name)")
            }
            guard let binds = Int(query["binds"] ?? "1"), (1...64).contains(binds) else { throw ConfigurationError("upstream binds is 1…64") }
            guard let window = Int(query["window"] ?? "100"), (1...10_000).contains(window) else { throw ConfigurationError("upstream window is 1…10000") }
            self.binds = binds
            self.window = window
            self.name = query["name"] ?? "upstream"
        }
    }

    let address: Address
    let gateway: Gateway
    let pool: SMPPBindPool
    let logger: Logger
    let queue: AsyncStream<Message>
    let continuation: AsyncStream<Message>.Continuation
    /// Messages the carrier took and has not reported on yet (their receipts need them).
    let awaiting = Mutex<[MessageID: Message]>([:])

    init(address: Address, gateway: Gateway, logger: Logger) {
        self.address = address
        self.gateway = gateway
        self.logger = logger
        let connection = SMPPConnection.Configuration(
            host: address.host, port: address.port, systemID: address.systemID, password: address.password, bindType: .transceiver,
            tls: address.tls ? .verified : .disabled,
            session: SessionConfiguration(role: .esme, windowSize: address.window, responseTimeout: .seconds(30), bindTimeout: .seconds(10),
                enquireLinkInterval: .seconds(30)),
            connectTimeout: .seconds(10))
        // A receipt not matched to a submit of this run (one sent before a restart) is held only
        // briefly: the store knows the carrier's ids too.
        self.pool = SMPPBindPool(.init(connection: connection, binds: address.binds, receiptHold: .seconds(2)), logger: logger)
        (self.queue, self.continuation) = AsyncStream.makeStream(of: Message.self)
    }

    func send(_ messages: [Message]) {
        for message in messages { self.continuation.yield(message) }
    }

    func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await self.pool.run() }
            group.addTask { await self.receive() }
            group.addTask { await self.submitAll() }
            try? await gracefulShutdown()
            self.continuation.finish()
            self.pool.shutdown()
        }
    }

    /// Submits in order of arrival, up to binds × window at once.
    func submitAll() async {
        let limit = self.address.binds * self.address.window
        await withDiscardingTaskGroup { group in
            var inFlight = 0
            let done = AsyncStream<Void>.makeStream()
            var finished = done.stream.makeAsyncIterator()
            for await message in self.queue {
                if inFlight >= limit {
                    _ = await finished.next()
                    inFlight -= 1
                }
                inFlight += 1
                group.addTask {
                    await self.submit(message)
                    done.continuation.yield()
                }
            }
        }
    }

    func submit(_ message: Message) async {
        var tlvs = message.tlvs
        var shortMessage = ByteBuffer(bytes: message.payload)
        if message.payload.count > 254 {
            // Longer than one short_message: the whole text in message_payload (one id, one receipt).
            tlvs.append(TLV(tag: .messagePayload, value: shortMessage))
            shortMessage = ByteBuffer()
        }
        let submit = SubmitSM(
            serviceType: message.serviceType, source: message.source, destination: message.destination, esmClass: message.esmClass,
            protocolID: message.protocolID, priorityFlag: Priority(rawValue: message.priority) ?? .level0,
            validityPeriod: message.expiresAt.map { .absolute(SMPPTime.AbsoluteTime(secondsSince1970: $0 / 1000)) },
            registeredDelivery: .receipt, dataCoding: message.dataCoding, shortMessage: shortMessage,
            tlvs: DLTRules.carrierTLVs(tlvs, telemarketerIDs: []))
        var attempt = 0
        while !Task.isShuttingDownGracefully {
            do {
                let reply = try await self.pool.submit(submit)
                if reply.isOK {
                    self.awaiting.withLock { $0[message.id] = message }
                    self.pool.recordSubmission(.init(reference: message.id.description, messageID: reply.messageID, part: 1, parts: 1))
                    self.gateway.carrierAccepted(
                        message, upstream: UpstreamID(connector: self.address.name, id: normalizedMessageID(reply.messageID)))
                } else if reply.status == .throttled || reply.status == .messageQueueFull {
                    attempt += 1
                    try? await Task.sleep(for: .milliseconds(min(5_000, 100 * attempt)))
                    continue
                } else {
                    self.logger.notice(
                        "carrier refused a message", metadata: ["connector": "\(self.address.name)", "smpp.status": "\(reply.status)"])
                    self.gateway.carrierRefused(message, status: reply.status)
                }
                return
            } catch {
                // Not answered (no bind, the connection went): tried again; nothing is dropped.
                attempt += 1
                if attempt == 1 || attempt % 50 == 0 {
                    self.logger.warning("submit to the carrier failed; retrying", metadata: ["connector": "\(self.address.name)", "error": "\(error)"])
                }
                try? await Task.sleep(for: .milliseconds(min(5_000, 100 * attempt)))
            }
        }
    }

    /// Receipts → the gateway's messages; MO → the account owning the number.
    func receive() async {
        for await inbound in self.pool.inbound {
            switch inbound {
            case .receipt(let receipt):
                guard !receipt.isIntermediate, let state = receipt.state, let status = MessageStatus(state) else { continue }
                let error = Int(receipt.text?.error ?? "") ?? Int(receipt.networkErrorCode?.errorCode ?? 0)
                do {
                    let found: Bool
                    if let reference = receipt.submission?.reference, let id = MessageID(reference),
                        let message = self.awaiting.withLock({ $0.removeValue(forKey: id) })
                    {
                        self.gateway.carrierReported(message, status: status, error: error)
                        found = true
                    } else if let reference = receipt.submission?.reference, let id = MessageID(reference) {
                        found = try await self.gateway.carrierReported(id, status: status, error: error)
                    } else {
                        found = try await self.gateway.carrierReported(
                            connector: self.address.name, upstreamIDs: messageIDSpellings(receipt.messageID, form: .automatic), status: status,
                            error: error)
                    }
                    if !found {
                        self.logger.notice(
                            "receipt for an id this gateway never sent", metadata: ["connector": "\(self.address.name)", "upstream_id": "\(receipt.messageID)"])
                    }
                } catch {
                    self.logger.error("could not match a receipt", metadata: ["error": "\(error)"])
                }
            case .message(let mo):
                if !self.gateway.carrierMO(source: mo.source, destination: mo.destination, dataCoding: mo.dataCoding, shortMessage: mo.content) {
                    self.logger.notice("MO for a number no account owns", metadata: ["connector": "\(self.address.name)"])
                }
            }
        }
    }
}
