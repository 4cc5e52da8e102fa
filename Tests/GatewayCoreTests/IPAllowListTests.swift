import GatewayCore
import Testing

@Suite struct IPAllowListTests {
    @Test func matchesAddressesAndRanges() throws {
        let list = try IPAllowList(["203.0.113.7", "198.51.100.0/24", "10.0.0.0/9", "2001:db8::/32"])
        for allowed in ["203.0.113.7", "198.51.100.255", "10.127.1.1", "2001:db8:1::5", "::ffff:198.51.100.3"] { #expect(list.allows(allowed), "\(allowed)") }
        for refused in ["203.0.113.8", "198.51.101.0", "10.128.0.1", "2001:db9::1", "::1", "not an address", ""] { #expect(!list.allows(refused), "\(refused)") }
        #expect(!list.allows(nil))
        #expect(try IPAllowList([]).allows(nil))
        #expect(try IPAllowList(["0.0.0.0/0"]).allows("192.0.2.1"))
    }

    @Test(arguments: ["bogus", "10.0.0.0/33", "10.0.0.0/", "::/129", "1.2.3.4/x", "300.1.1.1"])
    func refusesWhatIsNotARange(_ entry: String) {
        #expect(throws: IPAllowList.InvalidEntry.self) { try IPAllowList(["127.0.0.1", entry]) }
    }
}
