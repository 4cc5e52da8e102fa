import Foundation
import GatewayApp
import GatewayCore
import NIOCore
import SMPPClient
import SMPPCore
import SMPPSession
import Testing

/// The gateway as a user meets it: real sockets on loopback, a real SQLite file, the Swift ESME.
@Suite(.timeLimit(.minutes(2))) struct EndToEndTests {
    @Test func aTransceiverGetsAReceiptWithTheIDItsSubmitGot() async throws {
        try await withGateway { gateway in
            try await gateway.addAccount()
            let connection = try await gateway.connect()
            let reply = try await connection.submit(submit())
            #expect(reply.isOK)
            #expect(reply.messageID.count == 16)
            let inbound = await collect(connection.inbound, count: 1)
            let receipt = try #require(inbound.first?.receipt)
            #expect(receipt.messageID == reply.messageID)
            #expect(receipt.state == .delivered)
            #expect(receipt.text?.id == reply.messageID)
            #expect(receipt.text?.stat == "DELIVRD")
            #expect(receipt.recipient.address == "447700900001")
            #expect(receipt.sender.address == "ACME")
            // Stored before it was acknowledged, and the store agrees with the receipt.
            let stored = try await gateway.gateway.store.message(try #require(MessageID(reply.messageID)))
            #expect(stored?.status == .delivered)
            #expect(stored?.accountID == "acme")
            await connection.close()
        }
    }

    @Test func aTransmitterSubmitsAndAReceiverOfTheSameAccountGetsTheReceipt() async throws {
        try await withGateway { gateway in
            try await gateway.addAccount()
            let receiver = try await gateway.connect(bind: .receiver)
            let transmitter = try await gateway.connect(bind: .transmitter)
            let replies = try await transmitter.submit(contentsOf: (0..<20).map { submit(to: "4477009000\(10 + $0)") })
            let ids = Set(try replies.map { try $0.get().messageID })
            #expect(ids.count == 20)
            let receipts = await collect(receiver.inbound, count: 20).compactMap(\.receipt)
            #expect(Set(receipts.map(\.messageID)) == ids)
            await transmitter.close()
            await receiver.close()
        }
    }

    @Test func receiptsWaitInTheStoreUntilAReceiverBinds() async throws {
        try await withGateway { gateway in
            try await gateway.addAccount()
            let transmitter = try await gateway.connect(bind: .transmitter)
            let reply = try await transmitter.submit(submit())
            await transmitter.close()
            #expect(await eventually { (try? await gateway.gateway.store.pendingDeliveries(accountID: "acme", after: 0, limit: 10).count) == 1 })
            let receiver = try await gateway.connect(bind: .receiver)
            let receipt = try #require(await collect(receiver.inbound, count: 1).first?.receipt)
            #expect(receipt.messageID == reply.messageID)
            #expect(await eventually { (try? await gateway.gateway.store.pendingDeliveries(accountID: "acme", after: 0, limit: 10).isEmpty) == true })
            await receiver.close()
        }
    }

    @Test func receiptsOwedSurviveARestart() async throws {
        let first = try await TestGateway.start()
        try await first.addAccount()
        let transmitter = try await first.connect(bind: .transmitter)
        let replies = try await transmitter.submit(contentsOf: (0..<50).map { submit(to: "4477009001\($0 + 10)") })
        await transmitter.close()
        #expect(await eventually { (try? await first.gateway.store.pendingDeliveries(accountID: "acme", after: 0, limit: 100).count) == 50 })
        try await first.stop()

        let second = try await TestGateway.start(directory: first.directory)
        defer { second.removeData() }
        let receiver = try await second.connect(bind: .receiver)  // the account came back from the store
        let receipts = await collect(receiver.inbound, count: 50).compactMap(\.receipt)
        #expect(Set(receipts.map(\.messageID)) == Set(try replies.map { try $0.get().messageID }))
        await receiver.close()
        try await second.stop()
    }

    @Test func aKeywordGetsAnMOBackOnTheReceiver() async throws {
        try await withGateway { gateway in
            try await gateway.addAccount(numbers: ["447700900999"])
            let connection = try await gateway.connect()
            let reply = try await connection.submit(submit(from: "447700900999", to: "447700900123", text: "PING", receipt: .none))
            #expect(reply.isOK)
            let mo = try #require(await collect(connection.inbound, count: 1).first?.mo)
            #expect(mo.text == "PONG")
            #expect(mo.source.address == "447700900123")
            #expect(mo.destination.address == "447700900999")
            await connection.close()
        }
    }

    @Test func queryCancelAndReplaceWorkOnAScheduledMessage() async throws {
        try await withGateway { gateway in
            try await gateway.addAccount()
            let connection = try await gateway.connect()
            let reply = try await connection.submit(submit(schedule: .relative(.init(hours: 1))))
            let id = reply.messageID
            let query = try await connection.query(QuerySM(messageID: id, source: .init(ton: .alphanumeric, npi: .unknown, "ACME")))
            #expect(query.isOK)
            #expect(query.body.messageState == .enroute)
            #expect(query.body.finalDate == nil)
            let replace = try await connection.replace(
                ReplaceSM(messageID: id, source: .init(ton: .alphanumeric, npi: .unknown, "ACME"), registeredDelivery: .receipt, shortMessage: ByteBuffer(string: "new text")))
            #expect(replace.isOK)
            let stored = try await gateway.gateway.store.message(try #require(MessageID(id)))
            #expect(stored?.payload == Array("new text".utf8))
            #expect(stored?.scheduledAt != nil)  // a NULL schedule_delivery_time keeps the original (§4.10.1)
            let cancel = try await connection.cancel(CancelSM(messageID: id, source: .init(ton: .alphanumeric, npi: .unknown, "ACME")))
            #expect(cancel.isOK)
            let afterCancel = try await connection.query(QuerySM(messageID: id))
            #expect(afterCancel.body.messageState == .deleted)
            #expect(afterCancel.body.finalDate != nil)
            let again = try await connection.cancel(CancelSM(messageID: id, source: SMPPAddress()))
            #expect(again.status == .cancelFailed)
            let unknown = try await connection.query(QuerySM(messageID: "00000000000000ff"))
            #expect(unknown.status == .invalidMessageID)
            let garbage = try await connection.query(QuerySM(messageID: "not an id"))
            #expect(garbage.status == .invalidMessageID)
            await connection.close()
        }
    }

    @Test func anotherAccountsMessageIsNotFound() async throws {
        try await withGateway { gateway in
            try await gateway.addAccount()
            try await gateway.addAccount(id: "other", systemID: "other", password: "secret2")
            let mine = try await gateway.connect()
            let reply = try await mine.submit(submit(schedule: .relative(.init(hours: 1))))
            let theirs = try await gateway.connect(systemID: "other", password: "secret2")
            #expect(try await theirs.query(QuerySM(messageID: reply.messageID)).status == .invalidMessageID)
            #expect(try await theirs.cancel(CancelSM(messageID: reply.messageID, source: SMPPAddress())).status == .invalidMessageID)
            await mine.close()
            await theirs.close()
        }
    }

    @Test func submitMultiAnswersPerDestinationAndDataSMIsAMessageToo() async throws {
        try await withGateway { gateway in
            try await gateway.addAccount()
            let connection = try await gateway.connect()
            let multi = SubmitMulti(
                source: .init(ton: .alphanumeric, npi: .unknown, "ACME"),
                destinations: [
                    .address(.init(ton: .international, npi: .isdn, "447700900001")), .address(.init(ton: .alphanumeric, npi: .unknown, "WRONG")),
                    .address(.init(ton: .international, npi: .isdn, "447700900002")), .distributionList("friends"),
                ], registeredDelivery: .receipt, shortMessage: ByteBuffer(string: "to many"))
            let reply = try await connection.submitMulti(multi)
            #expect(reply.isOK)
            #expect(reply.body.messageID.count == 16)
            #expect(reply.body.unsuccessful.map(\.status) == [.invalidDestinationTON, .invalidDistributionListName])
            var tlvs = TLVList()
            tlvs.append(TLV(tag: .messagePayload, value: ByteBuffer(string: String(repeating: "long ", count: 80))))
            let data = try await connection.dataSM(
                DataSM(
                    source: .init(ton: .alphanumeric, npi: .unknown, "ACME"), destination: .init(ton: .international, npi: .isdn, "447700900003"),
                    registeredDelivery: .receipt, tlvs: tlvs))
            #expect(data.isOK)
            let stored = try await gateway.gateway.store.message(try #require(MessageID(data.body.messageID)))
            #expect(stored?.segments == 3)
            let receipts = await collect(connection.inbound, count: 3).compactMap(\.receipt)
            #expect(receipts.count == 3)
            #expect(receipts.contains { $0.messageID == reply.body.messageID })
            #expect(receipts.contains { $0.messageID == data.body.messageID })
            await connection.close()
        }
    }

    @Test func badMessagesGetTheirStatusAndTheSessionGoesOn() async throws {
        try await withGateway { gateway in
            try await gateway.addAccount()
            let connection = try await gateway.connect()
            var bad = submit(to: "not-a-number")
            #expect(try await connection.submit(bad).status == .invalidDestinationAddress)
            bad = submit()
            bad.dataCoding = DataCoding(rawValue: 0x0B)
            #expect(try await connection.submit(bad).status == .invalidDataCoding)
            bad = submit()
            bad.esmClass = ESMClass(type: .smscDeliveryReceipt)
            #expect(try await connection.submit(bad).status == .invalidESMClass)
            bad = submit()
            bad.validityPeriod = .absolute(.init(secondsSince1970: 1_000_000_000))
            #expect(try await connection.submit(bad).status == .invalidExpiryTime)
            #expect(try await connection.submit(submit()).isOK)
            await connection.close()
        }
    }

    @Test func bindsAreCheckedAgainstTheAccount() async throws {
        try await withGateway { gateway in
            try await gateway.addAccount(binds: [.transmitter, .transceiver], maxBinds: 2)
            try await gateway.addAccount(id: "off", systemID: "off", enabled: false)
            func refusal(_ systemID: String, _ password: String, _ bind: BindType = .transceiver) async -> CommandStatus? {
                do {
                    let connection = try await gateway.connect(systemID: systemID, password: password, bind: bind)
                    await connection.close()
                    return nil
                } catch {
                    if case .bindRejected(let status)? = (error as? SMPPClientError)?.code { return status }
                    return .unknownError
                }
            }
            // One status for an unknown system_id and a wrong password: nothing to enumerate.
            #expect(await refusal("nobody", "secret") == .invalidPassword)
            #expect(await refusal("acme", "wrong") == .invalidPassword)
            #expect(await refusal("off", "secret") == .bindFailed)
            #expect(await refusal("acme", "secret", .receiver) == .bindFailed)
            let one = try await gateway.connect()
            let two = try await gateway.connect(bind: .transmitter)
            #expect(await refusal("acme", "secret") == .bindFailed)  // a third bind
            await one.close()
            #expect(await eventually { gateway.gateway.accounts.bindCount(accountID: "acme") == 1 })
            let three = try await gateway.connect()  // the closed bind no longer counts
            #expect(try await three.submit(submit()).isOK)
            await two.close()
            await three.close()
        }
    }

    @Test func theThroughputLimitAnswersThrottled() async throws {
        try await withGateway { gateway in
            try await gateway.addAccount(messagesPerSecond: 5)
            let connection = try await gateway.connect()
            let replies = try await connection.submit(contentsOf: (0..<30).map { _ in submit(receipt: .none) })
            let statuses = try replies.map { try $0.get().status }
            #expect(statuses.filter { $0 == .ok }.count >= 5)
            #expect(statuses.filter { $0 == .ok }.count < 15)
            #expect(statuses.allSatisfy { $0 == .ok || $0 == .throttled })
            await connection.close()
        }
    }

    @Test func tlsListenerWithTheCertificateMadeOnFirstRun() async throws {
        try await withGateway { gateway in
            try await gateway.addAccount()
            let certificate = gateway.directory + "/tls-certificate.pem"
            #expect(FileManager.default.fileExists(atPath: certificate))
            let connection = try await gateway.connect(tls: .trusting(pemFile: certificate))
            let reply = try await connection.submit(submit())
            #expect(reply.isOK)
            let receipt = await collect(connection.inbound, count: 1).first?.receipt
            #expect(receipt?.messageID == reply.messageID)
            await connection.close()
            // Plain SMPP on the TLS port does not bind.
            await #expect(throws: SMPPClientError.self) {
                _ = try await SMPPConnection.connect(
                    .init(
                        host: "127.0.0.1", port: gateway.tlsPort, systemID: "acme", password: "secret",
                        session: SessionConfiguration(role: .esme, bindTimeout: .seconds(2)), connectTimeout: .seconds(2)),
                    logger: TestGateway.quiet)
            }
        }
    }

    @Test func shutdownUnbindsBoundSessions() async throws {
        let gateway = try await TestGateway.start()
        defer { gateway.removeData() }
        try await gateway.addAccount()
        let connection = try await gateway.connect()
        #expect(try await connection.submit(submit()).isOK)
        try await gateway.stop()
        #expect(await eventually(5) { !connection.isActive })
    }

    @Test func theDemoAccountIsMadeOnceAndItsPasswordWorks() async throws {
        let gateway = try await TestGateway.start()
        defer { gateway.removeData() }
        let line = try #require(gateway.prepared.demoAccountLine)
        let match = try #require(line.wholeMatch(of: /demo account: system_id=(\w+) password=(\w{8}) api_key=(sw_\w{12}_\w{32})/))
        let connection = try await gateway.connect(systemID: String(match.1), password: String(match.2))
        #expect(try await connection.submit(submit()).isOK)
        await connection.close()
        try await gateway.stop()
        let again = try await TestGateway.start(directory: gateway.directory)
        #expect(again.prepared.demoAccountLine == nil)
        try await again.stop()
    }
}
