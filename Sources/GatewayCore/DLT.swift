import Crypto
public import SMPPCore

/// India's DLT (Distributed Ledger Technology) scrubbing, done at the gateway so that a message
/// the operator would drop is refused here with the exact reason: an account's registered
/// principal entities, headers (sender ids) and content templates, and the rules a message to a
/// DLT destination must pass.
public struct DLTRegistration: Sendable, Hashable, Codable {
    public enum Category: String, Sendable, Hashable, Codable, CaseIterable {
        case transactional
        case serviceImplicit = "service_implicit"
        case serviceExplicit = "service_explicit"
        case promotional

        /// Promotional and service-explicit traffic may go only inside the allowed hours.
        public var restrictedHours: Bool { self == .promotional || self == .serviceExplicit }
    }

    public struct Header: Sendable, Hashable, Codable {
        public var header: String
        public var entityID: String
        public var category: Category?

        public init(header: String, entityID: String, category: Category? = nil) {
            self.header = header
            self.entityID = entityID
            self.category = category
        }

        enum CodingKeys: String, CodingKey {
            case header
            case entityID = "entity_id"
            case category
        }
    }

    public struct Template: Sendable, Hashable, Codable {
        public var id: String
        public var entityID: String
        /// The text with `{#var#}` placeholders.
        public var text: String
        /// Headers it may be sent from; empty: any header of its entity.
        public var headers: [String]
        public var category: Category

        public init(id: String, entityID: String, text: String, headers: [String] = [], category: Category) {
            self.id = id
            self.entityID = entityID
            self.text = text
            self.headers = headers
            self.category = category
        }

        enum CodingKeys: String, CodingKey {
            case id
            case entityID = "entity_id"
            case text
            case headers
            case category
        }

        /// `headers` may be left out (any header of the entity).
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.id = try container.decode(String.self, forKey: .id)
            self.entityID = try container.decode(String.self, forKey: .entityID)
            self.text = try container.decode(String.self, forKey: .text)
            self.headers = try container.decodeIfPresent([String].self, forKey: .headers) ?? []
            self.category = try container.decode(Category.self, forKey: .category)
        }
    }

    public var entities: [String]
    public var headers: [Header]
    public var templates: [Template]

    enum CodingKeys: String, CodingKey {
        case entities, headers, templates
    }

    /// Every list may be left out (empty).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.entities = try container.decodeIfPresent([String].self, forKey: .entities) ?? []
        self.headers = try container.decodeIfPresent([Header].self, forKey: .headers) ?? []
        self.templates = try container.decodeIfPresent([Template].self, forKey: .templates) ?? []
    }

    public init(entities: [String] = [], headers: [Header] = [], templates: [Template] = []) {
        self.entities = entities
        self.headers = headers
        self.templates = templates
    }

    public var isEmpty: Bool { self.entities.isEmpty && self.headers.isEmpty && self.templates.isEmpty }

    /// A registration that does not hold together: the path of the fault and what is wrong.
    public struct Invalid: Error, Sendable, Hashable, CustomStringConvertible {
        public var field: String
        public var reason: String
        public var description: String { "\(self.field): \(self.reason)" }
    }

    /// Checks every id, header and template (placeholders included), all before any is used.
    public func validate() throws(Invalid) {
        func digits(_ text: String, _ field: String) throws(Invalid) {
            guard (1...30).contains(text.utf8.count), text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
                throw Invalid(field: field, reason: "must be 1–30 digits")
            }
        }
        var entities = Set<String>()
        for (index, entity) in self.entities.enumerated() {
            try digits(entity, "entities[\(index)]")
            guard entities.insert(entity).inserted else { throw Invalid(field: "entities[\(index)]", reason: "\(entity) is listed twice") }
        }
        var headers = [String: String]()
        for (index, header) in self.headers.enumerated() {
            guard (1...11).contains(header.header.utf8.count), header.header.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) })
            else { throw Invalid(field: "headers[\(index)].header", reason: "a header is 1–11 letters and digits") }
            guard entities.contains(header.entityID) else {
                throw Invalid(field: "headers[\(index)].entity_id", reason: "\(header.entityID) is not one of this account's entities")
            }
            guard headers.updateValue(header.entityID, forKey: header.header.uppercased()) == nil else {
                throw Invalid(field: "headers[\(index)].header", reason: "\(header.header) is registered twice")
            }
        }
        var templates = Set<String>()
        for (index, template) in self.templates.enumerated() {
            try digits(template.id, "templates[\(index)].id")
            guard templates.insert(template.id).inserted else { throw Invalid(field: "templates[\(index)].id", reason: "\(template.id) is listed twice") }
            guard entities.contains(template.entityID) else {
                throw Invalid(field: "templates[\(index)].entity_id", reason: "\(template.entityID) is not one of this account's entities")
            }
            do {
                _ = try DLTTemplate(template.text)
            } catch {
                throw Invalid(field: "templates[\(index)].text", reason: error.description)
            }
            for (position, header) in template.headers.enumerated() where headers[header.uppercased()] != template.entityID {
                throw Invalid(field: "templates[\(index)].headers[\(position)]", reason: "\(header) is not a header of entity \(template.entityID)")
            }
        }
    }
}

/// A content template compiled for matching: literal text and `{#var#}` placeholders, each
/// standing for up to 30 characters (none at all included).
public struct DLTTemplate: Sendable, Hashable {
    enum Part: Sendable, Hashable {
        case literal([Character])
        case variable
    }

    let parts: [Part]
    public static let variableLength = 30
    static let placeholder = "{#var#}"

    public struct Broken: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    public init(_ text: String) throws(Broken) {
        guard !text.isEmpty else { throw Broken(description: "a template needs text") }
        var parts: [Part] = []
        var literal: [Character] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            if rest.hasPrefix(Self.placeholder) {
                if !literal.isEmpty { parts.append(.literal(literal)) }
                literal = []
                parts.append(.variable)
                rest = rest.dropFirst(Self.placeholder.count)
                continue
            }
            // A `{#` or `#}` that is not part of `{#var#}` is a broken placeholder.
            if rest.hasPrefix("{#") || rest.hasPrefix("#}") {
                let shown = String(rest.prefix(12))
                throw Broken(description: "broken placeholder at `\(shown)`: placeholders are written {#var#}")
            }
            literal.append(rest.removeFirst())
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.parts = parts
    }

    /// Whether `body` is the template with each placeholder replaced by at most 30 characters.
    public func matches(_ body: String) -> Bool {
        let characters = Array(body)
        var failed = Set<Int>()  // part index × position already known not to match
        func match(_ part: Int, _ position: Int) -> Bool {
            if part == self.parts.count { return position == characters.count }
            let key = part * (characters.count + 1) + position
            if failed.contains(key) { return false }
            switch self.parts[part] {
            case .literal(let text):
                if position + text.count <= characters.count, characters[position..<position + text.count].elementsEqual(text),
                    match(part + 1, position + text.count)
                {
                    return true
                }
            case .variable:
                for length in 0...min(Self.variableLength, characters.count - position) where match(part + 1, position + length) {
                    return true
                }
            }
            failed.insert(key)
            return false
        }
        return match(0, 0)
    }
}

/// Which destinations DLT applies to and how a refusal is answered.
public struct DLTRules: Sendable, Hashable {
    /// Destination prefixes (international digits) under DLT: India, +91.
    public var prefixes: [String]
    /// The SMPP status of a refusal (0x45, ESME_RSUBMITFAIL, by default).
    public var rejectStatus: CommandStatus
    /// Promotional and service-explicit traffic only from `windowStart` to `windowEnd` (minutes
    /// after midnight in `utcOffsetMinutes`): 10:00–21:00 IST.
    public var windowStart: Int
    public var windowEnd: Int
    public var utcOffsetMinutes: Int

    public init(
        prefixes: [String] = ["91"], rejectStatus: CommandStatus = CommandStatus(rawValue: 0x45), windowStart: Int = 600, windowEnd: Int = 1260,
        utcOffsetMinutes: Int = 330
    ) {
        self.prefixes = prefixes
        self.rejectStatus = rejectStatus
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.utcOffsetMinutes = utcOffsetMinutes
    }

    public func applies(to destination: String) -> Bool {
        let digits = destination.hasPrefix("+") ? destination.dropFirst() : Substring(destination)
        return self.prefixes.contains { digits.hasPrefix($0) && digits.count > $0.count + 6 }
    }

    /// Why a message to a DLT destination may not go, or nil. `now` in milliseconds since 1970.
    public func check(_ message: Message, registration: DLTRegistration, now: Int64) -> DLTViolation? {
        guard self.applies(to: message.destination.address) else { return nil }
        guard let entity = message.tlvs.dltPrincipalEntityID, !entity.isEmpty else { return .missingEntityID }
        guard let templateID = message.tlvs.dltContentTemplateID, !templateID.isEmpty else { return .missingTemplateID }
        guard entity.utf8.allSatisfy({ (0x30...0x39).contains($0) }), templateID.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            return .malformedID
        }
        guard registration.entities.contains(entity) else { return .unknownEntity }
        let header = message.source.address.uppercased()
        guard registration.headers.contains(where: { $0.header.uppercased() == header && $0.entityID == entity }) else { return .headerNotRegistered }
        guard let template = registration.templates.first(where: { $0.id == templateID }) else { return .unknownTemplate }
        guard template.entityID == entity else { return .templateOfAnotherEntity }
        guard template.headers.isEmpty || template.headers.contains(where: { $0.uppercased() == header }) else { return .headerNotLinked }
        guard let body = message.text, let compiled = try? DLTTemplate(template.text), compiled.matches(body) else { return .bodyMismatch }
        if template.category.restrictedHours {
            let minute = ((now / 60_000 + Int64(self.utcOffsetMinutes)) % 1440 + 1440) % 1440
            guard minute >= Int64(self.windowStart) && minute < Int64(self.windowEnd) else { return .outsideHours }
        }
        return nil
    }
}

extension DLTRules {
    /// The PE–TM chain hash (TLV 0x1402): SHA-256, in lower-case hex, of the principal entity id
    /// and the telemarketer ids joined with commas — what a connector with a telemarketer id adds
    /// to a DLT message towards the carrier.
    public static func chainHash(entityID: String, telemarketerIDs: [String]) -> String {
        hexString(SHA256.hash(data: Array(([entityID] + telemarketerIDs).joined(separator: ",").utf8)))
    }

    /// The TLVs a DLT message carries towards a carrier: its own 0x1400/0x1401, plus 0x1402 when
    /// the connector has telemarketer ids.
    public static func carrierTLVs(_ tlvs: TLVList, telemarketerIDs: [String]) -> TLVList {
        var tlvs = tlvs
        if let entity = tlvs.dltPrincipalEntityID, !telemarketerIDs.isEmpty {
            tlvs.dltTelemarketerChainHash = Self.chainHash(entityID: entity, telemarketerIDs: telemarketerIDs)
        }
        return tlvs
    }
}

/// The DLT rule a message broke (its `code` is the HTTP problem code).
public enum DLTViolation: String, Error, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case missingEntityID = "dlt_missing_entity_id"
    case missingTemplateID = "dlt_missing_template_id"
    case malformedID = "dlt_malformed_id"
    case unknownEntity = "dlt_unknown_entity"
    case headerNotRegistered = "dlt_header_not_registered"
    case unknownTemplate = "dlt_unknown_template"
    case templateOfAnotherEntity = "dlt_template_of_another_entity"
    case headerNotLinked = "dlt_header_not_linked"
    case bodyMismatch = "dlt_body_mismatch"
    case outsideHours = "dlt_outside_hours"

    public var code: String { self.rawValue }

    public var description: String {
        switch self {
        case .missingEntityID: "a message to India needs its DLT principal entity id (TLV 0x1400, or dlt.entity_id)"
        case .missingTemplateID: "a message to India needs its DLT content template id (TLV 0x1401, or dlt.template_id)"
        case .malformedID: "DLT entity and template ids are digits only"
        case .unknownEntity: "this DLT entity id is not registered to the account"
        case .headerNotRegistered: "the sender is not a DLT header registered to this entity"
        case .unknownTemplate: "this DLT template id is not registered to the account"
        case .templateOfAnotherEntity: "this DLT template belongs to another entity"
        case .headerNotLinked: "this DLT template may not be sent from this header"
        case .bodyMismatch: "the text does not match the DLT template (each {#var#} stands for up to 30 characters; the rest must be exact)"
        case .outsideHours: "promotional and service-explicit messages may be sent only from 10:00 to 21:00 IST"
        }
    }
}
