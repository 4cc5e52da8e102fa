import AsyncHTTPClient
import Crypto
import Foundation
import GatewayApp
import GatewayCore
import GatewayHTTP
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Synchronization

/// An answer of the API, with its JSON body read.
struct Reply: Sendable {
    var status: Int
    var headers: HTTPFields
    var body: ByteBuffer

    /// The body as a JSON object (empty when it is not one).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(self.body.readableBytesView))) as? [String: Any] ?? [:]
    }

    var code: String? { self.json["code"] as? String }
    var contentType: String? { self.headers[.contentType] }
}

extension TestClientProtocol {
    /// One request through the router (HummingbirdTesting).
    func call(
        _ method: HTTPRequest.Method, _ path: String, key: String?, body: String? = nil, contentType: String? = "application/json",
        headers: HTTPFields = [:]
    ) async throws -> Reply {
        var fields = headers
        if let key { fields[.authorization] = "Bearer \(key)" }
        if body != nil, let contentType { fields[.contentType] = contentType }
        return try await self.execute(uri: path, method: method, headers: fields, body: body.map { ByteBuffer(string: $0) }) { response in
            Reply(status: Int(response.status.code), headers: response.headers, body: response.body)
        }
    }
}

/// Runs `body` against a fresh gateway with an account `acme` and an API key of it; the API is
/// reached through HummingbirdTesting's router client (the gateway itself runs for real: SQLite
/// file, group commit, simulator, webhook sender, listeners on 127.0.0.1).
func withAPI(
    clock: any GatewayClock = SystemClock(), configure: (inout GatewayConfiguration) -> Void = { _ in },
    account: (TestGateway) async throws -> Account = { try await $0.addAccount() },
    _ body: @escaping @Sendable (TestGateway, any TestClientProtocol, String) async throws -> Void
) async throws {
    try await withGateway(clock: clock, configure: configure) { gateway in
        let owner = try await account(gateway)
        let (_, key) = try await gateway.prepared.httpAPI.keys.create(accountID: owner.id)
        let application = Application(router: gateway.prepared.httpAPI.router())
        try await application.test(.router) { client in try await body(gateway, client, key) }
    }
}

/// A real HTTP request to the gateway's own listener (AsyncHTTPClient over loopback).
func live(
    _ gateway: TestGateway, _ method: HTTPRequest.Method, _ path: String, key: String, body: String? = nil
) async throws -> Reply {
    var request = HTTPClientRequest(url: "http://127.0.0.1:\(gateway.httpPort)\(path)")
    request.method = .init(rawValue: method.rawValue)
    request.headers.add(name: "Authorization", value: "Bearer \(key)")
    if let body {
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
    }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
    var headers = HTTPFields()
    for header in response.headers { headers.append(HTTPField(name: HTTPField.Name(header.name)!, value: header.value)) }
    return Reply(status: Int(response.status.code), headers: headers, body: try await response.body.collect(upTo: 16 << 20))
}

/// A customer's webhook endpoint on 127.0.0.1: records what is POSTed to it; answers 500 to the
/// first `failures` requests, 200 after; 503 to every request while it is set down.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        var headers: HTTPFields
        var body: [UInt8]
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(self.body))) as? [String: Any] ?? [:] }
    }

    let state = Mutex<(received: [Received], refused: Int)>(([], 0))
    let failures: Int
    let task: Mutex<Task<Void, any Error>?> = Mutex(nil)
    let down = Mutex(false)

    /// An endpoint that is down answers 503 to everything (and keeps nothing).
    func setDown(_ down: Bool) { self.down.withLock { $0 = down } }

    init(failures: Int = 0) { self.failures = failures }

    var received: [Received] { self.state.withLock { $0.received } }
    var refused: Int { self.state.withLock { $0.refused } }

    /// Starts listening; returns the URL to give the gateway.
    func start(port: Int = 0) async throws -> String {
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            if self.down.withLock({ $0 }) { return Response(status: .serviceUnavailable) }
            let accepted = self.state.withLock { state -> Bool in
                if state.refused < self.failures {
                    state.refused += 1
                    return false
                }
                state.received.append(Received(headers: request.headers, body: Array(body.readableBytesView)))
                return true
            }
            return Response(status: accepted ? .ok : .internalServerError)
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: TestGateway.quiet)
        self.task.withLock { $0 = Task { try await application.runService(gracefulShutdownSignals: []) } }
        var iterator = stream.makeAsyncIterator()
        let bound = await iterator.next() ?? 0
        return "http://127.0.0.1:\(bound)/hook"
    }

    func stop() async {
        let task = self.task.withLock { $0 }
        task?.cancel()
        _ = try? await task?.value
    }
}

/// Checks `Shortwave-Signature: t=…,v1=…` over `body` with `secret`, computed here independently
/// of the gateway's code (the recipe the README gives customers).
func signatureIsValid(_ header: String?, body: [UInt8], secret: String) -> Bool {
    guard let header else { return false }
    var timestamp = ""
    var signature = ""
    for part in header.split(separator: ",") {
        if part.hasPrefix("t=") { timestamp = String(part.dropFirst(2)) }
        if part.hasPrefix("v1=") { signature = String(part.dropFirst(3)) }
    }
    guard let seconds = Int64(timestamp), abs(seconds - Int64(Date().timeIntervalSince1970)) < 300 else { return false }
    let code = HMAC<SHA256>.authenticationCode(for: Array("\(timestamp).".utf8) + body, using: SymmetricKey(data: Array(secret.utf8)))
    let expected = code.map { String(format: "%02x", $0) }.joined()
    return expected == signature
}
