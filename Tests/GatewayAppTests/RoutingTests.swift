import Foundation
import GatewayApp
import GatewayCarriers
import GatewayCore
import GatewayHTTP
import HTTPTypes
import NIOCore
import SMPPClient
import SMPPCore
import SMPPTesting
import SMSCSimulator
import Testing

/// Connectors from the config file, routes, failover, throttling, long messages as parts,
/// expiry while waiting, DLT ids on the way to the carrier — against `SMSCSimulator` carriers on
/// loopback sockets.
@Suite struct RoutingTests {
    typealias Carrier = UpstreamTests.Carrier

    static func connector(_ name: String, port: Int, configure: (inout GatewayConfiguration.Connector) -> Void = { _ in })
        -> GatewayConfiguration.Connector
    {
        var connector = GatewayConfiguration.Connector(name: name)
        connector.port = port
        connector.systemID = "carrier"
        connector.password = "secret"
        connector.reconnectInitialMilliseconds = 100
        connector.reconnectMaximumMilliseconds = 500
        configure(&connector)
        return connector
    }

    /// A port nothing listens on.
    static func deadPort() async throws -> Int {
        let probe = try await Carrier()
        let port = probe.port
        await probe.stop()
        return port
    }

    @Test func routesChooseTheConnectorByPrefixSenderAndAccountAndUnroutableMessagesFail() async throws {
        let uk = try await Carrier()
        let france = try await Carrier()
        let marketing = try await Carrier()
        try await withGateway(configure: { config in
            config.connectors = [
                Self.connector("uk", port: uk.port), Self.connector("france", port: france.port), Self.connector("marketing", port: marketing.port),
                .init(name: "sim"),
            ]
            config.connectors[3].kind = "simulator"
            var promo = GatewayConfiguration.Route(connectors: ["marketing"])
            promo.sender = "PROMO"
            var byPrefix = GatewayConfiguration.Route(connectors: ["france"])
            byPrefix.destinationPrefixes = ["33"]
            var byPattern = GatewayConfiguration.Route(connectors: ["uk"])
            byPattern.destinationPattern = "447[0-9]{9}"
            var other = GatewayConfiguration.Route(connectors: ["sim"])
            other.account = "other"
            config.routes = [promo, byPrefix, byPattern, other]
        }) { gateway in
            try await gateway.addAccount()
            try await gateway.addAccount(id: "other", systemID: "other")
            let connection = try await gateway.connect()
            #expect(await eventually { gateway.gateway.isAcceptingMessages })
            _ = try await connection.submit(submit(from: "PROMO", to: "447700900001"))
            _ = try await connection.submit(submit(to: "33612345678"))
            _ = try await connection.submit(submit(to: "447700900002"))
            let unroutable = try await connection.submit(submit(to: "15550001111"))
            let receipts = await collect(connection.inbound, count: 4, seconds: 20).compactMap(\.receipt)
            #expect(receipts.count == 4)
            #expect(marketing.simulator.recentSubmits.map(\.destination.address) == ["447700900001"])
            #expect(france.simulator.recentSubmits.map(\.destination.address) == ["33612345678"])
            #expect(uk.simulator.recentSubmits.map(\.destination.address) == ["447700900002"])
            // No rule takes a US number from acme: failed, error 902, and the customer is told.
            let failed = receipts.first { $0.messageID == unroutable.messageID }
            #expect(failed?.state == .undeliverable)
            #expect(failed?.text?.error == "902")
            #expect(try await gateway.gateway.store.message(MessageID(unroutable.messageID)!)?.status == .failed)
            // The other account's messages go to the simulator connector.
            let other = try await gateway.connect(systemID: "other")
            let simulated = try await other.submit(submit(to: "15550001111"))
            let simulatedReceipt = await collect(other.inbound, count: 1, seconds: 20).first?.receipt
            #expect(simulatedReceipt?.messageID == simulated.messageID && simulatedReceipt?.state == .delivered)
            await other.close()
            await connection.close()
        }
        for carrier in [uk, france, marketing] { await carrier.stop() }
    }

    @Test func aFailoverListSendsToTheSecondConnectorWhileTheFirstIsDownAndBackWhenItReturns() async throws {
        // The primary is down (it refuses binds) and comes back; its port is never released and
        // bound again (another process could take it meanwhile).
        let primary = try await Carrier()
        primary.simulator.setRefusingBinds(true)
        let backup = try await Carrier()
        try await withGateway(configure: { config in
            config.connectors = [Self.connector("primary", port: primary.port), Self.connector("backup", port: backup.port)]
            config.routes = [.init(connectors: ["primary", "backup"])]
        }) { gateway in
            try await gateway.addAccount()
            let connection = try await gateway.connect()
            let replies = try await connection.submit(contentsOf: (0..<20).map { submit(to: "4477009001\(String(format: "%02d", $0))") })
            let ids = Set(try replies.map { try $0.get().messageID })
            let receipts = await collect(connection.inbound, count: 20, seconds: 30).compactMap(\.receipt)
            #expect(Set(receipts.map(\.messageID)) == ids)
            #expect(receipts.allSatisfy { $0.state == .delivered })
            #expect(backup.simulator.counts.submitted == 20)
            #expect(primary.simulator.counts.submitted == 0)
            // The primary comes up: new messages go there again.
            primary.simulator.setRefusingBinds(false)
            #expect(await eventually(20) { gateway.prepared.connectorStates["primary"] == "up" })
            let later = try await connection.submit(submit(to: "447700900999"))
            let receipt = await collect(connection.inbound, count: 1, seconds: 20).first?.receipt
            #expect(receipt?.messageID == later.messageID)
            #expect(primary.simulator.counts.submitted == 1 && backup.simulator.counts.submitted == 20)
            await connection.close()
        }
        await primary.stop()
        await backup.stop()
    }

    @Test func theAdminAPIListsConnectorsWithTheirState() async throws {
        let port = try await Self.deadPort()
        let live1 = try await Carrier()
        var dev = GatewayConfiguration.Connector(name: "dev")
        dev.kind = "simulator"
        try await withGateway(configure: { config in
            config.connectors = [Self.connector("gone", port: port), Self.connector("live", port: live1.port), dev]
        }) { gateway in
            let token = String(try #require(gateway.prepared.adminTokenLine).dropFirst("admin token: ".count))
            #expect(await eventually(20) { gateway.prepared.connectorStates == ["gone": "down", "live": "up"] })
            let listed = try await live(gateway, .get, "/admin/v1/connectors", key: token)
            let data = try #require(listed.json["data"] as? [[String: Any]])
            #expect(data.map { $0["name"] as? String } == ["gone", "live", "dev"])
            #expect(data.map { $0["state"] as? String } == ["down", "up", "up"])
            #expect(data[1]["address"] as? String == "127.0.0.1:\(live1.port)" && data[1]["binds_up"] as? Int == 1)
            #expect(try await live(gateway, .get, "/admin/v1/connectors", key: "wrong").status == 401)
        }
        await live1.stop()
    }

    @Test func aWeightedSetSharesMessagesByWeight() async throws {
        let heavy = try await Carrier()
        let light = try await Carrier()
        try await withGateway(configure: { config in
            config.connectors = [Self.connector("heavy", port: heavy.port), Self.connector("light", port: light.port)]
            var route = GatewayConfiguration.Route(connectors: ["heavy", "light"])
            route.weights = [3, 1]
            config.routes = [route]
        }) { gateway in
            try await gateway.addAccount()
            #expect(await eventually(20) { gateway.prepared.connectorStates.values.allSatisfy { $0 == "up" } })
            let connection = try await gateway.connect()
            _ = try await connection.submit(contentsOf: (0..<400).map { submit(to: "447700\(String(format: "%06d", $0))") })
            _ = await collect(connection.inbound, count: 400, seconds: 30)
            let (h, l) = (heavy.simulator.counts.submitted, light.simulator.counts.submitted)
            #expect(h + l == 400)
            #expect((240...360).contains(h), "heavy took \(h) of 400 (3:1 expects ~300)")
            await connection.close()
        }
        await heavy.stop()
        await light.stop()
    }

    @Test func aThrottlingCarrierSlowsTheConnectorDownAndNothingIsLost() async throws {
        // The carrier takes 10 messages a second and answers ESME_RTHROTTLED above that: 30 at
        // once (within the first window, 2 binds × 50) are far beyond its one second of burst.
        let carrier = try await Carrier(rate: 10)
        try await withGateway(configure: { config in
            config.connectors = [Self.connector("slow", port: carrier.port) { $0.window = 50; $0.binds = 2 }]
        }) { gateway in
            try await gateway.addAccount()
            let connection = try await gateway.connect()
            let replies = try await connection.submit(contentsOf: (0..<30).map { submit(to: "447700\(String(format: "%06d", $0))") })
            let ids = Set(try replies.map { try $0.get().messageID })
            let receipts = await collect(connection.inbound, count: 30, seconds: 120).compactMap(\.receipt)
            let missing = ids.subtracting(receipts.map(\.messageID))
            #expect(missing.isEmpty, "\(missing.count) receipts missing; carrier took \(carrier.simulator.counts), throttled \(carrier.simulator.throttledCount)")
            #expect(receipts.allSatisfy { $0.state == .delivered })
            #expect(carrier.simulator.throttledCount > 0)  // it did push back
            #expect(carrier.simulator.counts.submitted == 30)  // each message taken exactly once
            await connection.close()
        }
        await carrier.stop()
    }

    @Test func aLongMessageGoesAsThreeUDHPartsAndTheCustomerGetsOneReceipt() async throws {
        let carrier = try await Carrier(outcomes: .init(delayMilliseconds: 10, rules: [.init(destinationSuffix: "9", status: .undelivered, error: 12)]))
        try await withGateway(configure: { config in
            config.connectors = [Self.connector("carrier", port: carrier.port)]
        }) { gateway in
            try await gateway.addAccount()
            let connection = try await gateway.connect()
            let text = String(repeating: "0123456789", count: 40)  // 400 septets: 3 parts of ≤153
            var long = submit(to: "447700900001")
            long.shortMessage = ByteBuffer()
            long.tlvs.messagePayload = ByteBuffer(string: text)
            var failing = long
            failing.destination.address = "447700900009"
            let delivered = try await connection.submit(long)
            let failed = try await connection.submit(failing)
            let receipts = await collect(connection.inbound, count: 2, seconds: 20).compactMap(\.receipt)
            // Exactly one receipt per message, though the carrier sent one per part.
            #expect(receipts.count == 2)
            #expect(await collect(connection.inbound, count: 1, seconds: 1).isEmpty)
            #expect(receipts.first { $0.messageID == delivered.messageID }?.state == .delivered)
            #expect(receipts.first { $0.messageID == failed.messageID }?.state == .undeliverable)
            #expect(carrier.simulator.counts.receipts == 6)
            let parts = carrier.simulator.recentSubmits.filter { $0.destination.address == "447700900001" }
            #expect(parts.count == 3)
            #expect(parts.allSatisfy { $0.esmClass.udhi })
            let udh = parts.map { Array($0.shortMessage.readableBytesView.prefix(6)) }
            #expect(udh.map { $0[5] } == [1, 2, 3] && udh.allSatisfy { $0[4] == 3 && $0[3] == udh[0][3] })
            let body = parts.map { String(decoding: $0.shortMessage.readableBytesView.dropFirst(6), as: UTF8.self) }.joined()
            #expect(body == text)
            #expect(try await gateway.gateway.store.message(MessageID(delivered.messageID)!)?.status == .delivered)
            await connection.close()
        }
        await carrier.stop()
    }

    @Test func afterARestartTheLastPartsReceiptSettlesALongMessageWithTheOthersOutcomes() async throws {
        // The carrier fails the third part of one message and delivers everything else; its
        // receipts come after the gateway has restarted.
        let carrier = try await Carrier(outcomes: .init(delayMilliseconds: 1_500)) { submit in
            let udh = Array(submit.shortMessage.readableBytesView.prefix(6))
            return submit.destination.address == "447700900009" && submit.esmClass.udhi && udh.count == 6 && udh[5] == 3
                ? .init(status: .undelivered, error: 13) : nil
        }
        let directory = NSTemporaryDirectory() + "shortwave-parts-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configure: (inout GatewayConfiguration) -> Void = { $0.connectors = [Self.connector("carrier", port: carrier.port)] }
        var long = submit(to: "447700900001")
        long.shortMessage = ByteBuffer()
        long.tlvs.messagePayload = ByteBuffer(string: String(repeating: "0123456789", count: 40))
        var failing = long
        failing.destination.address = "447700900009"
        let first = try await TestGateway.start(directory: directory, configure: configure)
        try await first.addAccount()
        let connection = try await first.connect()
        let delivered = try await connection.submit(long)
        let failed = try await connection.submit(failing)
        // No receiver while the carrier works: the receipts can only reach the customer through
        // the store (a bound client would take and acknowledge them).
        await connection.close()
        // Generous waits: on a loaded CI machine the whole suite shares two cores.
        #expect(await eventually(60) { carrier.simulator.counts.submitted == 6 })
        try await first.stop()  // the carrier's receipts (1.5 s later) wait for it
        let second = try await TestGateway.start(directory: directory, configure: configure)
        let again = try await second.connect()
        let receipts = await collect(again.inbound, count: 2, seconds: 60).compactMap(\.receipt)
        #expect(await collect(again.inbound, count: 1, seconds: 2).isEmpty)
        // On a failure, say whether the missing receipt is still owed in the store (the hub did
        // not send it) or was never made (it failed only under the full suite's load, twice).
        let owed = (try? await second.gateway.store.pendingDeliveries(accountID: "acme", after: 0, limit: 10)) ?? []
        let diagnosis = "owed in the store: \(owed.map { "\($0.sequence):\($0.messageID.map { "\($0)" } ?? "mo")" })"
        #expect(receipts.count == 2, "\(diagnosis)")
        #expect(receipts.first { $0.messageID == delivered.messageID }?.state == .delivered, "\(diagnosis)")
        #expect(receipts.first { $0.messageID == failed.messageID }?.state == .undeliverable)
        let stored = try await second.gateway.store.message(MessageID(failed.messageID)!)
        #expect(stored?.status == .undelivered && stored?.errorCode == 13)
        // Settled in the store as well as told to the customer (a failure above says which half broke).
        #expect(try await second.gateway.store.message(MessageID(delivered.messageID)!)?.status == .delivered)
        #expect(carrier.simulator.counts.receipts >= 6, "receipts the carrier handed over")
        await again.close()
        try await second.stop()
        await carrier.stop()
    }

    @Test func sarOrMessagePayloadWhenTheCarrierTakesNoUDHAndTooManyPartsFail() async throws {
        let carrier = try await Carrier()
        try await withGateway(configure: { config in
            config.connectors = [
                Self.connector("sar", port: carrier.port) { $0.supports.udh = false; $0.supports.maximumParts = 3 },
            ]
        }) { gateway in
            try await gateway.addAccount()
            let connection = try await gateway.connect()
            var long = submit(to: "447700900001")
            long.shortMessage = ByteBuffer()
            long.tlvs.messagePayload = ByteBuffer(string: String(repeating: "x", count: 300))
            var tooLong = long
            tooLong.tlvs.messagePayload = ByteBuffer(string: String(repeating: "y", count: 700))
            let sent = try await connection.submit(long)
            let refused = try await connection.submit(tooLong)
            let receipts = await collect(connection.inbound, count: 2, seconds: 20).compactMap(\.receipt)
            #expect(receipts.first { $0.messageID == sent.messageID }?.state == .delivered)
            let failed = receipts.first { $0.messageID == refused.messageID }
            #expect(failed?.state == .undeliverable && failed?.text?.error == "901")
            let parts = carrier.simulator.recentSubmits
            #expect(parts.count == 2)
            #expect(parts.allSatisfy { !$0.esmClass.udhi && $0.tlvs.sarTotalSegments == 2 })
            #expect(parts.map(\.tlvs.sarSegmentSeqnum) == [1, 2])
            await connection.close()
        }
        await carrier.stop()
    }

    @Test func aMessageThatExpiresWhileTheCarrierIsDownGetsAnExpiredReceipt() async throws {
        let port = try await Self.deadPort()
        try await withGateway(configure: { config in
            config.connectors = [Self.connector("down", port: port)]
        }) { gateway in
            try await gateway.addAccount()
            let connection = try await gateway.connect()
            var message = submit(to: "447700900001")
            message.validityPeriod = .relative(.init(seconds: 2))
            let reply = try await connection.submit(message)
            let receipt = await collect(connection.inbound, count: 1, seconds: 20).first?.receipt
            #expect(receipt?.messageID == reply.messageID && receipt?.state == .expired)
            #expect(gateway.prepared.connectorStates["down"] == "down")
            await connection.close()
        }
    }

    @Test func dltIdsAndTheTelemarketerChainHashGoToTheCarrier() async throws {
        let carrier = try await Carrier()
        let entity = "1101456789012345678"
        let template = "1107161234567890123"
        try await withGateway(configure: { config in
            config.connectors = [Self.connector("india", port: carrier.port) { $0.telemarketerIDs = ["1702123456789012345"] }]
        }) { gateway in
            var account = try await gateway.addAccount()
            account.dlt = DLTRegistration(
                entities: [entity], headers: [.init(header: "SHRTWV", entityID: entity)],
                templates: [.init(id: template, entityID: entity, text: "Your OTP is {#var#}", category: .transactional)])
            try await gateway.gateway.store.save(account)
            gateway.gateway.accounts.upsert(account)
            let connection = try await gateway.connect()
            var message = submit(from: "SHRTWV", to: "919812345678", text: "Your OTP is 4321")
            message.tlvs.dltPrincipalEntityID = entity
            message.tlvs.dltContentTemplateID = template
            let reply = try await connection.submit(message)
            #expect(reply.isOK)
            let receipt = await collect(connection.inbound, count: 1, seconds: 20).first?.receipt
            #expect(receipt?.state == .delivered)
            let hash = DLTRules.chainHash(entityID: entity, telemarketerIDs: ["1702123456789012345"])
            let forwarded = try #require(carrier.simulator.recentSubmits.last)
            #expect(forwarded.tlvs.dltPrincipalEntityID == entity)
            #expect(forwarded.tlvs.dltContentTemplateID == template)
            #expect(forwarded.tlvs.dltTelemarketerChainHash == hash)
            // Over HTTP (a real request to the listener): the same ids and hash reach the carrier.
            let (_, key) = try await gateway.prepared.httpAPI.keys.create(accountID: account.id)
            let sent = try await live(
                gateway, .post, "/v2/messages", key: key,
                body: #"{"to":"+919812345679","from":"SHRTWV","body":"Your OTP is 9876","dlt":{"entity_id":"\#(entity)","template_id":"\#(template)"}}"#)
            #expect(sent.status == 202)
            #expect(await eventually { carrier.simulator.recentSubmits.contains { $0.destination.address.hasSuffix("919812345679") } })
            let viaHTTP = try #require(carrier.simulator.recentSubmits.last { $0.destination.address.hasSuffix("919812345679") })
            #expect(viaHTTP.tlvs.dltPrincipalEntityID == entity && viaHTTP.tlvs.dltContentTemplateID == template)
            #expect(viaHTTP.tlvs.dltTelemarketerChainHash == hash)
            // Not compliant: refused at the door with the reason, never forwarded.
            var offTemplate = message
            offTemplate.shortMessage = ByteBuffer(string: "Your PIN is 4321")
            #expect(try await connection.submit(offTemplate).status == CommandStatus(rawValue: 0x45))
            let refused = try await live(
                gateway, .post, "/v2/messages", key: key,
                body: #"{"to":"+919812345670","from":"SHRTWV","body":"Your OTP is 1","dlt":{"entity_id":"\#(entity)","template_id":"1107160000000000000"}}"#)
            #expect(refused.status == 422 && refused.code == "dlt_unknown_template")
            #expect(carrier.simulator.counts.submitted == 2)
            await connection.close()
        }
        await carrier.stop()
    }

    @Test func transmitterBindsSubmitAndReceiverBindsBringTheReceiptsBack() async throws {
        let carrier = try await Carrier()
        try await withGateway(configure: { config in
            config.connectors = [Self.connector("split", port: carrier.port) { $0.bindType = "transmitter"; $0.binds = 2; $0.receiverBinds = 1 }]
        }) { gateway in
            try await gateway.addAccount(numbers: ["447700900555"])
            let connection = try await gateway.connect()
            let replies = try await connection.submit(contentsOf: (0..<10).map { submit(to: "4477009000\($0 + 10)") })
            let ids = Set(try replies.map { try $0.get().messageID })
            // A transmitter cannot take deliver_sm: these came over the receiver bind.
            let receipts = await collect(connection.inbound, count: 10, seconds: 20).compactMap(\.receipt)
            #expect(Set(receipts.map(\.messageID)) == ids && receipts.allSatisfy { $0.state == .delivered })
            carrier.simulator.inject(from: "+447700900123", to: "447700900555", text: "HELP", systemID: "carrier")
            #expect(await collect(connection.inbound, count: 1, seconds: 20).first?.mo?.text == "HELP")
            await connection.close()
        }
        await carrier.stop()
    }

    @Test func receiptsForIdsNeverSentAndUnreadableReceiptsReachNoCustomer() async throws {
        let carrier = try await Carrier()
        try await withGateway(configure: { config in
            config.connectors = [Self.connector("odd", port: carrier.port)]
        }) { gateway in
            try await gateway.addAccount()
            let connection = try await gateway.connect()
            #expect(await eventually(20) { gateway.prepared.connectorStates["odd"] == "up" })
            carrier.simulator.injectReceipt(
                text: "id:987654321 sub:001 dlvrd:001 submit date:2611271200 done date:2611271201 stat:DELIVRD err:000 Text:x", systemID: "carrier")
            carrier.simulator.injectReceipt(text: "this is not a receipt", systemID: "carrier")
            carrier.simulator.injectReceipt(text: "id:1 stat:WHATEVER err:zz", systemID: "carrier")
            // The connector carries on: the next message's receipt is the only one the customer
            // gets (the carrier's ids start at 1, so "id:1" above was an early receipt for it that
            // could not be read: the real one still settles it).
            let reply = try await connection.submit(submit(to: "447700900001"))
            let receipts = await collect(connection.inbound, count: 2, seconds: 5).compactMap(\.receipt)
            #expect(receipts.count == 1)
            #expect(receipts.first?.messageID == reply.messageID && receipts.first?.state == .delivered)
            #expect(gateway.prepared.connectorStates["odd"] == "up")
            await connection.close()
        }
        await carrier.stop()
    }

    @Test func aPartsReceiptThatComesLongBeforeTheLastPartIsAnsweredStillCounts() async throws {
        // Parts 1 and 2 are answered and receipted at once; the carrier answers part 3 only
        // later than a receipt is held for its submission (2 s). Each part's submission is
        // recorded when its answer comes, so the early receipts still count (they used to be
        // given up, found nowhere, and the message stayed `sent` for ever).
        var configuration = FakeSMSC.Configuration(accounts: ["carrier": "secret"])
        configuration.holdAfter = 2
        let smsc = try await FakeSMSC.start(configuration: configuration)
        try await withGateway(configure: { config in
            config.connectors = [Self.connector("fake", port: smsc.port)]
        }) { gateway in
            try await gateway.addAccount()
            let connection = try await gateway.connect()
            var long = submit(to: "447700900001")
            long.shortMessage = ByteBuffer()
            long.tlvs.messagePayload = ByteBuffer(string: String(repeating: "0123456789", count: 40))  // 3 parts
            let reply = try await connection.submit(long)
            #expect(await eventually { smsc.heldCount == 1 && smsc.seen.receiptsAcknowledged == 2 })
            try await Task.sleep(for: .seconds(3))  // past the hold: nothing here races, it only waits
            #expect(try await gateway.gateway.store.message(MessageID(reply.messageID)!)?.status.isFinal == false)
            await smsc.releaseHeld()
            let receipt = await collect(connection.inbound, count: 1, seconds: 20).first?.receipt
            #expect(receipt?.messageID == reply.messageID && receipt?.state == .delivered)
            #expect(try await gateway.gateway.store.message(MessageID(reply.messageID)!)?.status == .delivered)
            await connection.close()
        }
        try await smsc.stop()
    }

    @Test func aCarrierWritingReceiptIdsInDecimalIsMatchedAndReceiptsBeforeResponsesWait() async throws {
        // Hex ids in submit_sm_resp, their decimal values in the receipts, each receipt written
        // before its response (SMPP-NOTES problem #1).
        let smsc = try await FakeSMSC.start(
            configuration: .init(accounts: ["carrier": "secret"], receiptBeforeResponse: true, decimalReceiptIDs: true))
        for form in ["decimal", "automatic"] {
            try await withGateway(configure: { config in
                config.connectors = [Self.connector("fake", port: smsc.port) { $0.idForm = form }]
            }) { gateway in
                try await gateway.addAccount()
                let connection = try await gateway.connect()
                let replies = try await connection.submit(contentsOf: (0..<5).map { submit(to: "4477009000\($0 + 10)") })
                let ids = Set(try replies.map { try $0.get().messageID })
                let receipts = await collect(connection.inbound, count: 5, seconds: 20).compactMap(\.receipt)
                #expect(Set(receipts.map(\.messageID)) == ids, "idForm \(form)")
                #expect(receipts.allSatisfy { $0.state == .delivered })
                await connection.close()
            }
        }
        try await smsc.stop()
    }

    @Test func aCarrierThatNeverAnswersOrRejectsTheBindLosesNothing() async throws {
        // The first carrier takes the bind but never answers submits to one number; the second
        // refuses the bind (wrong password); the third is fine.
        let silent = try await FakeSMSC.start(configuration: .init(accounts: ["carrier": "secret"], silentDestinations: ["447700900777"]))
        let fine = try await Carrier()
        try await withGateway(configure: { config in
            config.connectors = [
                Self.connector("silent", port: silent.port) { $0.responseTimeoutSeconds = 1 },
                Self.connector("refusing", port: fine.port) { $0.password = "wrong" },
                Self.connector("fine", port: fine.port),
            ]
            config.routes = [.init(connectors: ["silent", "refusing", "fine"])]
        }) { gateway in
            try await gateway.addAccount()
            #expect(await eventually(20) { gateway.prepared.connectorStates == ["silent": "up", "refusing": "down", "fine": "up"] })
            let connection = try await gateway.connect()
            // The answered one first, and its receipt awaited: it goes to "silent" while nothing
            // there has timed out yet (a timeout may take the bind down for a moment).
            let answered = try await connection.submit(submit(to: "447700900001"))
            var receipts = await collect(connection.inbound, count: 1, seconds: 20).compactMap(\.receipt)
            let unanswered = try await connection.submit(submit(to: "447700900777"))
            receipts += await collect(connection.inbound, count: 1, seconds: 20).compactMap(\.receipt)
            // The unanswered submit timed out and went to the next connector up; the other went first time.
            #expect(Set(receipts.map(\.messageID)) == [unanswered.messageID, answered.messageID])
            #expect(receipts.allSatisfy { $0.state == .delivered })
            // The unanswered one reached "fine". (On a loaded machine the answered one's 1 s
            // response timeout can run out too, and it goes to "fine" as well: failover after a
            // timeout is at-least-once towards carriers.)
            #expect(fine.simulator.recentSubmits.map(\.destination.address).contains("447700900777"))
            #expect(silent.seen.submitted.map(\.destination.address).contains("447700900001"))
            await connection.close()
        }
        await fine.stop()
        try await silent.stop()
    }

    @Test func connectorsAndRoutesInTheConfigFileAreChecked() throws {
        let file = NSTemporaryDirectory() + "shortwave-routes-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: file) }
        func load(_ json: String) throws -> GatewayConfiguration {
            try json.write(toFile: file, atomically: true, encoding: .utf8)
            let configuration = try GatewayConfiguration.load(file: file)
            try configuration.validate()
            return configuration
        }
        let good = try load(
            """
            {"connectors": [{"name": "a", "host": "smsc.example", "port": 2775, "systemID": "me", "password": "pw", "binds": 4,
              "window": 50, "messagesPerSecond": 200, "rewrite": {"destinationStripPrefix": "+", "destinationTON": 1},
              "supports": {"udh": false, "maximumParts": 6}, "idForm": "decimal", "telemarketerIDs": ["1702123456789012345"]},
              {"name": "dev", "kind": "simulator"}],
             "routes": [{"destinationPrefixes": ["91"], "connectors": ["a", "dev"]}, {"connectors": ["a", "dev"], "weights": [1, 0]}]}
            """)
        #expect(good.connectors[0].binds == 4 && good.connectors[0].supports.maximumParts == 6 && good.connectors[0].supports.sar)
        #expect(good.connectors[0].rewrite.destinationTON == 1 && good.connectors[0].enquireLinkSeconds == 30)
        #expect(good.routes[1].weights == [1, 0])
        let bad: [(String, String)] = [
            (#"{"connectors": [{"name": "a", "host": "h", "systemID": "me", "colour": 1}]}"#, "connectors[0].colour"),
            (#"{"connectors": [{"name": "a", "systemID": "me", "supports": {"utf8": true}}]}"#, "connectors[0].supports.utf8"),
            (#"{"connectors": [{"name": "a", "systemID": "me"}], "routes": [{"connectors": ["b"]}]}"#, "connector b is not defined"),
            (#"{"connectors": [{"name": "a", "systemID": "me"}, {"name": "a", "systemID": "you"}]}"#, "two connectors are named a"),
            (#"{"connectors": [{"name": "a", "systemID": "me", "window": 0}]}"#, "connector a: window"),
            (#"{"connectors": [{"name": "a"}]}"#, "connector a: systemID"),
            (#"{"connectors": [{"name": "a", "systemID": "me", "idForm": "roman"}]}"#, "idForm"),
            (#"{"connectors": [{"name": "a", "systemID": "me"}], "routes": [{"connectors": ["a"], "weights": [1, 2]}]}"#, "weights"),
            (#"{"connectors": [{"name": "a", "systemID": "me"}], "routes": [{"connectors": ["a"], "destinationPattern": "(["}]}"#, "destinationPattern"),
            (#"{"connectors": [{"name": "a", "systemID": "me"}], "routes": [{"connectors": ["a"], "destinationPrefixes": ["+44"]}]}"#, "destinationPrefixes"),
            (#"{"connectors": [{"name": "a", "systemID": "me", "kind": "carrier-pigeon"}]}"#, "kind"),
            (#"{"connectors": [{"name": "a", "systemID": "me", "bindType": "receiver"}]}"#, "bindType"),
            // schemathesis found these crashing the server through POST /admin/v1/connectors:
            (#"{"connectors": [{"name": "a", "systemID": "me", "messagesPerSecond": 1e300}]}"#, "messagesPerSecond"),
            (#"{"connectors": [{"name": "a", "systemID": "me", "reconnectMaximumMilliseconds": 9223372036854775807}]}"#, "reconnect"),
            (#"{"connectors": [{"name": "a", "systemID": "me", "tlsCAFile": "/etc/hosts"}]}"#, "tlsCAFile is for TLS"),
            (#"{"connectors": [{"name": "a", "systemID": "me", "tls": true, "tlsCAFile": "/no/such.pem"}]}"#, "cannot read tlsCAFile"),
        ]
        for (json, says) in bad {
            #expect("\(json)", performing: { _ = try load(json) }, throws: { ($0 as? ConfigurationError)?.description.contains(says) == true })
        }
    }
}

/// Shortwave as another Shortwave's carrier, over SMPP with TLS.
@Suite struct TLSConnectorTests {
    @Test func aTLSConnectorVerifiesTheCarriersCertificateAndCarriesMessagesAndReceipts() async throws {
        try await withGateway { carrier in
            try await carrier.addAccount(id: "downstream", systemID: "carrier", password: "secret")
            let certificate = carrier.directory + "/tls-certificate.pem"
            try await withGateway(configure: { config in
                config.connectors = [
                    RoutingTests.connector("secure", port: carrier.tlsPort) { connector in
                        connector.tls = true
                        connector.tlsCAFile = certificate
                    }
                ]
            }) { gateway in
                try await gateway.addAccount()
                #expect(await eventually(20) { gateway.prepared.connectorStates["secure"] == "up" })
                let connection = try await gateway.connect()
                let reply = try await connection.submit(submit(to: "447700900001"))
                let receipt = await collect(connection.inbound, count: 1, seconds: 20).first?.receipt
                #expect(receipt?.messageID == reply.messageID && receipt?.state == .delivered)
                // The carrier saw a message of its own (its own id, its own store).
                let page = try await carrier.gateway.store.messages(MessageQuery(accountID: "downstream", limit: 10))
                #expect(page.messages.count == 1 && page.messages.first?.id.description != reply.messageID)
                await connection.close()
            }
            // Without the carrier's certificate to trust, the bind is refused by TLS: the connector is down.
            try await withGateway(configure: { config in
                config.connectors = [RoutingTests.connector("untrusted", port: carrier.tlsPort) { $0.tls = true }]
            }) { gateway in
                #expect(await eventually(20) { gateway.prepared.connectorStates["untrusted"] == "down" })
            }
        }
    }
}

extension Array {
    func asyncAllSatisfy(_ predicate: (Element) async -> Bool) async -> Bool {
        for element in self where !(await predicate(element)) { return false }
        return true
    }
}

/// Issue 15, item 12: a carrier that never sends a receipt no longer leaves messages `sent` for
/// ever, held in memory.
@Suite struct ReceiptDeadlineTests {
    @Test func aMessageWithoutAReceiptEndsExpiredAtTheDeadlineAndALateReceiptChangesNothing() async throws {
        let clock = ManualGatewayClock()
        let smsc = try await FakeSMSC.start(configuration: .init(accounts: ["carrier": "secret"], sendReceipts: false))
        try await withGateway(clock: clock, configure: { config in
            config.connectors = [RoutingTests.connector("fake", port: smsc.port) { $0.receiptTimeoutHours = 2 }]
        }) { gateway in
            try await gateway.addAccount()
            let connection = try await gateway.connect()
            let reply = try await connection.submit(submit(to: "447700900001"))
            let id = try #require(MessageID(reply.messageID))
            #expect(await eventually { (try? await gateway.gateway.store.message(id))?.status == .sent })
            #expect(gateway.prepared.connectorInfo.first?.awaitingReceipts == 1)
            // An hour on: still waiting.
            clock.advance(by: .seconds(3_600))
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await gateway.gateway.store.message(id)?.status == .sent)
            #expect(gateway.prepared.connectorInfo.first?.awaitingReceipts == 1)
            // Past two hours: given up, told, forgotten.
            clock.advance(by: .seconds(3_601))
            let receipt = await collect(connection.inbound, count: 1, seconds: 20).first?.receipt
            #expect(receipt?.messageID == reply.messageID && receipt?.state == .expired && receipt?.text?.error == "904")
            let stored = try await gateway.gateway.store.message(id)
            #expect(stored?.status == .expired && stored?.errorCode == 904)
            #expect(gateway.prepared.connectorInfo.first?.awaitingReceipts == 0)
            // The carrier's receipt after all: it changes nothing, and the customer hears nothing more.
            let carrierID = try #require(smsc.seen.messageIDs.first)
            var late = DeliverSM(
                source: .init(ton: .international, npi: .isdn, "447700900001"), destination: .init(ton: .alphanumeric, npi: .unknown, "ACME"),
                esmClass: ESMClass(type: .smscDeliveryReceipt),
                shortMessage: ByteBuffer(string: DeliveryReceipt(id: carrierID, state: .delivered, submitDate: nil, doneDate: nil).formatted))
            late.tlvs.receiptedMessageID = carrierID
            late.tlvs.messageState = .delivered
            _ = try await smsc.deliver(late)
            #expect(await collect(connection.inbound, count: 1, seconds: 3).isEmpty)
            #expect(try await gateway.gateway.store.message(id)?.status == .expired)
            await connection.close()
        }
        try await smsc.stop()
    }

    @Test func aReceiptTimeoutOutsideItsRangeIsAConfigurationError() throws {
        var connector = ConnectorConfiguration(name: "c")
        connector.systemID = "x"
        connector.receiptTimeoutHours = -1
        #expect(throws: ConfigurationError.self) { try connector.validate() }
        connector.receiptTimeoutHours = 0  // wait for ever
        try connector.validate()
    }

    @Test func byDefaultTheDeadlineIsTheEndOfTheValidityPeriod() async throws {
        let clock = ManualGatewayClock()
        let smsc = try await FakeSMSC.start(configuration: .init(accounts: ["carrier": "secret"], sendReceipts: false))
        try await withGateway(clock: clock, configure: { config in
            config.connectors = [RoutingTests.connector("fake", port: smsc.port)]
        }) { gateway in
            try await gateway.addAccount()
            let connection = try await gateway.connect()
            var message = submit(to: "447700900001")
            message.validityPeriod = .relative(.init(minutes: 10))
            let reply = try await connection.submit(message)
            #expect(reply.isOK, "\(reply.status)")
            let id = try #require(MessageID(reply.messageID))
            #expect(await eventually { (try? await gateway.gateway.store.message(id))?.status == .sent })
            clock.advance(by: .seconds(20 * 60))  // validity (10 min) + 15 min not yet over
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await gateway.gateway.store.message(id)?.status == .sent)
            clock.advance(by: .seconds(6 * 60))
            let receipt = await collect(connection.inbound, count: 1, seconds: 20).first?.receipt
            #expect(receipt?.state == .expired && receipt?.text?.error == "904")
            await connection.close()
        }
        try await smsc.stop()
    }
}
