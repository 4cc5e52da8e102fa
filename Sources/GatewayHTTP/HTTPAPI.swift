import HTTPTypes
public import GatewayCore
public import Hummingbird
public import Logging
import NIOCore
import SMPPCore

/// The REST API v2: the same accounts, store and message ids as SMPP. `router()` builds the
/// routes; `application(host:port:)` serves them (a `Service` for the gateway's ServiceGroup).
public struct HTTPAPI: Sendable {
    public struct Configuration: Sendable {
        /// Most messages in one `POST /v2/messages/batch`.
        public var maximumBatch: Int
        /// Largest body of `POST /v2/messages` and the other small requests.
        public var singleBodyLimit: Int
        /// Largest body of a batch.
        public var batchBodyLimit: Int
        /// Where webhooks may go (`callback_url`, the account's URLs).
        public var webhookTargets: WebhookTargets
        /// Connections at once (in all, per address) and how long a request may take to arrive.
        public var connections: ConnectionLimits.Configuration

        public init(
            maximumBatch: Int = 10_000, singleBodyLimit: Int = 64 * 1024, batchBodyLimit: Int = 8 * 1024 * 1024,
            webhookTargets: WebhookTargets = .init(), connections: ConnectionLimits.Configuration = .init()
        ) {
            self.webhookTargets = webhookTargets
            self.connections = connections
            self.maximumBatch = maximumBatch
            self.singleBodyLimit = singleBodyLimit
            self.batchBodyLimit = batchBodyLimit
        }
    }

    public let gateway: Gateway
    public let keys: APIKeyRegistry
    public let configuration: Configuration
    let limiter = RateLimiter()
    /// The listener's connections (counted across all of `application`'s channels).
    public let connectionLimits: ConnectionLimits
    let idempotency: IdempotencyCache
    let logger: Logger
    /// The operator's API under `/admin/v1` (none without an admin token).
    public let admin: AdminAPI?

    public init(
        gateway: Gateway, keys: APIKeyRegistry, configuration: Configuration = .init(), admin: AdminAPI? = nil,
        logger: Logger = Logger(label: "shortwave.http")
    ) {
        self.admin = admin
        self.gateway = gateway
        self.keys = keys
        self.configuration = configuration
        self.idempotency = IdempotencyCache(store: gateway.store)
        self.logger = logger
        self.connectionLimits = ConnectionLimits(configuration.connections, logger: logger)
    }

    /// Serves the API on `host:port` (port 0: any free port; `onRunning` gets the one bound);
    /// `includeAdmin: false` leaves the admin API (and /metrics) out, for its own listener.
    public func application(
        host: String, port: Int, includeAdmin: Bool = true, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol & Sendable {
        Application(
            router: self.router(includeAdmin: includeAdmin), server: .http1(configuration: self.connectionLimits.channelConfiguration),
            configuration: .init(address: .hostname(host, port: port), serverName: "shortwave"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) }, logger: self.logger)
    }

    public func router(includeAdmin: Bool = true) -> Router<APIContext> {
        let router = Router(context: APIContext.self)
        router.add(middleware: ProblemMiddleware(logger: self.logger))
        // Requests and their durations by endpoint (path patterns, never ids).
        router.add(middleware: MetricsMiddleware())
        router.get("/v2/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        router.get("/health/live") { _, _ in Self.json(.ok, #"{"status":"ok"}"#) }
        router.get("/health/ready") { _, _ in
            // Not ready while shutting down, or while the store cannot be read or cannot commit
            // (checked again at most once a second: ready again by itself when it can).
            guard self.gateway.isAcceptingMessages else { return Self.json(.serviceUnavailable, #"{"status":"unavailable","reason":"shutting_down"}"#) }
            guard (try? await self.gateway.store.accounts()) != nil, await self.gateway.isReady() else {
                return Self.json(.serviceUnavailable, #"{"status":"unavailable","reason":"storage"}"#)
            }
            return Self.json(.ok, #"{"status":"ready"}"#)
        }
        let api = router.group("/v2").add(middleware: Authentication(api: self))
        api.post("/messages") { request, context in try await self.send(request, context) }
        api.post("/messages/batch") { request, context in try await self.sendBatch(request, context) }
        api.get("/messages") { request, context in try await self.list(request, context) }
        api.get("/messages/:id") { request, context in try await self.get(request, context) }
        api.delete("/messages/:id") { request, context in try await self.cancel(request, context) }
        api.get("/lookup/:number") { request, context in try self.lookup(request, context) }
        api.get("/account") { _, context in try self.accountResponse(try context.caller().0) }
        api.patch("/account") { request, context in try await self.updateAccount(request, context) }
        api.get("/keys") { _, context in try self.listKeys(context) }
        api.post("/keys") { request, context in try await self.createKey(request, context) }
        api.delete("/keys/:id") { request, context in try await self.revokeKey(request, context) }
        if includeAdmin, let admin = self.admin { self.addAdminRoutes(to: router, admin: admin) }
        return router
    }

    /// The admin API (and /metrics, /health) alone, on a listener of its own (`http.adminPort`).
    public func adminApplication(
        host: String, port: Int, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol & Sendable {
        let router = Router(context: APIContext.self)
        router.add(middleware: ProblemMiddleware(logger: self.logger))
        router.get("/health/live") { _, _ in Self.json(.ok, #"{"status":"ok"}"#) }
        if let admin = self.admin { self.addAdminRoutes(to: router, admin: admin) }
        return Application(
            router: router, server: .http1(configuration: self.connectionLimits.channelConfiguration),
            configuration: .init(address: .hostname(host, port: port), serverName: "shortwave-admin"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) }, logger: self.logger)
    }

    // MARK: helpers

    static func json(_ status: HTTPResponse.Status, _ bytes: [UInt8], headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// The body as JSON, within `limit` bytes.
    func jsonBody(_ request: Request, limit: Int) async throws -> (JSONValue, ByteBuffer) {
        if let type = request.headers[.contentType], type != "application/json" {
            let media = type.split(separator: ";").first.map { $0.trimmingCharacters(in: " ").lowercased() } ?? ""
            guard media == "application/json" || media.hasSuffix("+json") else { throw Problem.unsupportedMediaType(String(media)) }
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw Problem.bodyTooLarge(limit)
        }
        guard buffer.readableBytes > 0 else { throw Problem.emptyBody() }
        do {
            return (try buffer.withUnsafeReadableBytes { try JSONValue.parse($0.bindMemory(to: UInt8.self)) }, buffer)
        } catch let error as JSONValue.SyntaxError {
            throw Problem.malformedJSON("the body is not valid JSON: \(error.description)")
        }
    }

    /// Submits to the gateway and waits for the commit.
    func accept(
        _ fields: [SubmitValidation.Fields], account: Account, perMessage: [(clientReference: String?, callbackURL: String?)],
        idempotency: (@Sendable ([Message]) -> IdempotencyRecord)?
    ) async -> Result<[Message], Refused> {
        await withCheckedContinuation { continuation in
            self.gateway.accept(fields, account: account, ingress: .http, perMessage: perMessage, idempotency: idempotency) { result in
                continuation.resume(returning: result)
            }
        }
    }

    /// The Idempotency-Key of a POST: nil without one; a response to give instead (a replay or
    /// a conflict) as `.answered`.
    enum IdempotencyStart {
        case none
        case held(key: String, requestHash: [UInt8])
        case answered(Response)
    }

    func beginIdempotency(_ request: Request, account: Account, body: ByteBuffer) async throws -> IdempotencyStart {
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!] else { return .none }
        guard IdempotencyCache.isValid(key: key) else { throw Problem.invalidIdempotencyKey() }
        let hash = IdempotencyCache.requestHash(method: request.method.rawValue, path: request.uri.path, body: body.readableBytesView)
        switch try await self.idempotency.begin(accountID: account.id, key: key, requestHash: hash) {
        case .proceed:
            return .held(key: key, requestHash: hash)
        case .replay(let record):
            return .answered(
                Self.json(
                    HTTPResponse.Status(code: record.status), record.body,
                    headers: [HTTPField.Name("Idempotent-Replayed")!: "true"]))
        case .conflict(let problem):
            throw problem
        }
    }

    func recordMaker(_ start: IdempotencyStart, account: Account, status: Int, body: @escaping @Sendable ([Message]) -> [UInt8])
        -> (@Sendable ([Message]) -> IdempotencyRecord)?
    {
        guard case .held(let key, let hash) = start else { return nil }
        let accountID = account.id
        return { messages in
            IdempotencyRecord(
                accountID: accountID, key: key, requestHash: hash, status: status, body: body(messages), createdAt: self.gateway.clock.wallMilliseconds)
        }
    }

    func settle(_ start: IdempotencyStart, account: Account, record: IdempotencyRecord?) {
        guard case .held(let key, _) = start else { return }
        if let record { self.idempotency.finish(record) } else { self.idempotency.release(accountID: account.id, key: key) }
    }
}

// MARK: middleware

/// Turns every error into a problem document: the handlers' `Problem`s, the router's 404/405,
/// an oversized body, and anything unexpected (500, logged).
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let logger: Logger

    /// The routes and their methods (`*` one path segment), for 405 answers.
    static let routes: [(pattern: [Substring], methods: [String])] = [
        ("/v2/messages", ["GET", "POST"]), ("/v2/messages/batch", ["POST"]), ("/v2/messages/*", ["GET", "DELETE"]),
        ("/v2/lookup/*", ["GET"]), ("/v2/account", ["GET", "PATCH"]), ("/v2/keys", ["GET", "POST"]), ("/v2/keys/*", ["DELETE"]),
        ("/v2/openapi.json", ["GET"]), ("/health/live", ["GET"]), ("/health/ready", ["GET"]),
        ("/admin/v1/accounts", ["GET", "POST"]), ("/admin/v1/accounts/*", ["GET", "PATCH", "DELETE"]),
        ("/admin/v1/accounts/*/password", ["POST"]), ("/admin/v1/accounts/*/webhook-secret", ["POST"]),
        ("/admin/v1/accounts/*/keys", ["GET", "POST"]), ("/admin/v1/accounts/*/dlt", ["GET", "PUT"]),
        ("/admin/v1/accounts/*/balance", ["POST"]), ("/admin/v1/openapi.json", ["GET"]),
        ("/metrics", ["GET"]), ("/admin/v1/accounts/*/keys/*", ["DELETE"]), ("/admin/v1/binds", ["GET"]),
        ("/admin/v1/binds/*", ["DELETE"]), ("/admin/v1/connectors", ["GET", "POST"]),
        ("/admin/v1/connectors/*", ["DELETE"]), ("/admin/v1/routes", ["GET", "PUT"]),
    ].map { ($0.0.split(separator: "/"), $0.1) }

    static func allowedMethods(path: String) -> [String]? {
        let segments = path.split(separator: "/")
        for route in routes where route.pattern.count == segments.count {
            if zip(route.pattern, segments).allSatisfy({ $0 == "*" || $0 == $1 }) { return route.methods }
        }
        return nil
    }

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return problem.response(instance: request.uri.path)
        } catch let error as HTTPError {
            switch error.status {
            case .notFound:
                // A path we serve with other methods: 405 with the allowed ones. (One this
                // listener does not serve at all — the admin API on its own port — is a 404.)
                if let allowed = Self.allowedMethods(path: request.uri.path), !allowed.contains(request.method.rawValue) {
                    var problem = Problem.methodNotAllowed(request.method.rawValue, request.uri.path)
                    problem.headers[.allow] = allowed.joined(separator: ", ")
                    return problem.response(instance: request.uri.path)
                }
                return Problem.routeNotFound(request.uri.path).response(instance: request.uri.path)
            case .methodNotAllowed:
                return Problem.methodNotAllowed(request.method.rawValue, request.uri.path).response(instance: request.uri.path)
            case .contentTooLarge: return Problem.bodyTooLarge(context.maxUploadSize).response(instance: request.uri.path)
            default:
                return Problem(error.status, "http_error", error.status.reasonPhrase, detail: error.body ?? error.status.reasonPhrase)
                    .response(instance: request.uri.path)
            }
        } catch is NIOTooManyBytesError {
            return Problem.bodyTooLarge(context.maxUploadSize).response(instance: request.uri.path)
        } catch {
            self.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return Problem.internalError("the request could not be completed; it can be retried").response(instance: request.uri.path)
        }
    }
}

/// `Authorization: Bearer <key>`, then the key's request rate (429 past it, `RateLimit-*`
/// headers on every answer of a limited account).
struct Authentication: RouterMiddleware {
    typealias Context = APIContext
    let api: HTTPAPI

    static let limitHeader = HTTPField.Name("RateLimit-Limit")!
    static let remainingHeader = HTTPField.Name("RateLimit-Remaining")!
    static let resetHeader = HTTPField.Name("RateLimit-Reset")!

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw Problem.unauthorized("send the API key as `Authorization: Bearer <key>`")
        }
        // `Bearer <key>`, the scheme in any case (RFC 9110 §11.1).
        let octets = header.utf8
        guard octets.count > 7, octets.prefix(6).elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 }),
            octets.dropFirst(6).first == UInt8(ascii: " ")
        else {
            throw Problem.unauthorized("the Authorization header must be `Bearer <key>`")
        }
        var token = Substring(header).dropFirst(7)
        while token.first == " " { token = token.dropFirst() }
        while token.last == " " { token = token.dropLast() }
        let key: APIKey
        switch self.api.keys.authenticate(token) {
        case .success(let found): key = found
        case .failure(.revoked): throw Problem.invalidKey("this API key was revoked")
        case .failure(.malformed): throw Problem.invalidKey("this is not a Shortwave API key (they look like sw_<12 characters>_<32 characters>)")
        case .failure(.unknown): throw Problem.invalidKey("no such API key")
        }
        guard let account = self.api.gateway.accounts.account(id: key.accountID) else { throw Problem.invalidKey("the key's account no longer exists") }
        guard account.enabled else { throw Problem.accountDisabled() }
        guard account.allowedIPs.allows(context.remoteAddress) else {
            throw Problem(
                .forbidden, "address_not_allowed", "Address not allowed",
                detail: "this account may not be used from \(context.remoteAddress ?? "an unknown address")")
        }
        var context = context
        context.account = account
        context.key = key
        guard let limit = account.requestsPerSecond else { return try await next(request, context) }
        let decision = self.api.limiter.take(key: key.id, limit: limit)
        var headers: HTTPFields = [
            Self.limitHeader: "\(decision.limit)", Self.remainingHeader: "\(decision.remaining)", Self.resetHeader: "\(decision.reset)",
        ]
        guard decision.allowed else {
            var problem = Problem.rateLimited(limit: limit, retryAfter: decision.reset)
            headers.append(contentsOf: problem.headers)
            problem.headers = headers
            throw problem
        }
        var response = try await next(request, context)
        response.headers.append(contentsOf: headers)
        return response
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
