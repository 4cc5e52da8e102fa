import GatewayCore
import Logging
import SMPPCore
import Synchronization

/// Chooses each dispatched message's connector: the first rule that matches (destination
/// prefix or pattern, sender, account) names a failover list — the first connector in it that
/// is up — or a weighted set — one of those up, by weight. When none is up the message waits on
/// the first (it goes when that one binds, or moves when another comes up). A message no rule
/// matches ends `failed` with error 902.
final class CarrierRouter: MessageRoute {
    struct Rule: Sendable {
        var prefixes: [String]
        var pattern: Pattern?
        var sender: String?
        var account: String?
        var carriers: [any Carrier]
        /// With `carriers`: a weighted set; nil for a failover list.
        var weights: [Int]?

        func matches(_ message: Message, digits: Substring) -> Bool {
            if let account, message.accountID != account { return false }
            if let sender, message.source.address != sender { return false }
            if !self.prefixes.isEmpty, !self.prefixes.contains(where: { digits.hasPrefix($0) }) { return false }
            if let pattern, !pattern.matches(String(digits)) { return false }
            return true
        }
    }

    /// A compiled destinationPattern (Regex is not Sendable; matching does not mutate it).
    final class Pattern: @unchecked Sendable {
        let regex: Regex<AnyRegexOutput>
        init(_ text: String) throws { self.regex = try Regex(text) }
        func matches(_ text: String) -> Bool { (try? self.regex.wholeMatch(in: text)) != nil }
    }

    /// Error code of a message no route takes.
    static let noRoute = 902

    /// Replaced whole when the route table changes at run time (a lock per dispatched batch).
    let table: Mutex<[Rule]>
    let gateway: Gateway
    let logger: Logger

    init(routes: [RouteRule], carriers: [String: any Carrier], gateway: Gateway, logger: Logger) throws {
        self.gateway = gateway
        self.logger = logger
        self.table = Mutex(try Self.rules(routes, carriers: carriers))
    }

    var rules: [Rule] { self.table.withLock { $0 } }

    /// Routes checked against `carriers` (every name must be there).
    static func rules(_ routes: [RouteRule], carriers: [String: any Carrier]) throws -> [Rule] {
        try routes.map { route in
            Rule(
                prefixes: route.destinationPrefixes, pattern: try route.destinationPattern.map(Pattern.init), sender: route.sender,
                account: route.account, carriers: route.connectors.map { carriers[$0]! }, weights: route.weights)
        }
    }

    func replace(routes: [RouteRule], carriers: [String: any Carrier]) throws {
        let rules = try Self.rules(routes, carriers: carriers)
        self.table.withLock { $0 = rules }
    }

    func send(_ messages: [Message]) {
        var batches: [ObjectIdentifier: (carrier: any Carrier, messages: [Message])] = [:]
        let rules = self.rules
        for message in messages {
            guard let carrier = self.carrier(for: message, excluding: nil, rules: rules) else {
                self.logger.notice("no route for a message", metadata: ["message": "\(message.id)", "account": "\(message.accountID)"])
                self.gateway.carriers.failed(message, error: Self.noRoute)
                continue
            }
            batches[ObjectIdentifier(carrier), default: (carrier, [])].messages.append(message)
        }
        for (carrier, messages) in batches.values { carrier.send(messages) }
    }

    /// Gives `message` to another connector of its route that is up; false if there is none.
    func reroute(_ message: Message, from carrier: any Carrier) -> Bool {
        guard let next = self.carrier(for: message, excluding: carrier, rules: self.rules), next !== carrier, next.isUp else { return false }
        self.logger.info("message fails over", metadata: ["message": "\(message.id)", "from": "\(carrier.name)", "to": "\(next.name)"])
        next.send([message])
        return true
    }

    func carrier(for message: Message, excluding excluded: (any Carrier)?, rules: [Rule]) -> (any Carrier)? {
        let digits = message.destination.address.drop { $0 == "+" }
        guard let rule = rules.first(where: { $0.matches(message, digits: digits) }) else { return nil }
        let candidates = rule.carriers.indices.filter { rule.carriers[$0] !== excluded }
        let up = candidates.filter { rule.carriers[$0].isUp }
        if rule.weights != nil {
            // Weighted: among those up (all of them, if none is), by weight.
            let pool = (up.isEmpty ? candidates : up).filter { self.weight(rule, $0) > 0 }
            let total = pool.reduce(0) { $0 + self.weight(rule, $1) }
            guard total > 0 else { return candidates.first.map { rule.carriers[$0] } }
            var pick = Int.random(in: 0..<total)
            for index in pool {
                pick -= self.weight(rule, index)
                if pick < 0 { return rule.carriers[index] }
            }
        }
        return (up.first ?? candidates.first).map { rule.carriers[$0] }
    }

    func weight(_ rule: Rule, _ index: Int) -> Int {
        rule.weights?[index] ?? 1
    }
}
