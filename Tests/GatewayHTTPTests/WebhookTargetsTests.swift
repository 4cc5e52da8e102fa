@testable import GatewayHTTP
import Testing

/// Where webhooks may go: every spelling of an internal address is refused, public ones pass,
/// and an operator's ranges let chosen internal ones through.
@Suite struct WebhookTargetsTests {
    static let inside = [
        "http://127.0.0.1/", "http://127.0.0.1:8080/x", "http://2130706433/", "http://0x7f000001/", "http://0x7f.1/", "http://0177.0.0.1/",
        "http://127.1/", "http://0.0.0.0/", "http://0/", "http://[::1]/", "http://[::]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/",
        "http://[64:ff9b::a9fe:a9fe]/", "http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/", "http://172.16.0.1/",
        "http://172.31.255.255/", "http://192.168.1.1/", "http://100.64.0.1/", "http://[fe80::1]/", "http://[fd00::1]/", "http://224.0.0.1/",
        "http://255.255.255.255/", "http://240.0.0.1/", "http://[ff02::1]/", "http://localhost/", "http://LOCALHOST./", "http://api.localhost:9/",
        "https://198.18.0.1/",
    ]
    static let external = [
        "https://example.com/hook", "http://8.8.8.8/", "http://172.32.0.1/", "http://[2606:4700:4700::1111]/", "http://1.1.1.1:8443/",
        "https://hooks.example.com:8443/a?b=c", "http://deadbeef.example/", "http://1e100.net/", "http://11.0.0.1/",
    ]

    @Test(arguments: inside) func internalAddressesAreRefused(url: String) {
        guard case .internalAddress = WebhookTargets().check(url: url) else {
            Issue.record("\(url) was not refused")
            return
        }
    }

    @Test(arguments: external) func publicAddressesAndNamesPass(url: String) {
        #expect(WebhookTargets().check(url: url) == .allowed, "\(url)")
    }

    @Test func anOperatorsRangesLetChosenInternalAddressesThrough() throws {
        let targets = WebhookTargets(allowedNetworks: [try #require(IPNetwork("127.0.0.1/32")), try #require(IPNetwork("10.20.0.0/16"))])
        #expect(targets.check(url: "http://127.0.0.1:9000/") == .allowed)
        #expect(targets.check(url: "http://localhost:9000/") == .allowed)
        #expect(targets.check(url: "http://[::ffff:127.0.0.1]/") == .allowed)
        #expect(targets.check(url: "http://10.20.3.4/") == .allowed)
        #expect(targets.check(url: "http://127.0.0.2/") == .internalAddress("127.0.0.2"))
        #expect(targets.check(url: "http://10.21.0.1/") == .internalAddress("10.21.0.1"))
        #expect(targets.check(IPAddress(169, 254, 169, 254)) == .internalAddress("169.254.169.254"))
        let v6 = WebhookTargets(allowedNetworks: [try #require(IPNetwork("fd00:1::/32"))])
        #expect(v6.check(url: "http://[fd00:1:2::3]/") == .allowed)
        #expect(v6.check(url: "http://[fd00:2::3]/") == .internalAddress("fd00:2::3"))
    }

    @Test func rangesAreParsedStrictly() {
        for bad in ["10.0.0.0/33", "10.0.0.0/", "example.com/8", "10.0.0.0/8/8", "fd00::/129", "10.0.0.0/x", ""] {
            #expect(IPNetwork(bad) == nil, "\(bad)")
        }
        #expect(IPNetwork("0.0.0.0/0")?.contains(IPAddress(8, 8, 8, 8)) == true)
        #expect(IPNetwork("192.168.0.0/16")?.description == "192.168.0.0/16")
    }

    @Test func theHostListStillLimitsNames() {
        let targets = WebhookTargets(hosts: ["hooks.example.com"])
        #expect(targets.check(url: "https://hooks.example.com/x") == .allowed)
        #expect(targets.check(url: "https://other.example.com/x") == .hostNotListed)
        // Listing an internal address does not make it reachable: that takes a range.
        #expect(WebhookTargets(hosts: ["127.0.0.1"]).check(url: "http://127.0.0.1/") == .internalAddress("127.0.0.1"))
    }

    @Test func theSystemResolverGivesAddressesToCheck() throws {
        let addresses = try IPAddress.resolve("localhost")
        #expect(!addresses.isEmpty && addresses.allSatisfy(\.isInternal))
        #expect(throws: (any Error).self) { try IPAddress.resolve("no-such-host.invalid") }
    }
}
