import NIOCore
import SMPPClient
import SMPPCore
import SMPPSession
import SMPPTesting
import Synchronization
import Testing

@Suite("SMPPConnection against FakeSMSC on loopback")
struct SMPPConnectionTests {
    @Test func bindSubmitAndReceipt() async throws {
        let smsc = try await FakeSMSC.start()
        let connection = try await SMPPConnection.connect(configuration(smsc))
        #expect(connection.bindType == .transceiver)
        #expect(connection.smscSystemID == "fake-smsc")
        #expect(connection.smscInterfaceVersion == 0x34)
        let reply = try await connection.submit(message())
        #expect(reply.isOK)
        #expect(!reply.messageID.isEmpty)
        let inbound = await collect(connection.inbound, count: 1)
        guard case .receipt(let receipt) = inbound.first else {
            Issue.record("no receipt: \(inbound)")
            return
        }
        #expect(receipt.messageID == reply.messageID)
        #expect(receipt.state == .delivered)
        #expect(receipt.recipient.address == "447700900001")
        #expect(await eventually { smsc.seen.receiptsAcknowledged == 1 })
        await connection.close()
        #expect(!connection.isActive)
        #expect(await eventually { smsc.openSessions == 0 })
        try await smsc.stop()
    }

    @Test func anInboundHandlerTakesReceiptsOnTheEventLoop() async throws {
        let smsc = try await FakeSMSC.start()
        let taken = Mutex<[InboundMessage]>([])
        var settings = configuration(smsc)
        settings.inboundHandler = { batch in taken.withLock { $0 += batch } }
        let connection = try await SMPPConnection.connect(settings)
        let reply = try await connection.submit(message())
        #expect(await eventually { taken.withLock { $0.count } == 1 })
        guard case .receipt(let receipt) = taken.withLock({ $0.first }) else {
            Issue.record("no receipt")
            return
        }
        #expect(receipt.messageID == reply.messageID)
        await connection.close()
        var iterator = connection.inbound.makeAsyncIterator()
        let next = await iterator.next()
        #expect(next == nil ? true : false)  // the stream stays empty and ends
        try await smsc.stop()
    }

    @Test func wrongPasswordIsATypedBindError() async throws {
        let smsc = try await FakeSMSC.start()
        await #expect(throws: SMPPClientError(.bindRejected(.invalidPassword))) {
            try await SMPPConnection.connect(configuration(smsc, password: "nope"))
        }
        try await smsc.stop()
    }

    @Test func refusedConnectionIsConnectFailed() async throws {
        // Port 1 on loopback: nothing listens there (a port freed by another test could be reused
        // at once by a FakeSMSC running in parallel).
        let port = 1
        do {
            _ = try await SMPPConnection.connect(.init(host: "127.0.0.1", port: port, systemID: "test", password: "secret"))
            Issue.record("connected to a closed port")
        } catch {
            guard case .connectFailed = error.code else {
                Issue.record("wrong error \(error)")
                return
            }
        }
    }

    @Test func requestsBeyondTheWindowWaitForASlot() async throws {
        let smsc = try await FakeSMSC.start(configuration: .init(sendReceipts: false))
        let connection = try await SMPPConnection.connect(configuration(smsc, windowSize: 2))
        let replies = try await withThrowingTaskGroup(of: SMPPReply<MessageIDResponse>.self) { group in
            for index in 0..<40 { group.addTask { try await connection.submit(message(to: "4477009\(index)", receipt: false)) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(replies.count == 40)
        #expect(replies.allSatisfy { $0.isOK })
        #expect(Set(replies.map(\.messageID)).count == 40)
        // A batch larger than the window goes out as slots free, outcomes in order.
        let batch = try await connection.submit(contentsOf: (0..<10).map { message(to: "4477008\($0)", receipt: false) })
        #expect(batch.count == 10)
        #expect(batch.allSatisfy { (try? $0.get().isOK) == true })
        await connection.close()
        try await smsc.stop()
    }

    @Test func anUnansweredRequestTimesOutAndTheOthersStayRight() async throws {
        let smsc = try await FakeSMSC.start(configuration: .init(sendReceipts: false, silentDestinations: ["447700900999"]))
        let connection = try await SMPPConnection.connect(configuration(smsc, responseTimeout: .milliseconds(300)))
        let silent = Task { try await connection.submit(message(to: "447700900999")) }
        let answered = try await connection.submit(message(to: "447700900001"))
        #expect(answered.isOK)
        await #expect(throws: SMPPClientError(.session(SessionError(.timeout)))) { try await silent.value }
        // The session is still good.
        #expect(try await connection.submit(message(to: "447700900002")).isOK)
        await connection.close()
        try await smsc.stop()
    }

    @Test func aLateResponseTimesOutAndIsIgnoredWhenItComes() async throws {
        // The response is held until the request has timed out, however long that takes here.
        var smscConfiguration = FakeSMSC.Configuration(sendReceipts: false)
        smscConfiguration.heldDestinations = ["447700900888"]
        let smsc = try await FakeSMSC.start(configuration: smscConfiguration)
        // Room for the next answer even when the machine is busy with other tests.
        let connection = try await SMPPConnection.connect(configuration(smsc, responseTimeout: .seconds(3)))
        await #expect(throws: SMPPClientError(.session(SessionError(.timeout)))) {
            try await connection.submit(message(to: "447700900888"))
        }
        #expect(smsc.heldCount == 1)
        await smsc.releaseHeld()  // the late submit_sm_resp (b8be01) arrives now
        try await Task.sleep(for: .milliseconds(200))
        #expect(connection.isActive)
        let next = try await connection.submit(message(to: "447700900001"))
        #expect(next.isOK)
        #expect(next.messageID == "b8be02")  // its own answer, not the late one (b8be01)
        await connection.close()
        try await smsc.stop()
    }

    @Test func closeDrainsTheWindowBeforeUnbinding() async throws {
        let smsc = try await FakeSMSC.start(configuration: .init(sendReceipts: false))
        let connection = try await SMPPConnection.connect(configuration(smsc, windowSize: 1))
        let requests = (0..<20).map { index in Task { try await connection.submit(message(to: "4477009000\(index)", receipt: false)) } }
        try await Task.sleep(for: .milliseconds(5))
        await connection.close()
        var answered = 0
        for request in requests {
            // Each was either sent and answered before the unbind, or refused as closing: none is lost silently.
            switch await request.result {
            case .success(let reply): if reply.isOK { answered += 1 }
            case .failure(let error): #expect(error as? SMPPClientError == SMPPClientError(.session(SessionError(.closed))))
            }
        }
        #expect(answered == smsc.seen.submitted.count)
        #expect(!connection.isActive)
        try await smsc.stop()
    }

    @Test func everyRequestKindHasItsTypedReply() async throws {
        let smsc = try await FakeSMSC.start(configuration: .init(sendReceipts: false))
        let connection = try await SMPPConnection.connect(configuration(smsc))
        let source = SMPPAddress.sender("ACME")
        #expect(try await connection.query(QuerySM(messageID: "1001", source: source)).isOK)
        #expect(try await connection.cancel(CancelSM(messageID: "1001", source: source)).isOK)
        #expect(try await connection.replace(ReplaceSM(messageID: "1001", source: source, shortMessage: ByteBuffer(string: "x"))).isOK)
        #expect(try await connection.dataSM(DataSM(source: source, destination: .recipient("447700900001"))).isOK)
        let multi = SubmitMulti(source: source, destinations: [.address(.recipient("447700900001"))], shortMessage: ByteBuffer(string: "x"))
        #expect(try await connection.submitMulti(multi).isOK)
        await connection.close()
        try await smsc.stop()
    }

    @Test func aReceiptBeforeItsResponseStillMatches() async throws {
        let smsc = try await FakeSMSC.start(configuration: .init(receiptBeforeResponse: true, decimalReceiptIDs: true))
        let connection = try await SMPPConnection.connect(configuration(smsc))
        let reply = try await connection.submit(message())
        let inbound = await collect(connection.inbound, count: 1)
        guard case .receipt(let receipt) = inbound.first else {
            Issue.record("no receipt")
            return
        }
        // The SMSC says hex in submit_sm_resp and zero-padded decimal in the receipt.
        #expect(receipt.messageID != reply.messageID)
        var matcher = ReceiptMatcher<String, SMPPReceipt>()
        #expect(matcher.received(receipt.messageID, receipt) == nil)  // came first: held
        #expect(matcher.submitted(reply.messageID, "mine")?.messageID == receipt.messageID)
        await connection.close()
        try await smsc.stop()
    }

    @Test func concatenatedMOIsReassembledAndAcknowledged() async throws {
        let smsc = try await FakeSMSC.start()
        let connection = try await SMPPConnection.connect(configuration(smsc))
        let text = String(repeating: "Long reply from a handset. ", count: 8)
        let parts = try EncodedText(text)!.split(.udh8(reference: 7)).parts
        #expect(parts.count == 2)
        for part in parts.reversed() {
            let mo = DeliverSM(
                source: .recipient("447700900123"), destination: .recipient("12345"), esmClass: ESMClass(udhi: part.udhi),
                shortMessage: part.shortMessage)
            let responses = try await smsc.deliver(mo)
            #expect(responses.map(\.status) == [.ok])
        }
        let inbound = await collect(connection.inbound, count: 1)
        guard case .message(let mo) = inbound.first else {
            Issue.record("no MO: \(inbound)")
            return
        }
        #expect(mo.parts == 2)
        #expect(mo.text == text)
        #expect(mo.source.address == "447700900123")
        await connection.close()
        try await smsc.stop()
    }

    @Test func aResetFailsEveryPendingRequestAndEndsInbound() async throws {
        let smsc = try await FakeSMSC.start(configuration: .init(silentDestinations: ["447700900999"]))
        // A response timeout far beyond the test: on a loaded machine it must not be the timeout
        // that ends the pending submit.
        let connection = try await SMPPConnection.connect(configuration(smsc, responseTimeout: .seconds(600)))
        let pending = Task { try await connection.submit(message(to: "447700900999")) }
        #expect(await eventually { smsc.openSessions == 1 })
        try await Task.sleep(for: .milliseconds(50))
        await smsc.dropConnections()
        await #expect(throws: SMPPClientError(.session(SessionError(.closed)))) { try await pending.value }
        #expect(await eventually { !connection.isActive })
        await #expect(throws: SMPPClientError(.session(SessionError(.closed)))) { try await connection.submit(message()) }
        var iterator = connection.inbound.makeAsyncIterator()
        let next = await iterator.next()
        #expect(next == nil ? true : false)
        try await smsc.stop()
    }

    @Test func garbageFromTheServerClosesTheSessionWithATypedError() async throws {
        let smsc = try await FakeSMSC.start(configuration: .init(silentDestinations: ["447700900999"]))
        let connection = try await SMPPConnection.connect(configuration(smsc))
        let pending = Task { try await connection.submit(message(to: "447700900999")) }
        #expect(await eventually { smsc.openSessions == 1 })
        // command_length 3: framing is lost; the client answers generic_nack and closes.
        await smsc.sendRaw([0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0, 0, 0, 0, 1])
        await #expect(throws: SMPPClientError(.session(SessionError(.closed)))) { try await pending.value }
        #expect(await eventually { !connection.isActive })
        try await smsc.stop()
    }

    @Test func serverInitiatedUnbindClosesCleanly() async throws {
        let smsc = try await FakeSMSC.start()
        let connection = try await SMPPConnection.connect(configuration(smsc))
        await smsc.unbindAll()
        #expect(await eventually { !connection.isActive })
        try await smsc.stop()
    }

    @Test func sendSplitsLongTextAndReturnsEveryPartsID() async throws {
        let smsc = try await FakeSMSC.start(configuration: .init(sendReceipts: false))
        let connection = try await SMPPConnection.connect(configuration(smsc))
        let sent = try await connection.send(text: String(repeating: "Ωμέγα ", count: 20), from: "ACME", to: "+447700900001")
        #expect(sent.parts == 2)  // Greek capitals are GSM 03.38, the small ones are not: UCS-2, 67 per part
        let submitted = smsc.seen.submitted
        #expect(submitted.count == 2)
        #expect(submitted.allSatisfy { $0.dataCoding == .ucs2 && $0.esmClass.udhi })
        #expect(submitted.first?.source == SMPPAddress(ton: .alphanumeric, npi: .unknown, "ACME"))
        #expect(submitted.first?.destination.address == "447700900001")
        await connection.close()
        try await smsc.stop()
    }
}

