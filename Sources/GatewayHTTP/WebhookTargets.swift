import Glibc

/// Where webhooks may go (DESIGN rule 6: secure by default). A customer chooses the URL, the
/// gateway makes the request: without a rule, `webhook_url` is a way into the operator's network
/// (the cloud metadata address, an admin port on loopback, a database on a private range).
///
/// - An address inside loopback, private, shared (CGNAT), link-local, multicast, reserved or
///   unspecified space is refused, whatever its spelling (`2130706433`, `0x7f.1`, `0177.0.0.1`,
///   `[::ffff:127.0.0.1]` are all 127.0.0.1), unless the operator allowed its range
///   (`http.webhookAllowedNetworks`).
/// - A URL naming such an address, or `localhost`, is refused when it is set (422); a name is
///   checked on the addresses it resolves to when the webhook is sent, and the connection goes to
///   the address that was checked (no second lookup a rebinding DNS server could answer
///   differently). Redirects are never followed.
/// - `http.webhookHosts`, when not empty, limits webhooks to the hosts it names.
public struct WebhookTargets: Sendable, Equatable {
    /// Hosts webhooks may go to; empty: any (public) host.
    public var hosts: Set<String>
    /// Ranges that may be reached although internal.
    public var allowedNetworks: [IPNetwork]

    public init(hosts: Set<String> = [], allowedNetworks: [IPNetwork] = []) {
        self.hosts = Set(hosts.map { $0.lowercased() })
        self.allowedNetworks = allowedNetworks
    }

    public enum Verdict: Equatable, Sendable {
        case allowed
        /// Not in `http.webhookHosts`.
        case hostNotListed
        /// Loopback, private and the like, and not in an allowed range.
        case internalAddress(String)
    }

    /// The check when a URL is set: the host list, literal addresses, `localhost`.
    public func check(url: String) -> Verdict {
        guard let host = SendRequest.host(of: url).map({ $0.lowercased() }) else { return .hostNotListed }
        if !self.hosts.isEmpty && !self.hosts.contains(host) { return .hostNotListed }
        if let address = IPAddress(host) { return self.check(address) }
        let name = host.hasSuffix(".") ? String(host.dropLast()) : host
        if name == "localhost" || name.hasSuffix(".localhost") || name == "ip6-localhost" || name == "ip6-loopback" {
            // Always loopback (RFC 6761); allowed only with loopback allowed.
            return self.check(IPAddress(127, 0, 0, 1))
        }
        return .allowed
    }

    /// The check of one address a webhook would connect to.
    public func check(_ address: IPAddress) -> Verdict {
        guard address.isInternal else { return .allowed }
        return self.allowedNetworks.contains { $0.contains(address) } ? .allowed : .internalAddress(address.description)
    }
}

/// An IPv4 or IPv6 address.
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    case v4(UInt32)
    case v6([UInt8])

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        self = .v4(UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d))
    }

    /// Parses an address as the system resolver would read it in a URL: IPv4 in every spelling
    /// `inet_aton` takes (`127.1`, `2130706433`, `0x7f000001`, `0177.0.0.1`), IPv6 with or without
    /// brackets. Nil for a name.
    public init?(_ text: some StringProtocol) {
        var text = String(text)
        if text.hasPrefix("[") && text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        guard !text.isEmpty, text.utf8.count < 64 else { return nil }
        if text.contains(":") {
            var storage = in6_addr()
            guard inet_pton(AF_INET6, text, &storage) == 1 else { return nil }
            self = .v6(withUnsafeBytes(of: storage) { Array($0) })
            return
        }
        // inet_aton would also take a trailing "." or junk after a space; a host has neither.
        guard text.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == "x" || $0 == "X" }), text.first?.isNumber == true else { return nil }
        var storage = in_addr()
        guard inet_aton(text, &storage) != 0 else { return nil }
        self = .v4(UInt32(bigEndian: storage.s_addr))
    }

    /// From a resolved socket address.
    init?(_ address: UnsafePointer<sockaddr>) {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            let value = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
            self = .v4(UInt32(bigEndian: value))
        case AF_INET6:
            let bytes = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
            }
            self = .v6(bytes)
        default:
            return nil
        }
    }

    /// Not a public unicast address: loopback, private (RFC 1918, ULA), shared (RFC 6598),
    /// link-local, multicast, documentation and benchmarking ranges, reserved, unspecified; an
    /// IPv6 address carrying an IPv4 one (mapped, compatible, NAT64) is judged by that.
    public var isInternal: Bool {
        switch self {
        case .v4(let value):
            let ranges: [(UInt32, Int)] = [
                (0x0000_0000, 8), (0x0A00_0000, 8), (0x6440_0000, 10), (0x7F00_0000, 8), (0xA9FE_0000, 16), (0xAC10_0000, 12),
                (0xC000_0000, 24), (0xC000_0200, 24), (0xC0A8_0000, 16), (0xC612_0000, 15), (0xC633_6400, 24), (0xCB00_7100, 24),
                (0xE000_0000, 4), (0xF000_0000, 4),
            ]
            return ranges.contains { base, bits in value >> (32 - bits) == base >> (32 - bits) }
        case .v6(let bytes):
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && (bytes[10..<12].allSatisfy({ $0 == 0 }) || bytes[10..<12].allSatisfy({ $0 == 0xFF })) {
                // ::/96 (unspecified, loopback, IPv4-compatible) and ::ffff:0:0/96 (IPv4-mapped).
                if bytes[10] == 0 && bytes[12..<15].allSatisfy({ $0 == 0 }) { return true }  // :: and ::1
                return Self.embedded(bytes).isInternal
            }
            if bytes[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] { return Self.embedded(bytes).isInternal }  // 64:ff9b::/96
            if bytes[0] & 0xFE == 0xFC { return true }  // fc00::/7 unique local
            if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return true }  // fe80::/10 link-local
            if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0xC0 { return true }  // fec0::/10 site-local (deprecated)
            if bytes[0] == 0xFF { return true }  // multicast
            if bytes[0..<4] == [0x20, 0x01, 0x0D, 0xB8] { return true }  // documentation
            return false
        }
    }

    static func embedded(_ bytes: [UInt8]) -> IPAddress { IPAddress(bytes[12], bytes[13], bytes[14], bytes[15]) }

    public var description: String {
        switch self {
        case .v4(let value): return "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
        case .v6(let bytes):
            var storage = in6_addr()
            withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: bytes) }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, &storage, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// The system resolver's addresses for `host` (blocking: call it off the event loops).
    static func resolve(_ host: String) throws(ResolveError) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let list else { throw ResolveError(host: host, reason: String(cString: gai_strerror(status))) }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var next: UnsafeMutablePointer<addrinfo>? = list
        while let entry = next {
            if let address = entry.pointee.ai_addr.flatMap({ IPAddress(UnsafePointer($0)) }), !addresses.contains(address) {
                addresses.append(address)
            }
            next = entry.pointee.ai_next
        }
        return addresses
    }

    struct ResolveError: Error, CustomStringConvertible {
        var host: String
        var reason: String
        var description: String { "cannot resolve \(host): \(reason)" }
    }
}

/// A range of addresses, `10.0.0.0/8` or `fd00::/8` (a single address without the suffix).
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    public let prefix: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress(parts[0]) else { return nil }
        let width: Int
        switch address {
        case .v4: width = 32
        case .v6: width = 128
        }
        if parts.count == 2 {
            guard let prefix = Int(parts[1]), (0...width).contains(prefix), parts[1].allSatisfy(\.isNumber) else { return nil }
            self.prefix = prefix
        } else {
            self.prefix = width
        }
        self.address = address
    }

    public func contains(_ other: IPAddress) -> Bool {
        switch (self.address, other) {
        case (.v4(let base), .v4(let value)):
            return self.prefix == 0 || value >> (32 - self.prefix) == base >> (32 - self.prefix)
        case (.v6(let base), .v6(let value)):
            var bits = self.prefix
            for index in 0..<16 where bits > 0 {
                let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
                if base[index] & mask != value[index] & mask { return false }
                bits -= 8
            }
            return true
        case (.v4, .v6(let value)):
            // An IPv4-mapped IPv6 peer is the IPv4 address it carries.
            guard value[0..<10].allSatisfy({ $0 == 0 }), value[10] == 0xFF, value[11] == 0xFF else { return false }
            return self.contains(IPAddress.embedded(value))
        case (.v6, .v4):
            return false
        }
    }

    public var description: String { "\(self.address)/\(self.prefix)" }
}

extension WebhookTargets {
    /// The one check of a webhook URL a customer or operator sets (`callback_url`,
    /// `webhook_url`, `mo_webhook_url`): a web URL, to a host the operator allows.
    func problem(url: String, field: String) -> Problem? {
        guard SendRequest.isWebURL(url) else { return .invalidField(field, "`\(field)` must be an http:// or https:// URL") }
        switch self.check(url: url) {
        case .allowed: return nil
        case .hostNotListed: return .webhookHostNotAllowed(field)
        case .internalAddress(let address): return .webhookAddressNotAllowed(field, address: address)
        }
    }
}
