import Foundation
import GatewayCore
import GatewayStorageSQLite
import NIOCore
import SMPPCore
import Testing

/// A fresh directory per test, removed afterwards.
func withTemporaryDirectory(_ body: (String) async throws -> Void) async throws {
    let path = NSTemporaryDirectory() + "shortwave-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    try await body(path)
}

func sampleMessage(_ id: UInt64, account: String = "a", status: MessageStatus = .queued) -> Message {
    var tlvs = TLVList()
    tlvs.append(TLV(tag: TLVTag(0x1400), value: ByteBuffer(string: "1101234567890123456")))
    tlvs.userMessageReference = 7
    return Message(
        id: MessageID(rawValue: id), accountID: account, ingress: .smpp, serviceType: "CMT",
        source: .init(ton: .alphanumeric, npi: .unknown, "ACME"), destination: .init(ton: .international, npi: .isdn, "919812345678"),
        esmClass: ESMClass(udhi: true), protocolID: 0, priority: 1, registeredDelivery: .receipt, dataCoding: .ucs2,
        payload: [0x05, 0x00, 0x03, 0x2A, 0x02, 0x01, 0x00, 0x41], tlvs: tlvs, segments: 1, status: status, submittedAt: 1_800_000_000_000,
        scheduledAt: nil, expiresAt: 1_800_000_100_000, clientReference: "ref-1")
}

func sampleReceipt(for id: UInt64, account: String = "a", expiresAt: Int64 = 1_900_000_000_000) -> Delivery {
    var pdu = DeliverSM(
        source: .init(ton: .international, npi: .isdn, "919812345678"), destination: .init(ton: .alphanumeric, npi: .unknown, "ACME"),
        esmClass: ESMClass(type: .smscDeliveryReceipt), shortMessage: ByteBuffer(string: "id:\(MessageID(rawValue: id)) stat:DELIVRD"))
    pdu.tlvs.receiptedMessageID = MessageID(rawValue: id).description
    pdu.tlvs.messageState = .delivered
    return Delivery(accountID: account, kind: .receipt, messageID: MessageID(rawValue: id), deliverSM: pdu, createdAt: 1, expiresAt: expiresAt)
}

@Suite struct SQLiteMessageStoreTests {
    @Test func messagesRoundTripEveryFieldAndSurviveReopening() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/db.sqlite"
            let message = sampleMessage(0x0190_0000_0000_0001)
            do {
                let store = try SQLiteMessageStore(path: path)
                try await store.insert([message, sampleMessage(2)])
            }
            let reopened = try SQLiteMessageStore(path: path)
            #expect(try await reopened.message(message.id) == message)
            #expect(try await reopened.message(MessageID(rawValue: 99)) == nil)
            #expect(try await reopened.queuedMessages(after: nil, limit: 10).map(\.id.rawValue) == [2, 0x0190_0000_0000_0001])
            #expect(try await reopened.queuedMessages(after: MessageID(rawValue: 2), limit: 10).count == 1)
        }
    }

    @Test func aDuplicateIDFailsTheWholeCommit() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteMessageStore(path: directory + "/db.sqlite")
            try await store.insert([sampleMessage(1)])
            await #expect(throws: (any Error).self) { try await store.insert([sampleMessage(2), sampleMessage(1)]) }
            #expect(try await store.message(MessageID(rawValue: 2)) == nil)
        }
    }

    @Test func statusChangesApplyOnlyToMessagesNotYetFinalAndKeepTheirReceipts() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteMessageStore(path: directory + "/db.sqlite")
            try await store.insert([sampleMessage(1), sampleMessage(2)])
            let stored = try await store.apply([
                StatusChange(messageID: MessageID(rawValue: 1), status: .sent, at: 10, receipt: sampleReceipt(for: 1)),
                StatusChange(messageID: MessageID(rawValue: 1), status: .delivered, at: 20, receipt: sampleReceipt(for: 1)),
                StatusChange(messageID: MessageID(rawValue: 1), status: .undelivered, at: 30, receipt: sampleReceipt(for: 1)),  // too late
            ])
            #expect(stored.count == 2)
            #expect(stored.map(\.sequence) == stored.map(\.sequence).sorted())
            let message = try #require(try await store.message(MessageID(rawValue: 1)))
            #expect(message.status == .delivered)
            #expect(message.doneAt == 20)
            let owed = try await store.pendingDeliveries(accountID: "a", after: 0, limit: 10)
            #expect(owed == stored)
            #expect(owed[1].deliverSM.tlvs.receiptedMessageID == MessageID(rawValue: 1).description)
            try await store.completeDeliveries([owed[0].sequence])
            #expect(try await store.pendingDeliveries(accountID: "a", after: 0, limit: 10).map(\.sequence) == [owed[1].sequence])
            #expect(try await store.pendingDeliveries(accountID: "b", after: 0, limit: 10).isEmpty)
        }
    }

    @Test func cancelAndReplaceOnlyWhileQueued() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteMessageStore(path: directory + "/db.sqlite")
            try await store.insert([sampleMessage(1), sampleMessage(2, status: .delivered)])
            let replacement = Replacement(payload: [1, 2], segments: 1, scheduledAt: 5, expiresAt: 6, registeredDelivery: .none)
            #expect(try await store.replace(MessageID(rawValue: 1), accountID: "a", with: replacement))
            #expect(try await store.message(MessageID(rawValue: 1))?.payload == [1, 2])
            #expect(!(try await store.replace(MessageID(rawValue: 1), accountID: "other", with: replacement)))
            #expect(try await store.cancel(MessageID(rawValue: 1), accountID: "other", at: 7) == .notFound)
            #expect(try await store.cancel(MessageID(rawValue: 2), accountID: "a", at: 7) == .tooLate)
            #expect(try await store.cancel(MessageID(rawValue: 1), accountID: "a", at: 7) == .cancelled)
            #expect(try await store.message(MessageID(rawValue: 1))?.status == .deleted)
            #expect(!(try await store.replace(MessageID(rawValue: 1), accountID: "a", with: replacement)))
        }
    }

    @Test func moDeliveriesAndExpiry() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteMessageStore(path: directory + "/db.sqlite")
            let stored = try await store.insert(deliveries: [sampleReceipt(for: 1, expiresAt: 100), sampleReceipt(for: 2, expiresAt: 1_000)])
            #expect(stored.allSatisfy { $0.sequence > 0 })
            #expect(try await store.deleteExpired(before: 500, idempotencyBefore: 0) == 1)
            #expect(try await store.pendingDeliveries(accountID: "a", after: 0, limit: 10).map(\.messageID?.rawValue) == [2])
        }
    }

    @Test func messagesAndTheirOutboxLiveInTwoFiles() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteMessageStore(path: directory + "/db.sqlite")
            #expect(store.outboxPath == directory + "/db-outbox.sqlite")
            try await store.insert([sampleMessage(1)])
            _ = try await store.apply([StatusChange(messageID: MessageID(rawValue: 1), status: .delivered, at: 5, receipt: sampleReceipt(for: 1))])
            #expect(FileManager.default.fileExists(atPath: store.outboxPath))
            let message = try await store.message(MessageID(rawValue: 1))
            #expect(message?.status == .delivered)
            #expect(message?.doneAt == 5)
        }
    }

    @Test func aRestartResumesFromTheWatermarkPlusEveryScheduledMessage() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteMessageStore(path: directory + "/db.sqlite")
            var scheduled = sampleMessage(2)
            scheduled.scheduledAt = 4_000_000_000_000
            _ = try await store.write(WriteBatch(messages: [sampleMessage(1), scheduled, sampleMessage(3), sampleMessage(7), sampleMessage(9)]))
            #expect(try await store.queuedMessages(after: nil, limit: 10).map(\.id.rawValue) == [1, 2, 3, 7, 9])
            // Below 7 only scheduled messages can still be queued.
            _ = try await store.write(WriteBatch(dispatchWatermark: MessageID(rawValue: 7)))
            #expect(try await store.queuedMessages(after: nil, limit: 10).map(\.id.rawValue) == [2, 7, 9])
            #expect(try await store.queuedMessages(after: MessageID(rawValue: 2), limit: 1).map(\.id.rawValue) == [7])
            _ = try await store.apply([StatusChange(messageID: MessageID(rawValue: 7), status: .delivered, at: 1)])
            #expect(try await store.queuedMessages(after: nil, limit: 10).map(\.id.rawValue) == [2, 9])
        }
    }

    @Test func deliverySequencesNeverRepeatEvenWhenTheLastIsRemoved() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteMessageStore(path: directory + "/db.sqlite")
            let first = try await store.insert(deliveries: [sampleReceipt(for: 1)])
            try await store.completeDeliveries(first.map(\.sequence))
            let second = try await store.insert(deliveries: [sampleReceipt(for: 2)])
            #expect(second[0].sequence > first[0].sequence)
        }
    }

    @Test func accountsKeepOnlyThePasswordHash() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/db.sqlite"
            let store = try SQLiteMessageStore(path: path)
            let account = Account(
                id: "acme", systemID: "acme", password: PasswordHash(password: "s3cret!", rounds: 1_000), allowedBinds: [.transmitter],
                maxBinds: 3, messagesPerSecond: 50, window: 20, numbers: ["12345", "447700900123"], createdAt: 42)
            try await store.save(account)
            #expect(try await store.accounts() == [account])
            let files = [path, path + "-wal"].compactMap { FileManager.default.contents(atPath: $0) }
            let raw = files.map { String(decoding: $0, as: UTF8.self) }.joined()
            #expect(!raw.contains("s3cret!"))
        }
    }
}
