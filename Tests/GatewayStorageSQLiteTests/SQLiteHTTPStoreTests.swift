import Foundation
import GatewayCore
import GatewayStorageConformance
import GatewayStorageSQLite
import NIOCore
import SMPPCore
import Testing

/// What the HTTP API keeps in the SQLite store: keys, idempotency records, listings, webhooks.
@Suite struct SQLiteHTTPStoreTests {
    func webhook(_ url: String = "http://127.0.0.1/hook", at: Int64 = 1_000, expiresAt: Int64 = 10_000) -> Webhook {
        Webhook(accountID: "a", kind: .status, url: url, body: Array(#"{"x":1}"#.utf8), createdAt: at, expiresAt: expiresAt)
    }

    @Test func accountsKeysAndIdempotencyRecordsSurviveReopening() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/db.sqlite"
            let account = Account(
                id: "a", systemID: "a", password: PasswordHash(password: "p", rounds: 10), senders: ["ACME", "+447700900001"],
                requestsPerSecond: 50, webhookURL: "https://example.com/dlr", moWebhookURL: "https://example.com/mo")
            let (key, text) = APIKey.make(accountID: "a", label: "ci")
            let record = IdempotencyRecord(accountID: "a", key: "k1", requestHash: [1, 2, 3], status: 202, body: Array("{}".utf8), createdAt: 5_000)
            do {
                let store = try SQLiteMessageStore(path: path)
                try await store.save(account)
                try await store.save(key)
                try await store.insert([sampleMessage(1)], idempotency: [record])
            }
            let store = try SQLiteMessageStore(path: path)
            #expect(try await store.accounts() == [account])
            let keys = try await store.apiKeys()
            #expect(keys == [key])
            #expect(keys[0].matches(secret: APIKey.parse(text)!.secret))
            #expect(!String(decoding: keys[0].secretHash, as: UTF8.self).contains(String(APIKey.parse(text)!.secret)))
            #expect(try await store.idempotencyRecord(accountID: "a", key: "k1") == record)
            #expect(try await store.idempotencyRecord(accountID: "b", key: "k1") == nil)
            // Records older than a day go with the sweep.
            _ = try await store.deleteExpired(before: 0, idempotencyBefore: 6_000)
            #expect(try await store.idempotencyRecord(accountID: "a", key: "k1") == nil)
        }
    }

    @Test func listingPagesNewestFirstWithFilters() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteMessageStore(path: directory + "/db.sqlite")
            var messages = (1...30).map { sampleMessage(UInt64($0)) }
            messages.append(sampleMessage(31, account: "b"))
            messages[4].destination.address = "447700900005"
            messages[7].clientReference = "special"
            try await store.insert(messages)
            _ = try await store.apply((1...30).filter { $0 % 3 == 0 }.map { StatusChange(messageID: MessageID(rawValue: UInt64($0)), status: .delivered, at: 9) })

            var seen: [UInt64] = []
            var cursor: MessageID?
            repeat {
                let page = try await store.messages(MessageQuery(accountID: "a", before: cursor, limit: 7))
                #expect(page.messages.count <= 7)
                seen += page.messages.map(\.id.rawValue)
                cursor = page.next
            } while cursor != nil
            #expect(seen == Array((1...30).reversed()).map(UInt64.init))

            let delivered = try await store.messages(MessageQuery(accountID: "a", status: .delivered, limit: 100))
            #expect(delivered.messages.map(\.id.rawValue) == [30, 27, 24, 21, 18, 15, 12, 9, 6, 3])
            #expect(delivered.messages.allSatisfy { $0.status == .delivered && $0.doneAt == 9 })
            #expect(delivered.next == nil)
            let queued = try await store.messages(MessageQuery(accountID: "a", status: .queued, limit: 5))
            #expect(queued.messages.map(\.id.rawValue) == [29, 28, 26, 25, 23] && queued.next != nil)
            #expect(try await store.messages(MessageQuery(accountID: "a", recipient: "+447700900005")).messages.map(\.id.rawValue) == [5])
            #expect(try await store.messages(MessageQuery(accountID: "a", clientReference: "special")).messages.map(\.id.rawValue) == [8])
            let window = try await store.messages(MessageQuery(accountID: "a", before: MessageID(rawValue: 11), notBefore: MessageID(rawValue: 8)))
            #expect(window.messages.map(\.id.rawValue) == [10, 9, 8])
            #expect(try await store.messages(MessageQuery(accountID: "b")).messages.map(\.id.rawValue) == [31])
        }
    }

    @Test func webhooksAreStoredWithTheirChangeLeasedRetriedAndCompleted() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/db.sqlite"
            do {
                let store = try SQLiteMessageStore(path: path)
                try await store.insert([sampleMessage(1), sampleMessage(2)])
                // A change that applies stores its webhook; one to a final message does not.
                _ = try await store.apply([StatusChange(messageID: MessageID(rawValue: 1), status: .delivered, at: 5, webhook: self.webhook())])
                _ = try await store.apply([StatusChange(messageID: MessageID(rawValue: 1), status: .expired, at: 6, webhook: self.webhook("http://x/late"))])
                _ = try await store.write(WriteBatch(webhooks: [self.webhook("http://127.0.0.1/mo")]))
                // Cancelling stores the cancellation's webhook.
                #expect(try await store.cancel(MessageID(rawValue: 2), accountID: "a", at: 7, webhook: self.webhook("http://127.0.0.1/cancel"), credit: nil) == .cancelled)
            }
            let store = try SQLiteMessageStore(path: path)
            let due = try await store.claimWebhooks(now: 2_000, lease: 30_000, limit: 10)
            #expect(due.map(\.url) == ["http://127.0.0.1/hook", "http://127.0.0.1/mo", "http://127.0.0.1/cancel"])
            #expect(due[0].body == Array(#"{"x":1}"#.utf8))
            // Leased: not due again until the lease runs out.
            #expect(try await store.claimWebhooks(now: 2_001, lease: 30_000, limit: 10).isEmpty)
            try await store.completeWebhooks([due[0].sequence])
            try await store.retryWebhook(due[1].sequence, at: 3_000, attempts: 1)
            let retried = try await store.claimWebhooks(now: 3_000, lease: 30_000, limit: 10)
            #expect(retried.map(\.url) == ["http://127.0.0.1/mo"] && retried[0].attempts == 1)
            #expect(try await store.claimWebhooks(now: 33_000, lease: 1, limit: 10).count == 2)
            // Expired ones go with the sweep.
            #expect(try await store.deleteExpired(before: 10_001, idempotencyBefore: 0) == 2)
            #expect(try await store.claimWebhooks(now: 100_000, lease: 1, limit: 10).isEmpty)
        }
    }

    @Test func chargesTopUpsAndRefundsMoveTheBalanceOnce() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/db.sqlite"
            var account = Account(id: "a", systemID: "a", password: PasswordHash(password: "p", rounds: 10), billing: Billing(defaultRate: 2))
            do {
                let store = try SQLiteMessageStore(path: path)
                try await store.save(account)
                try await store.adjustBalance(accountID: "a", by: 100)
                var first = sampleMessage(1)
                first.price = 30
                var second = sampleMessage(2)
                second.price = 20
                try await store.insert([first, second])
                // Saving the account's settings leaves its balance alone.
                account.window = 5
                try await store.save(account)
                let credit = Credit(messageID: MessageID(rawValue: 1), accountID: "a", amount: 30)
                let outcome = try await store.write(
                    WriteBatch(changes: [StatusChange(messageID: MessageID(rawValue: 1), status: .rejected, at: 9, credit: credit)]))
                #expect(outcome.credits == [credit])
                // The same refund again (a second final change, a retry) is not stored twice.
                let again = try await store.write(
                    WriteBatch(changes: [StatusChange(messageID: MessageID(rawValue: 1), status: .expired, at: 10, credit: credit)]))
                #expect(again.credits.isEmpty)
                #expect(try await store.cancel(MessageID(rawValue: 2), accountID: "a", at: 11, webhook: nil, credit: .init(messageID: MessageID(rawValue: 2), accountID: "a", amount: 20)) == .cancelled)
            }
            let store = try SQLiteMessageStore(path: path)
            #expect(try await store.balances()["a"] == 100)
            #expect(try await store.message(MessageID(rawValue: 1))?.price == 30)
            #expect(try await store.accounts().first?.billing == Billing(defaultRate: 2))
            #expect(try await store.accounts().first?.window == 5)
        }
    }
}
