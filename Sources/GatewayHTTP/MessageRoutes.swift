import Foundation
import HTTPTypes
import GatewayCore
import Hummingbird
import NIOCore
import SMPPCore

extension HTTPAPI {
    // MARK: POST /v2/messages

    func send(_ request: Request, _ context: APIContext) async throws -> Response {
        let (account, _) = try context.caller()
        let (json, body) = try await self.jsonBody(request, limit: self.configuration.singleBodyLimit)
        let start = try await self.beginIdempotency(request, account: account, body: body)
        if case .answered(let response) = start { return response }
        var record: IdempotencyRecord?
        defer { self.settle(start, account: account, record: record) }
        let parsed = try SendRequest.parse(
            json, account: account, limits: self.gateway.validationLimits, webhookTargets: self.configuration.webhookTargets,
            now: self.gateway.clock.wallMilliseconds
        ).get()
        let made = self.recordMaker(start, account: account, status: 202) { messages in Self.messageJSON(messages[0]) }
        let result = await self.accept(
            [parsed.fields], account: account, perMessage: [(parsed.clientReference, parsed.callbackURL)],
            idempotency: made)
        switch result {
        case .success(let messages):
            if let made { record = made(messages) }
            return Self.json(.accepted, Self.messageJSON(messages[0]), headers: [.location: "/v2/messages/\(messages[0].id)"])
        case .failure(let refused):
            throw Problem.refused(refused, field: "")
        }
    }

    static func messageJSON(_ message: Message) -> [UInt8] {
        var json = JSONWriter(capacity: 512)
        message.writeJSON(into: &json)
        return json.bytes
    }

    // MARK: POST /v2/messages/batch

    static let batchFields: Set<String> = SendRequest.knownFields.union(["messages"])

    func sendBatch(_ request: Request, _ context: APIContext) async throws -> Response {
        let (account, _) = try context.caller()
        let (json, body) = try await self.jsonBody(request, limit: self.configuration.batchBodyLimit)
        guard case .object(let members) = json else { throw Problem.invalidField("body", "the batch must be a JSON object") }
        for (name, _) in members where !Self.batchFields.contains(name) { throw Problem.unknownField(name) }
        // The entries: `messages` (each may leave out fields given at the top), and/or `to` as a
        // list of recipients of the top-level message.
        var entries: [(value: JSONValue, prefix: String, recipientField: String?)] = []
        switch json["messages"] {
        case nil, .null?: break
        case .array(let items)?:
            for (index, item) in items.enumerated() { entries.append((item, "messages[\(index)].", nil)) }
        case let other?: throw Problem.invalidField("messages", "`messages` must be an array of message objects, not \(other.typeName)")
        }
        var shared = json
        switch json["to"] {
        case nil, .null?: break
        case .array(let recipients)?:
            for (index, recipient) in recipients.enumerated() { entries.append((.object([("to", recipient)]), "", "to[\(index)]")) }
            shared = .object(members.filter { $0.0 != "to" && $0.0 != "messages" })
        case .string?:
            throw Problem.invalidField("to", "in a batch `to` is an array of recipients (or use `messages`)")
        case let other?: throw Problem.invalidField("to", "`to` must be an array of phone numbers, not \(other.typeName)")
        }
        if json["to"] == nil || json["to"] == .null { shared = .object(members.filter { $0.0 != "messages" }) }
        guard !entries.isEmpty else { throw Problem.missingField("messages") }
        guard entries.count <= self.configuration.maximumBatch else {
            throw Problem.batchTooLarge(entries.count, maximum: self.configuration.maximumBatch)
        }
        let start = try await self.beginIdempotency(request, account: account, body: body)
        if case .answered(let response) = start { return response }
        var record: IdempotencyRecord?
        defer { self.settle(start, account: account, record: record) }

        let limits = self.gateway.validationLimits
        let now = self.gateway.clock.wallMilliseconds
        var valid: [(index: Int, request: SendRequest)] = []
        var errors: [(index: Int, problem: Problem)] = []
        valid.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            switch SendRequest.parse(
                entry.value, prefix: entry.prefix, shared: shared, account: account, limits: limits,
                webhookTargets: self.configuration.webhookTargets, now: now)
            {
            case .success(let parsed):
                if let refused = self.gateway.check(parsed.fields, account: account) {
                    errors.append((index, Problem.refused(refused, field: entry.prefix)))
                } else {
                    valid.append((index, parsed))
                }
            case .failure(var problem):
                if let field = entry.recipientField, problem.field == "to" { problem.field = field }
                errors.append((index, problem))
            }
        }
        guard !valid.isEmpty else { throw Problem.batchRejected(errors) }
        let indices = valid.map(\.index)
        let rejected = errors
        let total = entries.count
        let made = self.recordMaker(start, account: account, status: 202) { messages in
            Self.batchJSON(messages: messages, indices: indices, errors: rejected, total: total)
        }
        let result = await self.accept(
            valid.map(\.request.fields), account: account, perMessage: valid.map { ($0.request.clientReference, $0.request.callbackURL) },
            idempotency: made)
        switch result {
        case .success(let messages):
            if let made { record = made(messages) }
            return Self.json(.accepted, Self.batchJSON(messages: messages, indices: indices, errors: errors, total: total))
        case .failure(let refused):
            throw Problem.refused(refused, field: "")
        }
    }

    /// `{"accepted": n, "rejected": m, "results": [...]}` in request order: each entry either
    /// `{"index", "id", "status", "segments"}` or `{"index", "error": {code, detail, field}}`.
    static func batchJSON(messages: [Message], indices: [Int], errors: [(index: Int, problem: Problem)], total: Int) -> [UInt8] {
        var json = JSONWriter(capacity: 64 + total * 72)
        json.beginObject()
        json.key("accepted")
        json.int(messages.count)
        json.key("rejected")
        json.int(errors.count)
        json.key("results")
        json.beginArray()
        var next = 0
        var nextError = 0
        for index in 0..<total {
            if next < indices.count, indices[next] == index {
                let message = messages[next]
                next += 1
                json.beginObject()
                json.key("index")
                json.int(index)
                json.key("id")
                json.string(message.id.description)
                json.key("status")
                json.string(message.status.rawValue)
                json.key("segments")
                json.int(message.segments)
                json.endObject()
            } else if nextError < errors.count, errors[nextError].index == index {
                let problem = errors[nextError].problem
                nextError += 1
                json.beginObject()
                json.key("index")
                json.int(index)
                json.key("error")
                json.beginObject()
                json.key("code")
                json.string(problem.code)
                json.key("detail")
                json.string(problem.detail)
                json.key("field")
                json.string(problem.field)
                json.endObject()
                json.endObject()
            }
        }
        json.endArray()
        json.endObject()
        return json.bytes
    }

    // MARK: GET /v2/messages/{id}, DELETE /v2/messages/{id}

    func get(_ request: Request, _ context: APIContext) async throws -> Response {
        let (account, _) = try context.caller()
        let text = context.parameters.get("id") ?? ""
        // An id that is not ours, or not an id at all, is simply not found: never a leak.
        guard let id = MessageID(text), let message = try await self.gateway.requests.message(id, accountID: account.id) else {
            throw Problem.notFound("no message \(text) in this account")
        }
        return Self.json(.ok, Self.messageJSON(message))
    }

    func cancel(_ request: Request, _ context: APIContext) async throws -> Response {
        let (account, _) = try context.caller()
        let text = context.parameters.get("id") ?? ""
        guard let id = MessageID(text) else { throw Problem.notFound("no message \(text) in this account") }
        switch try await self.gateway.requests.cancel(id, accountID: account.id) {
        case .notFound: throw Problem.notFound("no message \(text) in this account")
        case .tooLate: throw Problem.notCancellable(text)
        case .cancelled:
            guard let message = try await self.gateway.requests.message(id, accountID: account.id) else { throw Problem.notFound("no message \(text)") }
            return Self.json(.ok, Self.messageJSON(message))
        }
    }

    // MARK: GET /v2/messages

    static let listParameters: Set<String> = ["limit", "cursor", "status", "since", "until", "recipient", "client_ref"]

    func list(_ request: Request, _ context: APIContext) async throws -> Response {
        let (account, _) = try context.caller()
        let parameters = request.uri.queryParameters
        for (name, _) in parameters where !Self.listParameters.contains(String(name)) {
            throw Problem.invalidQuery(String(name), "unknown query parameter `\(name)`; known: \(Self.listParameters.sorted().joined(separator: ", "))")
        }
        var query = MessageQuery(accountID: account.id)
        if let text = parameters["limit"] {
            guard let limit = Int(text), (1...1000).contains(limit) else { throw Problem.invalidQuery("limit", "`limit` must be 1 to 1000") }
            query.limit = limit
        }
        if let text = parameters["cursor"] {
            guard let cursor = MessageID(String(text)) else { throw Problem.invalidQuery("cursor", "`cursor` must be a next_cursor this API gave") }
            query.before = cursor
        }
        if let text = parameters["status"] {
            guard let status = MessageStatus(rawValue: String(text)) else {
                throw Problem.invalidQuery(
                    "status", "`status` must be one of \(MessageStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            query.status = status
        }
        if let text = parameters["since"] {
            guard let at = Timestamp.parse(String(text)) else { throw Problem.invalidQuery("since", "`since` must be an RFC 3339 time") }
            query.notBefore = MessageID(rawValue: UInt64(max(0, at - MessageID.epochMilliseconds)) << 22)
        }
        if let text = parameters["until"] {
            guard let at = Timestamp.parse(String(text)) else { throw Problem.invalidQuery("until", "`until` must be an RFC 3339 time") }
            let bound = MessageID(rawValue: UInt64(max(0, at - MessageID.epochMilliseconds)) << 22)
            query.before = min(query.before ?? bound, bound)
        }
        if let text = parameters["recipient"] {
            guard let number = PhoneNumber(String(text)) else { throw Problem.invalidQuery("recipient", "`recipient` must be a phone number") }
            query.recipient = number.digits
        }
        if let text = parameters["client_ref"] { query.clientReference = String(text) }
        let page = try await self.gateway.store.messages(query)
        var json = JSONWriter(capacity: 128 + page.messages.count * 400)
        json.beginObject()
        json.key("data")
        json.beginArray()
        for message in page.messages { message.writeJSON(into: &json) }
        json.endArray()
        json.key("next_cursor")
        json.string(page.next?.description)
        json.endObject()
        return Self.json(.ok, json.bytes)
    }
}
