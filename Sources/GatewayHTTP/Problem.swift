import SMPPCore
public import HTTPTypes
public import GatewayCore
public import Hummingbird
import NIOCore

/// An RFC 9457 problem document (`application/problem+json`): every error the API answers with.
/// `code` is stable and machine-readable (one per fault; the OpenAPI document lists them);
/// `title` is the code's fixed human summary; `detail` says what exactly was wrong.
public struct Problem: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var title: String
    public var detail: String
    /// The request field at fault (a JSON pointer-like path: `to`, `messages[3].body`).
    public var field: String?
    /// Per-item problems (a batch).
    public var errors: [(index: Int, problem: Problem)]
    public var headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, _ code: String, _ title: String, detail: String, field: String? = nil,
        errors: [(index: Int, problem: Problem)] = [], headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.field = field
        self.errors = errors
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        self.response(instance: request.uri.path)
    }

    public func response(instance: String?) -> Response {
        var json = JSONWriter(capacity: 256)
        self.write(into: &json, instance: instance)
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: self.status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }

    public func write(into json: inout JSONWriter, instance: String?) {
        json.beginObject()
        json.key("type")
        json.string("https://shortwave.dev/problems/" + self.code)
        json.key("title")
        json.string(self.title)
        json.key("status")
        json.int(self.status.code)
        json.key("code")
        json.string(self.code)
        json.key("detail")
        json.string(self.detail)
        if let instance {
            json.key("instance")
            json.string(instance)
        }
        if let field = self.field {
            json.key("field")
            json.string(field)
        }
        if !self.errors.isEmpty {
            json.key("errors")
            json.beginArray()
            for (index, problem) in self.errors {
                json.beginObject()
                json.key("index")
                json.int(index)
                json.key("code")
                json.string(problem.code)
                json.key("detail")
                json.string(problem.detail)
                if let field = problem.field {
                    json.key("field")
                    json.string(field)
                }
                json.endObject()
            }
            json.endArray()
        }
        json.endObject()
    }
}

/// Every problem the API answers with, by its stable code.
extension Problem {
    static func unauthorized(_ detail: String) -> Problem {
        Problem(.unauthorized, "unauthorized", "Missing or malformed credentials", detail: detail, headers: [.wwwAuthenticate: "Bearer"])
    }
    static func invalidKey(_ detail: String) -> Problem {
        Problem(.unauthorized, "invalid_api_key", "Unknown or revoked API key", detail: detail, headers: [.wwwAuthenticate: "Bearer"])
    }
    static func accountDisabled() -> Problem {
        Problem(.forbidden, "account_disabled", "Account disabled", detail: "this account is disabled; contact the gateway operator")
    }
    static func malformedJSON(_ detail: String) -> Problem {
        Problem(.badRequest, "malformed_json", "The body is not valid JSON", detail: detail)
    }
    static func emptyBody() -> Problem {
        Problem(.badRequest, "empty_body", "The request has no body", detail: "send a JSON object as the request body")
    }
    static func unsupportedMediaType(_ type: String) -> Problem {
        Problem(
            .unsupportedMediaType, "unsupported_media_type", "Send JSON",
            detail: "the body must be application/json, not \(type)")
    }
    static func bodyTooLarge(_ limit: Int) -> Problem {
        Problem(.contentTooLarge, "body_too_large", "Request body too large", detail: "the body may be at most \(limit) bytes")
    }
    static func missingField(_ field: String) -> Problem {
        Problem(.unprocessableContent, "missing_field", "A required field is missing", detail: "`\(field)` is required", field: field)
    }
    static func invalidField(_ field: String, _ detail: String) -> Problem {
        Problem(.unprocessableContent, "invalid_field", "A field has an invalid value", detail: detail, field: field)
    }
    static func unknownField(_ field: String) -> Problem {
        Problem(.unprocessableContent, "unknown_field", "Unknown field", detail: "`\(field)` is not a field of this request", field: field)
    }
    static func invalidNumber(_ field: String, _ value: String) -> Problem {
        Problem(
            .unprocessableContent, "invalid_number", "Not a valid phone number",
            detail: "`\(value)` is not a phone number in E.164 form (+ and country code, 8 to 15 digits)", field: field)
    }
    static func invalidSender(_ field: String, _ value: String) -> Problem {
        Problem(
            .unprocessableContent, "invalid_sender", "Not a valid sender",
            detail: "`\(value)` is neither a phone number nor an alphanumeric sender id of 1–11 letters, digits or spaces", field: field)
    }
    static func senderNotAllowed(_ field: String, _ value: String) -> Problem {
        Problem(.forbidden, "sender_not_allowed", "Sender not allowed", detail: "this account may not send from `\(value)`", field: field)
    }
    static func notEncodable(_ field: String, _ encoding: String) -> Problem {
        Problem(
            .unprocessableContent, "encoding_not_possible", "The body cannot be sent in that encoding",
            detail: "the body has characters that \(encoding) cannot carry; use `auto` or `ucs2`", field: field)
    }
    static func messageTooLong(_ field: String, segments: Int, maximum: Int) -> Problem {
        Problem(
            .unprocessableContent, "message_too_long", "Message too long",
            detail: "the body needs \(segments) segments; at most \(maximum) are allowed", field: field)
    }
    static func webhookHostNotAllowed(_ field: String) -> Problem {
        Problem(
            .unprocessableContent, "webhook_host_not_allowed", "Webhook host not allowed",
            detail: "this gateway sends webhooks only to the hosts its operator allowed (http.webhookHosts)", field: field)
    }
    static func webhookAddressNotAllowed(_ field: String, address: String) -> Problem {
        Problem(
            .unprocessableContent, "webhook_address_not_allowed", "Webhook address not allowed",
            detail:
                "webhooks do not go to loopback, private, link-local, multicast or reserved addresses (this URL is \(address)); "
                + "an operator can allow a range with http.webhookAllowedNetworks", field: field)
    }
    static func notFound(_ what: String) -> Problem {
        Problem(.notFound, "not_found", "Not found", detail: what)
    }
    static func routeNotFound(_ path: String) -> Problem {
        Problem(.notFound, "route_not_found", "No such endpoint", detail: "no endpoint at \(path); see /v2/openapi.json")
    }
    static func methodNotAllowed(_ method: String, _ path: String) -> Problem {
        Problem(.methodNotAllowed, "method_not_allowed", "Method not allowed", detail: "\(method) is not allowed on \(path)")
    }
    static func notCancellable(_ id: String) -> Problem {
        Problem(.conflict, "not_cancellable", "Too late to cancel", detail: "message \(id) was already sent on or is final")
    }
    static func cannotRevokeOwnKey() -> Problem {
        Problem(
            .conflict, "cannot_revoke_own_key", "A key cannot revoke itself",
            detail: "this is the key making the request; create another key and revoke this one with it")
    }
    static func idempotencyKeyReused() -> Problem {
        Problem(
            .unprocessableContent, "idempotency_key_reused", "Idempotency-Key used for another request",
            detail: "this Idempotency-Key was used in the last 24 hours with a different request; use a new key")
    }
    static func idempotencyInProgress() -> Problem {
        Problem(
            .conflict, "idempotency_request_in_progress", "A request with this Idempotency-Key is in progress",
            detail: "wait for the first request with this key to be answered, then retry", headers: [.retryAfter: "1"])
    }
    static func invalidIdempotencyKey() -> Problem {
        Problem(
            .badRequest, "invalid_idempotency_key", "Invalid Idempotency-Key",
            detail: "an Idempotency-Key is 1–255 printable ASCII characters")
    }
    static func rateLimited(limit: Int, retryAfter: Int) -> Problem {
        Problem(
            .tooManyRequests, "rate_limited", "Too many requests",
            detail: "this API key may make \(limit) requests a second; retry after \(retryAfter) s",
            headers: [.retryAfter: "\(retryAfter)"])
    }
    static func throughputExceeded() -> Problem {
        Problem(
            .tooManyRequests, "throughput_exceeded", "Message throughput exceeded",
            detail: "this account's messages-per-second limit is reached; retry in a second", headers: [.retryAfter: "1"])
    }
    static func queueFull() -> Problem {
        Problem(
            .serviceUnavailable, "queue_full", "The gateway is busy",
            detail: "too many messages are waiting to be stored; retry shortly", headers: [.retryAfter: "1"])
    }
    /// The store cannot commit (a full disk, a lost volume): nothing was accepted; the gateway
    /// recovers by itself when it can write again.
    static func storageUnavailable() -> Problem {
        var problem = Problem(
            .serviceUnavailable, "storage_unavailable", "Messages cannot be stored now",
            detail: "the gateway cannot write to its store; nothing was accepted — retry after the Retry-After seconds")
        problem.headers[.retryAfter] = "5"
        return problem
    }
    static func internalError(_ detail: String) -> Problem {
        Problem(.internalServerError, "internal_error", "Internal error", detail: detail)
    }
    static func batchTooLarge(_ count: Int, maximum: Int) -> Problem {
        Problem(
            .contentTooLarge, "batch_too_large", "Too many messages in one batch",
            detail: "a batch holds at most \(maximum) messages; this one has \(count)")
    }
    static func batchRejected(_ errors: [(index: Int, problem: Problem)]) -> Problem {
        Problem(
            .unprocessableContent, "batch_rejected", "No message of the batch is valid",
            detail: "every message of the batch was refused; see `errors`", errors: errors)
    }
    static func invalidQuery(_ parameter: String, _ detail: String) -> Problem {
        Problem(.badRequest, "invalid_query_parameter", "Invalid query parameter", detail: detail, field: parameter)
    }

    /// The HTTP problem for a refusal of the gateway's own validation (an SMPP status). The API
    /// checks each field first, so these are the limits only the gateway knows. `prefix` is
    /// where the message sits in a batch (`messages[3].`).
    static func refused(_ refused: Refused, field prefix: String) -> Problem {
        if refused.code == "insufficient_balance" {
            return Problem(HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required"), "insufficient_balance", "Not enough balance", detail: refused.reason ?? "top up the account")
        }
        if let code = refused.code {
            // A rule beyond SMPP's statuses (DLT): its own code, its own words.
            return Problem(
                .unprocessableContent, code, "DLT rule broken", detail: refused.reason ?? code, field: prefix + "dlt")
        }
        switch refused.status {
        case .throttled: return .throughputExceeded()
        case .messageQueueFull: return .queueFull()
        case .invalidExpiryTime: return .invalidField(prefix + "validity_period", "the validity period has already passed")
        case .invalidScheduledDeliveryTime:
            return .invalidField(
                prefix + "schedule_at", "the message would expire before it is sent; schedule it earlier or give a longer validity_period")
        case .invalidMessageLength: return .invalidField(prefix + "body", "the body is too long or not valid in its encoding")
        case .invalidDestinationAddress, .invalidDestinationTON, .invalidDestinationNPI:
            return .invalidField(prefix + "to", "the gateway refused this recipient")
        case .invalidSourceAddress, .invalidSourceTON, .invalidSourceNPI: return .invalidField(prefix + "from", "the gateway refused this sender")
        case .systemError: return .storageUnavailable()
        default:
            return .invalidField(prefix.isEmpty ? "body" : String(prefix.dropLast()), "the gateway refused the message (\(refused.status))")
        }
    }
}
