import GatewayCore
import NIOCore
import SMPPCore

/// One message of `POST /v2/messages` (or of a batch), checked field by field and turned into
/// the gateway's submit fields. Every fault is a `Problem` naming the field.
struct SendRequest: Sendable {
    var fields: SubmitValidation.Fields
    var encoding: String
    var segments: Int
    var clientReference: String?
    var callbackURL: String?

    static let knownFields: Set<String> = [
        "to", "from", "body", "encoding", "callback_url", "validity_period", "schedule_at", "client_ref", "dlt",
    ]

    /// Reads one message object. `prefix` names where it sits (`messages[3].`) in problems;
    /// `shared` supplies fields a batch gives once for all (its recipients aside).
    static func parse(
        _ value: JSONValue, prefix: String = "", shared: JSONValue? = nil, account: Account, limits: SubmitValidation.Limits,
        webhookTargets: WebhookTargets = .init(), now: Int64
    ) -> Result<SendRequest, Problem> {
        guard case .object(let members) = value else {
            return .failure(.invalidField(prefix.isEmpty ? "body" : String(prefix.dropLast()), "expected a JSON object, got \(value.typeName)"))
        }
        for (name, _) in members where !knownFields.contains(name) { return .failure(.unknownField(prefix + name)) }
        func member(_ name: String) -> JSONValue? {
            if let own = value[name], own != .null { return own }
            if let shared, let inherited = shared[name], inherited != .null { return inherited }
            return nil
        }
        func string(_ name: String, required: Bool = false) -> Result<String?, Problem> {
            guard let found = member(name) else { return required ? .failure(.missingField(prefix + name)) : .success(nil) }
            guard case .string(let text) = found else {
                return .failure(.invalidField(prefix + name, "`\(prefix + name)` must be a string, not \(found.typeName)"))
            }
            return .success(text)
        }
        do throws(Problem) {
            // Recipient.
            let to = try string("to", required: true).get()!
            guard let number = PhoneNumber(to) else { return .failure(.invalidNumber(prefix + "to", to)) }
            // Sender.
            let from = try string("from", required: true).get()!
            guard let source = Self.sender(from) else { return .failure(.invalidSender(prefix + "from", from)) }
            guard account.maySend(from: source.address) else { return .failure(.senderNotAllowed(prefix + "from", from)) }
            // Body and its encoding.
            let body = try string("body", required: true).get()!
            guard !body.isEmpty else { return .failure(.invalidField(prefix + "body", "`\(prefix)body` may not be empty")) }
            let encodingName = try string("encoding").get() ?? "auto"
            let alphabet: SMSAlphabet?
            switch encodingName {
            case "auto": alphabet = nil
            case "gsm7": alphabet = .gsm7
            case "ucs2": alphabet = .ucs2
            default:
                return .failure(.invalidField(prefix + "encoding", "`\(prefix)encoding` must be `auto`, `gsm7` or `ucs2`, not `\(encodingName)`"))
            }
            guard let encoded = EncodedText(body, alphabet: alphabet) else { return .failure(.notEncodable(prefix + "body", encodingName)) }
            let dataCoding: DataCoding = encoded.alphabet == .ucs2 ? DataCoding(rawValue: 0x08) : .smscDefault
            let segments = SubmitValidation.segments(octets: encoded.octets.count, dataCoding: dataCoding, udhi: false)
            guard segments <= limits.maximumSegments else {
                return .failure(.messageTooLong(prefix + "body", segments: segments, maximum: limits.maximumSegments))
            }
            // Options.
            let callback = try string("callback_url").get()
            if let callback {
                if let problem = webhookTargets.problem(url: callback, field: prefix + "callback_url") { return .failure(problem) }
            }
            let reference = try string("client_ref").get()
            if let reference, reference.utf8.count > 128 {
                return .failure(.invalidField(prefix + "client_ref", "`\(prefix)client_ref` may be at most 128 bytes"))
            }
            var validity: SMPPTime?
            if let found = member("validity_period") {
                let maximum = Int(SubmitValidation.milliseconds(limits.maximumValidity) / 1000)
                guard case .number(let seconds) = found, seconds == seconds.rounded(), seconds >= 1, seconds <= Double(maximum) else {
                    return .failure(
                        .invalidField(prefix + "validity_period", "`\(prefix)validity_period` must be a whole number of seconds from 1 to \(maximum)"))
                }
                validity = .absolute(SMPPTime.AbsoluteTime(secondsSince1970: (now / 1000) + Int64(seconds)))
            }
            var schedule: SMPPTime?
            if let text = try string("schedule_at").get() {
                guard let at = Timestamp.parse(text) else {
                    return .failure(
                        .invalidField(prefix + "schedule_at", "`\(prefix)schedule_at` must be an RFC 3339 time such as 2026-12-01T09:30:00Z"))
                }
                if at > now + SubmitValidation.milliseconds(limits.maximumValidity) {
                    return .failure(.invalidField(prefix + "schedule_at", "`\(prefix)schedule_at` may be at most 7 days ahead"))
                }
                if at > now { schedule = .absolute(SMPPTime.AbsoluteTime(secondsSince1970: at / 1000, tenths: Int(at % 1000 / 100))) }
            }
            var tlvs = TLVList()
            if let dlt = member("dlt") {
                guard case .object(let dltMembers) = dlt else {
                    return .failure(.invalidField(prefix + "dlt", "`\(prefix)dlt` must be an object with entity_id and template_id"))
                }
                for (name, _) in dltMembers where name != "entity_id" && name != "template_id" { return .failure(.unknownField(prefix + "dlt." + name)) }
                for name in ["entity_id", "template_id"] {
                    guard case .string(let id) = dlt[name] ?? .null else { return .failure(.missingField(prefix + "dlt." + name)) }
                    guard (1...30).contains(id.count), id.allSatisfy(\.isASCIIDigit) else {
                        return .failure(.invalidField(prefix + "dlt." + name, "`\(prefix)dlt.\(name)` must be 1–30 digits"))
                    }
                    if name == "entity_id" { tlvs.dltPrincipalEntityID = id } else { tlvs.dltContentTemplateID = id }
                }
            }
            var shortMessage = ByteBuffer()
            if encoded.octets.count <= 254 {
                shortMessage = ByteBuffer(bytes: encoded.octets)
            } else {
                tlvs.append(TLV(tag: .messagePayload, value: ByteBuffer(bytes: encoded.octets)))
            }
            let submit = SubmitSM(
                source: source, destination: SMPPAddress(ton: .international, npi: .isdn, number.digits), scheduleDeliveryTime: schedule,
                validityPeriod: validity, dataCoding: dataCoding, shortMessage: shortMessage, tlvs: tlvs)
            return .success(
                SendRequest(
                    fields: SubmitValidation.Fields(submit), encoding: encoded.alphabet == .ucs2 ? "ucs2" : "gsm7", segments: segments,
                    clientReference: reference, callbackURL: callback))
        } catch {
            return .failure(error)
        }
    }

    /// A sender: a phone number (international), a short code (3–8 digits), or an alphanumeric
    /// name of 1–11 GSM characters.
    static func sender(_ text: String) -> SMPPAddress? {
        let octets = text.utf8
        let allDigits = !octets.isEmpty && octets.allSatisfy { (0x30...0x39).contains($0) }
        if octets.first == UInt8(ascii: "+") || (allDigits && octets.count > 8) {
            guard let number = PhoneNumber(text) else { return nil }
            return SMPPAddress(ton: .international, npi: .isdn, number.digits)
        }
        if allDigits, (3...8).contains(octets.count) { return SMPPAddress(ton: .national, npi: .isdn, text) }
        // Alphanumeric: ASCII letters, digits and a little punctuation (GSM-safe), at least one
        // letter, no space at either end.
        func isLetter(_ octet: UInt8) -> Bool { (0x41...0x5A).contains(octet) || (0x61...0x7A).contains(octet) }
        guard (1...11).contains(octets.count), octets.first != UInt8(ascii: " "), octets.last != UInt8(ascii: " "),
            octets.allSatisfy({ isLetter($0) || (0x30...0x39).contains($0) || Array(" .-_&".utf8).contains($0) }), octets.contains(where: isLetter)
        else { return nil }
        return SMPPAddress(ton: .alphanumeric, npi: .unknown, text)
    }

    /// The URL's host (without port), if it is an http(s) URL.
    static func host(of url: String) -> Substring? {
        let rest: Substring
        if url.hasPrefix("https://") { rest = url.dropFirst(8) } else if url.hasPrefix("http://") { rest = url.dropFirst(7) } else { return nil }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if authority.hasPrefix("[") { return authority.prefix { $0 != "]" }.dropFirst() }
        return authority.prefix { $0 != ":" }
    }

    static func isWebURL(_ text: String) -> Bool {
        guard text.utf8.count <= 2048, !text.contains(where: { $0 == " " || $0.isNewline }) else { return false }
        let rest: Substring
        if text.hasPrefix("https://") { rest = text.dropFirst(8) } else if text.hasPrefix("http://") { rest = text.dropFirst(7) } else { return false }
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return !host.isEmpty && !host.hasPrefix(":") && !host.contains("@")
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
