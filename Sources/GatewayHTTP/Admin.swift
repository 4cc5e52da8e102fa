import Crypto
import Foundation
public import GatewayCore
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// The operator's API (`/admin/v1/…`, its own token): accounts, their credentials, limits,
/// senders, numbers, address allow-lists, webhooks and report destinations, API keys, and the
/// live binds. Changes take effect at once (the registry is updated with the store); suspending
/// or deleting an account unbinds its sessions. Mutations run one at a time, so two racing
/// requests never interleave a read-modify-write.
public struct AdminAPI: Sendable {
    /// SHA-256 of the admin token.
    public let tokenHash: [UInt8]
    public let binds: any BindDirectory
    /// The metrics in Prometheus' text format, for `/metrics` (none: no endpoint).
    public let metrics: (@Sendable () -> [UInt8])?
    /// The upstream connectors and routes, for `/admin/v1/connectors` and `/admin/v1/routes`.
    public let connectors: (any ConnectorDirectory)?
    let serial = SerialQueue()

    public init(
        tokenHash: [UInt8], binds: any BindDirectory, metrics: (@Sendable () -> [UInt8])? = nil, connectors: (any ConnectorDirectory)? = nil
    ) {
        self.tokenHash = tokenHash
        self.binds = binds
        self.metrics = metrics
        self.connectors = connectors
    }

    public static func hash(token: some StringProtocol) -> [UInt8] { Array(SHA256.hash(data: Array(token.utf8))) }

    /// A new admin token (`swadm_` and 32 random characters).
    public static func makeToken() -> String { "swadm_" + Credentials.random(length: 32) }
}

/// Runs async bodies one after another (an async mutex, first come first served).
final class SerialQueue: Sendable {
    let state = Mutex<(busy: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await withCheckedContinuation { continuation in
            let now = self.state.withLock { state -> Bool in
                guard state.busy else {
                    state.busy = true
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
        defer {
            let next = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                if state.waiting.isEmpty {
                    state.busy = false
                    return nil
                }
                return state.waiting.removeFirst()
            }
            next?.resume()
        }
        return try await body()
    }
}

/// `Authorization: Bearer <admin token>` on every admin route.
struct AdminAuthentication: RouterMiddleware {
    typealias Context = APIContext
    let admin: AdminAPI

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.utf8.count > 7,
            header.utf8.prefix(6).elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 })
        else {
            throw Problem.unauthorized("send the admin token as `Authorization: Bearer <token>`")
        }
        guard constantTimeEqual(AdminAPI.hash(token: header.dropFirst(7).trimmingCharacters(in: " ")), self.admin.tokenHash) else {
            throw Problem(.unauthorized, "invalid_admin_token", "Invalid admin token", detail: "this is not the admin token of this gateway",
                headers: [.wwwAuthenticate: "Bearer"])
        }
        return try await next(request, context)
    }
}

extension Problem {
    static func accountExists(_ what: String) -> Problem {
        Problem(.conflict, "account_exists", "The account exists", detail: what)
    }
}

extension HTTPAPI {
    func addAdminRoutes(to router: Router<APIContext>, admin: AdminAPI) {
        if let metrics = admin.metrics {
            // Prometheus scrapes with the admin token (`authorization: {credentials: …}`).
            router.group("/metrics").add(middleware: AdminAuthentication(admin: admin)).get { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics())))
            }
        }
        let group = router.group("/admin/v1").add(middleware: AdminAuthentication(admin: admin))
        group.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.admin)))
        }
        self.addAdminAccountRoutes(to: group, admin: admin)
        self.addAdminCredentialRoutes(to: group, admin: admin)
        self.addAdminBillingRoutes(to: group, admin: admin)
        self.addAdminBindRoutes(to: group, admin: admin)
        self.addAdminConnectorRoutes(to: group, admin: admin)
    }

    /// `templates[0].headers` from a decoding path.
    static func path(_ keys: [any CodingKey]) -> String {
        keys.reduce(into: "") { path, key in
            if let index = key.intValue { path += "[\(index)]" } else { path += (path.isEmpty ? "" : ".") + key.stringValue }
        }
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
