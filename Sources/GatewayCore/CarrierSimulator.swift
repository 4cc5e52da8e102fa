import SMPPCore
/// The built-in carrier **simulator** (the default route for development, like SMPPSim): it
/// "delivers" every message after a delay with an outcome chosen by rules on the destination or
/// by percentages, sends ENROUTE first when intermediate notifications are asked for, and can
/// answer keywords with inbound (MO) messages. It sends nothing anywhere.
public struct CarrierSimulator: Sendable {
    public struct Outcome: Sendable, Hashable, Codable {
        public var status: MessageStatus
        /// The receipt's `err:` code.
        public var error: Int

        public init(status: MessageStatus, error: Int = 0) {
            self.status = status
            self.error = error
        }
    }

    /// Destinations ending with `suffix` get `outcome` (the first matching rule wins).
    public struct Rule: Sendable, Hashable, Codable {
        public var destinationSuffix: String
        public var status: MessageStatus
        public var error: Int?

        public init(destinationSuffix: String, status: MessageStatus, error: Int? = nil) {
            self.destinationSuffix = destinationSuffix
            self.status = status
            self.error = error
        }
    }

    /// Of the messages no rule matches, `percent` get `status`; the rest are delivered.
    public struct Share: Sendable, Hashable, Codable {
        public var status: MessageStatus
        public var percent: Double
        public var error: Int?

        public init(status: MessageStatus, percent: Double, error: Int? = nil) {
            self.status = status
            self.percent = percent
            self.error = error
        }
    }

    /// A message whose text starts with `keyword` (any case) is answered by an MO from its
    /// destination to its source with `text`.
    public struct Reply: Sendable, Hashable, Codable {
        public var keyword: String
        public var text: String

        public init(keyword: String, text: String) {
            self.keyword = keyword
            self.text = text
        }
    }

    public struct Configuration: Sendable, Hashable, Codable {
        /// Time from dispatch to the final status, in milliseconds.
        public var delayMilliseconds: Int
        public var rules: [Rule]
        public var shares: [Share]
        public var replies: [Reply]

        public init(delayMilliseconds: Int = 0, rules: [Rule] = [], shares: [Share] = [], replies: [Reply] = []) {
            self.delayMilliseconds = delayMilliseconds
            self.rules = rules
            self.shares = shares
            self.replies = replies
        }

        /// Defaults: everything delivered at once; messages starting with PING get a PONG back.
        public static let standard = Configuration(replies: [Reply(keyword: "PING", text: "PONG")])

        /// Every key optional: what a configuration file leaves out keeps its `standard` value.
        public init(from decoder: any Decoder) throws {
            let standard = Configuration.standard
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.delayMilliseconds = try container.decodeIfPresent(Int.self, forKey: .delayMilliseconds) ?? standard.delayMilliseconds
            self.rules = try container.decodeIfPresent([Rule].self, forKey: .rules) ?? standard.rules
            self.shares = try container.decodeIfPresent([Share].self, forKey: .shares) ?? standard.shares
            self.replies = try container.decodeIfPresent([Reply].self, forKey: .replies) ?? standard.replies
        }
    }

    public var configuration: Configuration

    public init(configuration: Configuration = .standard) { self.configuration = configuration }

    /// The final outcome for `message`; `random` in 0..<100.
    public func outcome(for message: Message, random: Double = Double.random(in: 0..<100)) -> Outcome {
        let destination = message.destination.address
        for rule in self.configuration.rules where destination.hasSuffix(rule.destinationSuffix) {
            return Outcome(status: rule.status, error: rule.error ?? Self.defaultError(rule.status))
        }
        var threshold = 0.0
        for share in self.configuration.shares {
            threshold += share.percent
            if random < threshold { return Outcome(status: share.status, error: share.error ?? Self.defaultError(share.status)) }
        }
        return Outcome(status: .delivered)
    }

    /// The MO reply `message` triggers, if any.
    public func reply(to message: Message) -> String? {
        guard !self.configuration.replies.isEmpty else { return nil }
        // Letters and digits are the same octets in GSM 03.38 (unpacked), ASCII and Latin-1: most
        // messages are ruled out without decoding them.
        if !message.esmClass.udhi, [0x00, 0x01, 0x03].contains(message.dataCoding.rawValue) {
            let matches = self.configuration.replies.contains { reply in
                let keyword = Array(reply.keyword.uppercased().utf8)
                return message.payload.count >= keyword.count
                    && zip(message.payload, keyword).allSatisfy { octet, letter in
                        (octet >= 0x61 && octet <= 0x7A ? octet - 0x20 : octet) == letter
                    }
            }
            if !matches { return nil }
        }
        guard let text = message.text?.uppercased() else { return nil }
        return self.configuration.replies.first { text.hasPrefix($0.keyword.uppercased()) }?.text
    }

    static func defaultError(_ status: MessageStatus) -> Int {
        switch status {
        case .delivered, .sent, .accepted, .queued: 0
        case .undelivered: 1
        case .rejected: 2
        case .expired: 3
        case .deleted, .unknown, .failed: 4
        }
    }
}
