#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Source addresses an account may connect from: single addresses and CIDR ranges, IPv4 and
/// IPv6 (`203.0.113.7`, `198.51.100.0/24`, `2001:db8::/32`). An empty list allows any address.
public struct IPAllowList: Sendable, Hashable {
    struct Range: Sendable, Hashable {
        var address: [UInt8]
        var prefix: Int
    }

    let ranges: [Range]
    /// The entries as given (normalised spelling is not attempted).
    public let entries: [String]

    /// Parses the entries; nil names the first one that is not an address or range.
    public init(_ entries: [String]) throws(InvalidEntry) {
        var ranges: [Range] = []
        for entry in entries {
            let parts = entry.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let address = Self.octets(String(parts[0])) else { throw InvalidEntry(entry: entry) }
            var prefix = address.count * 8
            if parts.count == 2 {
                guard let given = Int(parts[1]), (0...address.count * 8).contains(given) else { throw InvalidEntry(entry: entry) }
                prefix = given
            }
            ranges.append(Range(address: address, prefix: prefix))
        }
        self.ranges = ranges
        self.entries = entries
    }

    public struct InvalidEntry: Error, Sendable, Hashable, CustomStringConvertible {
        public var entry: String
        public var description: String { "`\(self.entry)` is not an IP address or CIDR range (203.0.113.7, 198.51.100.0/24, 2001:db8::/32)" }
    }

    public var isEmpty: Bool { self.ranges.isEmpty }

    /// Whether `address` (textual IPv4 or IPv6; an IPv4-mapped IPv6 address counts as IPv4) may connect.
    public func allows(_ address: String?) -> Bool {
        guard !self.ranges.isEmpty else { return true }
        guard let address, var octets = Self.octets(address) else { return false }
        if octets.count == 16, octets.prefix(10).allSatisfy({ $0 == 0 }), octets[10] == 0xFF, octets[11] == 0xFF {
            octets = Array(octets.suffix(4))
        }
        return self.ranges.contains { range in
            guard range.address.count == octets.count else { return false }
            let whole = range.prefix / 8
            guard range.address.prefix(whole) == octets.prefix(whole) else { return false }
            let bits = range.prefix % 8
            guard bits > 0 else { return true }
            let mask = UInt8(0xFF) << (8 - bits)
            return range.address[whole] & mask == octets[whole] & mask
        }
    }

    static func octets(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}
