import Foundation
import GatewayCore
import GatewayStorageConformance
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

/// Every storage role's conformance suite on a fresh SQLite store.
@Test(arguments: StoreConformance.checks)
func sqliteStoreConforms(_ check: StoreCheck) async throws {
    try await withTemporaryDirectory { directory in
        try await check.run(on: try SQLiteMessageStore(path: directory + "/db.sqlite"))
    }
}

/// What only the SQLite backend promises: files, reopening, exact resume points.
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
