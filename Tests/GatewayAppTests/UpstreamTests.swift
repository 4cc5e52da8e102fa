import Foundation
import GatewayApp
import GatewayCore
import Logging
import NIOCore
import SMPPClient
import SMPPCore
import SMPPSession
import SMSCSimulator
import ServiceLifecycle
import Testing

/// The gateway with an upstream carrier (`--upstream`): `SMSCSimulator` in-process as the carrier.
@Suite struct UpstreamTests {
    /// A carrier on an ephemeral port (or `port`), running until `stop`.
    final class Carrier: Sendable {
        let simulator: SMSCSimulator
        let group: ServiceGroup
        let task: Task<Void, any Error>
        let port: Int

        init(
            port: Int = 0, outcomes: CarrierSimulator.Configuration = .init(), format: SMSCSimulator.IDFormat = .decimal, rate: Int? = nil,
            script: (@Sendable (SubmitSM) -> CarrierSimulator.Outcome?)? = nil
        ) async throws {
            var configuration = SMSCSimulator.Configuration(
                port: port, accounts: ["carrier": "secret"], outcomes: outcomes, messagesPerSecond: rate, idFormat: format)
            configuration.script = script
            self.simulator = SMSCSimulator(configuration: configuration, logger: TestGateway.quiet)
            self.group = ServiceGroup(services: [self.simulator], logger: TestGateway.quiet)
            let group = self.group
            self.task = Task { try await group.run() }
            self.port = try await self.simulator.localAddresses.first?.port ?? 0
        }

        func stop() async {
            await self.group.triggerGracefulShutdown()
            _ = try? await self.task.value
        }
    }

    @Test func messagesGoToTheCarrierAndItsReceiptsComeBackWithTheGatewaysIds() async throws {
        let carrier = try await Carrier(outcomes: .init(delayMilliseconds: 20, rules: [.init(destinationSuffix: "9", status: .undelivered, error: 11)]))
        try await withGateway(configure: { $0.upstream = "smpp://carrier:secret@127.0.0.1:\(carrier.port)?binds=2&window=50" }) { gateway in
            try await gateway.addAccount(numbers: ["447700900555"])
            let connection = try await gateway.connect()
            let delivered = try await connection.submit(submit(to: "447700900001"))
            let failed = try await connection.submit(submit(to: "447700900009"))
            #expect(delivered.isOK && failed.isOK && delivered.messageID.count == 16)
            let receipts = await collect(connection.inbound, count: 2, seconds: 20).compactMap(\.receipt)
            let byID = Dictionary(uniqueKeysWithValues: receipts.map { ($0.messageID, $0) })
            // The customer's receipts carry the gateway's ids, not the carrier's.
            #expect(byID[delivered.messageID]?.state == .delivered)
            #expect(byID[failed.messageID]?.state == .undeliverable)
            #expect(carrier.simulator.counts.submitted == 2)
            let stored = try await gateway.gateway.store.message(MessageID(failed.messageID)!)
            #expect(stored?.status == .undelivered && stored?.errorCode == 11)
            // MO from the carrier to a number the account owns reaches it.
            carrier.simulator.inject(from: "+447700900123", to: "447700900555", text: "STOP", systemID: "carrier")
            let mo = await collect(connection.inbound, count: 1, seconds: 20).first?.mo
            #expect(mo?.text == "STOP")
            await connection.close()
        }
        await carrier.stop()
    }

    @Test func messagesWaitForACarrierThatIsDownAndGoWhenItIsBack() async throws {
        // A carrier that is down: it refuses every bind (the port is never released and bound
        // again, which another process could take meanwhile).
        let carrier = try await Carrier()
        carrier.simulator.setRefusingBinds(true)
        try await withGateway(configure: { $0.upstream = "smpp://carrier:secret@127.0.0.1:\(carrier.port)" }) { gateway in
            try await gateway.addAccount()
            let connection = try await gateway.connect()
            let replies = try await connection.submit(contentsOf: (0..<5).map { submit(to: "4477009000\($0 + 10)") })
            let ids = try replies.map { try $0.get().messageID }
            #expect(ids.count == 5)
            try await Task.sleep(for: .milliseconds(500))
            for id in ids { #expect(try await gateway.gateway.store.message(MessageID(id)!)?.status == .queued) }
            #expect(carrier.simulator.counts.submitted == 0)
            // The carrier comes back: every acknowledged message goes, every receipt comes back.
            carrier.simulator.setRefusingBinds(false)
            let receipts = await collect(connection.inbound, count: 5, seconds: 30).compactMap(\.receipt)
            #expect(Set(receipts.map(\.messageID)) == Set(ids))
            #expect(receipts.allSatisfy { $0.state == .delivered })
            await connection.close()
        }
        await carrier.stop()
    }

    @Test func theUpstreamAddressIsChecked() {
        var configuration = GatewayConfiguration()
        for bad in ["http://x:y@host", "smpp://host:2775", "smpp://a:b@host:2775?binds=0", "smpp://a:b@host:2775?colour=red"] {
            configuration.upstream = bad
            #expect(throws: ConfigurationError.self, "\(bad)") { try configuration.validate() }
        }
        configuration.upstream = "smpps://a:b@carrier.example:3550?binds=4&window=100&name=acme-carrier"
        #expect(throws: Never.self) { try configuration.validate() }
    }
}
