import NIOCore
import SMPPClient
import SMPPCore
import SMPPSession
import SMPPTesting
import Testing

@Suite("SMPPBindPool against FakeSMSC on loopback")
struct SMPPBindPoolTests {
    func pool(_ smsc: FakeSMSC, binds: Int = 2, throttlePause: Duration = .milliseconds(50)) -> SMPPBindPool {
        SMPPBindPool(.init(
            connection: configuration(smsc), binds: binds, backoff: Backoff(initial: .milliseconds(50), maximum: .milliseconds(200)),
            throttlePause: throttlePause, bindWait: .seconds(30), receiptHold: .seconds(2)), logger: quiet)  // generous: the whole suite shares two cores
    }

    @Test func keepsEveryBindUpAndSpreadsTheLoad() async throws {
        let smsc = try await FakeSMSC.start(configuration: .init(sendReceipts: false))
        let pool = self.pool(smsc, binds: 3)
        let running = Task { try await pool.run() }
        // Submits before the binds are up wait for one.
        let replies = try await withThrowingTaskGroup(of: SMPPReply<MessageIDResponse>.self) { group in
            for index in 0..<30 { group.addTask { try await pool.submit(message(to: "44770090\(index)", receipt: false)) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(replies.allSatisfy { $0.isOK })
        #expect(await eventually { pool.boundCount == 3 })
        #expect(smsc.seen.binds.count == 3)
        pool.shutdown()
        try await running.value
        #expect(await eventually { smsc.openSessions == 0 })
        await #expect(throws: SMPPClientError(.shutDown)) { try await pool.submit(message()) }
        try await smsc.stop()
    }

    @Test func cancellingRunUnbindsAndReturns() async throws {
        let smsc = try await FakeSMSC.start(configuration: .init(sendReceipts: false))
        let pool = self.pool(smsc, binds: 2)
        let running = Task { try await pool.run() }
        #expect(await eventually { pool.boundCount == 2 })
        running.cancel()
        try await running.value
        #expect(await eventually { smsc.openSessions == 0 })
        try await smsc.stop()
    }

    @Test func reconnectsAfterAResetMidWindow() async throws {
        let smsc = try await FakeSMSC.start(configuration: .init(sendReceipts: false, silentDestinations: ["447700900999"]))
        let pool = self.pool(smsc, binds: 2)
        let running = Task { try await pool.run() }
        #expect(await eventually { pool.boundCount == 2 })
        let inFlight = (0..<5).map { _ in Task { try await pool.submit(message(to: "447700900999")) } }
        try await Task.sleep(for: .milliseconds(50))
        await smsc.dropConnections()
        for request in inFlight {
            await #expect(throws: SMPPClientError(.session(SessionError(.closed)))) { try await request.value }
        }
        // Both binds come back (the old sockets closed first) and messages flow again.
        #expect(await eventually { pool.bindsMade >= 4 && pool.boundCount == 2 })
        #expect(try await pool.submit(message(to: "447700900001")).isOK)
        #expect(smsc.seen.connections == 4)
        pool.shutdown()
        try await running.value
        try await smsc.stop()
    }

    @Test func theRateLimitHoldsAcrossBinds() async throws {
        let smsc = try await FakeSMSC.start(configuration: .init(sendReceipts: false))
        let pool = SMPPBindPool(.init(connection: configuration(smsc), binds: 2, messagesPerSecond: 200), logger: quiet)
        let running = Task { try await pool.run() }
        #expect(await eventually(60) { pool.boundCount == 2 })  // generous: the whole suite shares two cores
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<300 { group.addTask { _ = try await pool.submit(message(to: "4477009\(index)", receipt: false)) } }
            try await group.waitForAll()
        }
        // A burst of one second's worth (200), then 200 per second: the last 100 need 0.5 s.
        #expect(ContinuousClock.now - start >= .milliseconds(450))
        #expect(smsc.seen.submitted.count == 300)
        pool.shutdown()
        try await running.value
        try await smsc.stop()
    }

    @Test func throttledMessagesArePausedAndRetriedNotLost() async throws {
        let smsc = try await FakeSMSC.start(configuration: .init(sendReceipts: false, throttleFirst: 3))
        let pool = self.pool(smsc, binds: 1)
        let running = Task { try await pool.run() }
        let start = ContinuousClock.now
        var ids: [String] = []
        #expect(pool.nextThrottlePause == .milliseconds(50))
        for index in 0..<3 { ids.append(try await pool.submit(message(to: "44770090000\(index)")).messageID) }
        // Three throttles in a row: pauses of 50, 100 and 200 ms; then an accepted submit resets it.
        #expect(ContinuousClock.now - start >= .milliseconds(350))
        #expect(pool.nextThrottlePause == .milliseconds(50))
        #expect(smsc.seen.throttled == 3)
        #expect(smsc.seen.submitted.map(\.destination.address) == ["447700900000", "447700900001", "447700900002"])
        #expect(ids.allSatisfy { !$0.isEmpty })
        pool.shutdown()
        try await running.value
        try await smsc.stop()
    }

    @Test func receiptsAreMatchedToTheirSendsWhateverTheIdSpellingOrOrder() async throws {
        let smsc = try await FakeSMSC.start(configuration: .init(receiptBeforeResponse: true, decimalReceiptIDs: true))
        let pool = self.pool(smsc, binds: 1)
        let running = Task { try await pool.run() }
        let sent = try await pool.send(text: String(repeating: "two parts ", count: 20), from: "ACME", to: "447700900001", reference: "order-42")
        #expect(sent.parts == 2)
        let inbound = await collect(pool.inbound, count: 2, seconds: 30)
        let submissions = inbound.compactMap { message -> SMPPReceipt.Submission? in
            guard case .receipt(let receipt) = message else { return nil }
            return receipt.submission
        }
        #expect(submissions.count == 2)
        #expect(submissions.allSatisfy { $0.reference == "order-42" && $0.parts == 2 })
        #expect(Set(submissions.map(\.messageID)) == Set(sent.messageIDs))
        pool.shutdown()
        try await running.value
        try await smsc.stop()
    }

    @Test func aReceiptForAnUnknownMessageIsDeliveredAfterTheHold() async throws {
        let smsc = try await FakeSMSC.start()
        let pool = self.pool(smsc, binds: 1)
        let running = Task { try await pool.run() }
        #expect(await eventually { pool.boundCount == 1 })
        var receipt = DeliverSM(
            source: .recipient("447700900001"), destination: .sender("ACME"), esmClass: ESMClass(type: .smscDeliveryReceipt),
            shortMessage: ByteBuffer(string: "id:77 sub:001 dlvrd:001 submit date:2511220101 done date:2511220102 stat:UNDELIV err:001 text:"))
        receipt.tlvs = []
        _ = try await smsc.deliver(receipt)
        let inbound = await collect(pool.inbound, count: 1, seconds: 30)  // held 2 s first; a loaded machine takes longer
        guard case .receipt(let delivered) = inbound.first else {
            Issue.record("the receipt was lost")
            return
        }
        #expect(delivered.messageID == "77")
        #expect(delivered.state == .undeliverable)
        #expect(delivered.submission == nil)
        pool.shutdown()
        try await running.value
        try await smsc.stop()
    }

    @Test func noBindMeansATypedErrorAfterTheWait() async throws {
        let port = 1  // nothing listens on loopback port 1
        let pool = SMPPBindPool(.init(
            connection: .init(host: "127.0.0.1", port: port, systemID: "test", password: "secret"), binds: 1,
            backoff: Backoff(initial: .milliseconds(50), maximum: .milliseconds(100)), bindWait: .milliseconds(300)), logger: quiet)
        let running = Task { try await pool.run() }
        await #expect(throws: SMPPClientError(.notBound)) { try await pool.submit(message()) }
        pool.shutdown()
        try await running.value
    }
}
