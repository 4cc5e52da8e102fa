import AsyncHTTPClient
import Foundation
import GatewayCore
import Logging
import NIOCore
import NIOHTTP1
import SMPPClient
import SMPPCore
import SMPPSession
import SMSCSimulator
import ServiceLifecycle
import Testing

/// `shortwave smsc-sim` driven by the Swift ESME over loopback.
@Suite struct SMSCSimulatorTests {
    /// Runs `body` with a simulator on an ephemeral port (and its MO endpoint), then stops it.
    func withSimulator(
        _ configuration: SMSCSimulator.Configuration = .init(port: 0),
        _ body: @escaping @Sendable (SMSCSimulator, Int, Int) async throws -> Void
    ) async throws {
        var configuration = configuration
        configuration.host = "127.0.0.1"
        configuration.port = 0
        let simulator = SMSCSimulator(configuration: configuration, logger: TestGateway.quiet)
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let mo = simulator.moApplication(host: "127.0.0.1", port: 0) { continuation.yield($0) }
        let group = ServiceGroup(services: [simulator, mo], logger: TestGateway.quiet)
        let running = Task { try await group.run() }
        let port = try await simulator.localAddresses.first?.port ?? 0
        var ports = stream.makeAsyncIterator()
        let moPort = await ports.next() ?? 0
        do {
            try await body(simulator, port, moPort)
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await running.value
            throw error
        }
        await group.triggerGracefulShutdown()
        try await running.value
    }

    func connect(_ port: Int, systemID: String = "esme", password: String = "pw", bind: BindType = .transceiver) async throws -> SMPPConnection {
        try await SMPPConnection.connect(
            SMPPConnection.Configuration(
                host: "127.0.0.1", port: port, systemID: systemID, password: password, bindType: bind,
                session: SessionConfiguration(role: .esme, responseTimeout: .seconds(10), bindTimeout: .seconds(5)), connectTimeout: .seconds(5)),
            logger: TestGateway.quiet)
    }

    @Test func submitsGetIdsAndReceiptsWithThoseIds() async throws {
        let outcomes = CarrierSimulator.Configuration(delayMilliseconds: 50, rules: [.init(destinationSuffix: "9", status: .undelivered, error: 11)])
        for format in SMSCSimulator.IDFormat.allCases {
            try await self.withSimulator(.init(outcomes: outcomes, idFormat: format)) { simulator, port, _ in
                let connection = try await self.connect(port)
                let delivered = try await connection.submit(submit(to: "447700900001"))
                let failed = try await connection.submit(submit(to: "447700900009"))
                #expect(delivered.isOK && failed.isOK)
                #expect(format == .hex || delivered.messageID.allSatisfy(\.isNumber))
                let receipts = await collect(connection.inbound, count: 2).compactMap(\.receipt)
                #expect(receipts.count == 2)
                let byID = Dictionary(uniqueKeysWithValues: receipts.map { ($0.messageID, $0) })
                #expect(byID[delivered.messageID]?.state == .delivered)
                #expect(byID[failed.messageID]?.state == .undeliverable)
                #expect(byID[failed.messageID]?.text?.error == "011")
                #expect(simulator.counts.submitted == 2)
                #expect(await eventually { simulator.counts.receipts == 2 })  // counted when the deliver_sm_resp is back
                await connection.close()
            }
        }
    }

    @Test func accountsAreCheckedAndReceiptsWaitForAReceiver() async throws {
        try await self.withSimulator(.init(accounts: ["esme": "pw"])) { _, port, _ in
            #expect((try? await self.connect(port, password: "wrong")) == nil)
            #expect((try? await self.connect(port, systemID: "nobody")) == nil)
            let transmitter = try await self.connect(port, bind: .transmitter)
            let reply = try await transmitter.submit(submit())
            #expect(reply.isOK)
            let receiver = try await self.connect(port, bind: .receiver)
            let receipt = await collect(receiver.inbound, count: 1).first?.receipt
            #expect(receipt?.messageID == reply.messageID)
            await transmitter.close()
            await receiver.close()
        }
    }

    @Test func submitsBeyondTheRateAreThrottled() async throws {
        try await self.withSimulator(.init(messagesPerSecond: 10)) { _, port, _ in
            let connection = try await self.connect(port)
            let replies = try await connection.submit(contentsOf: (0..<40).map { submit(to: "4477009000\($0 + 10)", receipt: .none) })
            let statuses = replies.compactMap { try? $0.get().status }
            #expect(statuses.filter { $0 == .ok }.count >= 10)
            #expect(statuses.contains(.throttled))
            await connection.close()
        }
    }

    @Test func moIsInjectedOverHTTP() async throws {
        try await self.withSimulator { _, port, moPort in
            let connection = try await self.connect(port)
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(moPort)/mo")
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: #"{"from":"+447700900123","to":"12345","text":"STOP","system_id":"esme"}"#))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            #expect(response.status.code == 202)
            var bad = HTTPClientRequest(url: "http://127.0.0.1:\(moPort)/mo")
            bad.method = .POST
            bad.body = .bytes(ByteBuffer(string: "{}"))
            #expect(try await HTTPClient.shared.execute(bad, timeout: .seconds(10)).status.code == 400)
            let mo = await collect(connection.inbound, count: 1).first?.mo
            #expect(mo?.text == "STOP" && mo?.source.address == "447700900123" && mo?.destination.address == "12345")
            await connection.close()
        }
    }

    @Test func sessionsAreDroppedAtRandomWhenAsked() async throws {
        try await self.withSimulator(.init(disconnectProbability: 1)) { _, port, _ in
            let connection = try await self.connect(port)
            #expect(await eventually(5) { !connection.isActive })
        }
    }

    /// A receipt one receiver did not take (its session went while the receipt was out) is
    /// offered again — here to the other receiver, bound all along. It used to wait for the
    /// next bind, which never came.
    @Test func aReceiptNotTakenGoesToAnotherReceiver() async throws {
        try await self.withSimulator { simulator, port, _ in
            let steady = try await self.connect(port, systemID: "esme", bind: .receiver)
            let leaving = try await blocking { try RawSocket(port: port) }
            try await blocking { try leaving.bind(.bindReceiver(Bind(systemID: "esme", password: "pw")), sequence: 1) }
            let text = { (id: Int) in "id:\(id) sub:001 dlvrd:001 submit date:2612041200 done date:2612041200 stat:DELIVRD err:000 text:" }
            // Round robin: one of the first two goes to the receiver that leaves without answering.
            simulator.injectReceipt(text: text(1), systemID: "esme")
            simulator.injectReceipt(text: text(2), systemID: "esme")
            let taken = try await blocking { leaving.receive(seconds: 10) }
            #expect(taken?.commandID == .deliverSM)
            leaving.shutdown()
            simulator.injectReceipt(text: text(3), systemID: "esme")
            simulator.injectReceipt(text: text(4), systemID: "esme")
            let ids = await collect(steady.inbound, count: 4, seconds: 30).compactMap { $0.receipt?.messageID }
            #expect(Set(ids) == ["1", "2", "3", "4"])
            #expect(await eventually { simulator.counts.receipts == 4 })
            await steady.close()
        }
    }
}
