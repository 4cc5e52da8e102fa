import GatewayCore
import SMPPCore
import Testing

/// `AccountStore`: accounts saved whole (only the password's hash), replaced, deleted; balances.
enum AccountStoreChecks {
    static let all: [StoreCheck] = [
        StoreCheck("AccountStore", "accounts round-trip, are replaced by id and deleted") { store in
            #expect(try await store.accounts().isEmpty)
            let acme = sampleAccount("acme", numbers: ["12345", "447700900123"])
            let beta = sampleAccount("beta")
            try await store.save(acme)
            try await store.save(beta)
            #expect(Set(try await store.accounts()) == [acme, beta])
            var changed = acme
            changed.maxBinds = 7
            changed.numbers = []
            try await store.save(changed)
            #expect(try await store.accounts().first { $0.id == "acme" } == changed)
            #expect(try await store.delete(accountID: "acme"))
            #expect(!(try await store.delete(accountID: "acme")))
            #expect(try await store.accounts().map(\.id) == ["beta"])
        },
        StoreCheck("AccountStore", "balances: adjustments, prices of stored messages, credits once per message") { store in
            try await store.save(sampleAccount("a"))
            try await store.adjustBalance(accountID: "a", by: 1_000)
            #expect(try await store.balances()["a"] == 1_000)
            var priced = sampleMessage(1)
            priced.price = 30
            try await store.insert([priced])
            #expect(try await store.balances()["a"] == 970)
            let credit = Credit(messageID: priced.id, accountID: "a", amount: 30)
            let outcome = try await store.write(
                WriteBatch(changes: [StatusChange(messageID: priced.id, status: .rejected, errorCode: 8, at: 5, credit: credit)]))
            #expect(outcome.credits == [credit])
            #expect(try await store.balances()["a"] == 1_000)
            try await store.adjustBalance(accountID: "a", by: -100)
            #expect(try await store.balances()["a"] == 900)
        },
    ]
}

/// `SettingsStore`: a value per key, replaced by the next save.
enum SettingsStoreChecks {
    static let all: [StoreCheck] = [
        StoreCheck("SettingsStore", "a setting is absent, saved, then replaced") { store in
            #expect(try await store.setting("admin_token") == nil)
            try await store.save(setting: "admin_token", value: "one")
            try await store.save(setting: "other", value: "x")
            try await store.save(setting: "admin_token", value: "two")
            #expect(try await store.setting("admin_token") == "two")
            #expect(try await store.setting("other") == "x")
        }
    ]
}

/// `MessageLog`: messages written once, read whole, listed, cancelled or replaced while queued.
enum MessageLogChecks {
    static let all: [StoreCheck] = [
        StoreCheck("MessageLog", "messages round-trip every field; queued ones come oldest first") { store in
            let message = sampleMessage(0x0190_0000_0000_0001)
            try await store.insert([message, sampleMessage(2)])
            #expect(try await store.message(message.id) == message)
            #expect(try await store.message(MessageID(rawValue: 99)) == nil)
            #expect(try await store.queuedMessages(after: nil, limit: 10).map(\.id.rawValue) == [2, 0x0190_0000_0000_0001])
            #expect(try await store.queuedMessages(after: MessageID(rawValue: 2), limit: 10).count == 1)
            #expect(try await store.queuedMessages(after: nil, limit: 1).map(\.id.rawValue) == [2])
        },
        StoreCheck("MessageLog", "a duplicate id fails the whole commit") { store in
            try await store.insert([sampleMessage(1)])
            await #expect(throws: (any Error).self) { try await store.insert([sampleMessage(2), sampleMessage(1)]) }
            #expect(try await store.message(MessageID(rawValue: 2)) == nil)
        },
        StoreCheck("MessageLog", "cancel and replace only while queued, only by the owner") { store in
            try await store.insert([sampleMessage(1), sampleMessage(2, status: .delivered)])
            let replacement = Replacement(payload: [1, 2], segments: 1, scheduledAt: 5, expiresAt: 6, registeredDelivery: .none)
            #expect(try await store.replace(MessageID(rawValue: 1), accountID: "a", with: replacement))
            let replaced = try await store.message(MessageID(rawValue: 1))
            #expect(replaced?.payload == [1, 2])
            #expect(replaced?.scheduledAt == 5 && replaced?.expiresAt == 6 && replaced?.registeredDelivery == RegisteredDelivery.none)
            #expect(!(try await store.replace(MessageID(rawValue: 1), accountID: "other", with: replacement)))
            #expect(try await store.cancel(MessageID(rawValue: 1), accountID: "other", at: 7) == .notFound)
            #expect(try await store.cancel(MessageID(rawValue: 9), accountID: "a", at: 7) == .notFound)
            #expect(try await store.cancel(MessageID(rawValue: 2), accountID: "a", at: 7) == .tooLate)
            #expect(try await store.cancel(MessageID(rawValue: 1), accountID: "a", at: 7) == .cancelled)
            let cancelled = try await store.message(MessageID(rawValue: 1))
            #expect(cancelled?.status == .deleted && cancelled?.doneAt == 7)
            #expect(!(try await store.replace(MessageID(rawValue: 1), accountID: "a", with: replacement)))
            #expect(try await store.queuedMessages(after: nil, limit: 10).isEmpty)
        },
        StoreCheck("MessageLog", "a cancel stores its webhook with it") { store in
            try await store.insert([sampleMessage(1)])
            #expect(try await store.cancel(MessageID(rawValue: 1), accountID: "a", at: 7, webhook: sampleWebhook(at: 7), credit: nil) == .cancelled)
            #expect(try await store.claimWebhooks(now: 10, lease: 100, limit: 10).map(\.url) == ["https://hooks.example/a"])
        },
        StoreCheck("MessageLog", "listing: one account's, newest first, filtered, in pages with a cursor") { store in
            var messages = (1...5).map { sampleMessage(UInt64($0)) }
            messages[1].clientReference = "special"
            messages[3].destination = SMPPAddress(ton: .international, npi: .isdn, "447700900999")
            try await store.insert(messages + [sampleMessage(6, account: "b")])
            _ = try await store.apply([StatusChange(messageID: MessageID(rawValue: 3), status: .delivered, at: 9)])
            let first = try await store.messages(MessageQuery(accountID: "a", limit: 2))
            #expect(first.messages.map(\.id.rawValue) == [5, 4])
            let cursor = try #require(first.next)
            let second = try await store.messages(MessageQuery(accountID: "a", before: cursor, limit: 10))
            #expect(second.messages.map(\.id.rawValue) == [3, 2, 1])
            #expect(second.next == nil)
            #expect(try await store.messages(MessageQuery(accountID: "a", status: .delivered)).messages.map(\.id.rawValue) == [3])
            #expect(try await store.messages(MessageQuery(accountID: "a", clientReference: "special")).messages.map(\.id.rawValue) == [2])
            #expect(try await store.messages(MessageQuery(accountID: "a", recipient: "447700900999")).messages.map(\.id.rawValue) == [4])
            #expect(try await store.messages(MessageQuery(accountID: "a", notBefore: MessageID(rawValue: 4))).messages.map(\.id.rawValue) == [5, 4])
            #expect(try await store.messages(MessageQuery(accountID: "b")).messages.map(\.id.rawValue) == [6])
            #expect(try await store.messages(MessageQuery(accountID: "nobody")).messages.isEmpty)
        },
        StoreCheck("MessageLog", "a carrier's ids find their message, with its parts and those delivered") { store in
            var long = sampleMessage(1)
            long.segments = 2
            try await store.insert([long])
            let parts = [UpstreamID(connector: "c", id: "a1"), UpstreamID(connector: "c", id: "a2")]
            _ = try await store.write(WriteBatch(changes: [StatusChange(messageID: long.id, status: .sent, at: 5, upstream: parts)]))
            var batch = WriteBatch()
            batch.deliveredParts = [DeliveredPart(messageID: long.id, upstream: parts[0])]
            _ = try await store.write(batch)
            let match = try #require(try await store.upstream(connector: "c", upstreamIDs: ["zz", "a2"]))
            #expect(match.messageID == long.id && match.upstreamID == "a2" && match.parts == 2 && match.deliveredParts == ["a1"])
            #expect(try await store.upstream(connector: "other", upstreamIDs: ["a1"]) == nil)
            #expect(try await store.upstream(connector: "c", upstreamIDs: ["nope"]) == nil)
        },
    ]
}

/// `IdempotencyStore`: the answer stored with the messages, until it is too old.
enum IdempotencyStoreChecks {
    static let all: [StoreCheck] = [
        StoreCheck("IdempotencyStore", "a record is stored with its messages and dropped when old") { store in
            let record = IdempotencyRecord(accountID: "a", key: "k-1", requestHash: [1, 2, 3], status: 202, body: Array("{}".utf8), createdAt: 100)
            try await store.insert([sampleMessage(1)], idempotency: [record])
            #expect(try await store.idempotencyRecord(accountID: "a", key: "k-1") == record)
            #expect(try await store.idempotencyRecord(accountID: "b", key: "k-1") == nil)
            #expect(try await store.idempotencyRecord(accountID: "a", key: "k-2") == nil)
            _ = try await store.deleteExpired(before: 0, idempotencyBefore: 100)
            #expect(try await store.idempotencyRecord(accountID: "a", key: "k-1") == record)  // not older than the cutoff
            _ = try await store.deleteExpired(before: 0, idempotencyBefore: 101)
            #expect(try await store.idempotencyRecord(accountID: "a", key: "k-1") == nil)
        }
    ]
}

/// `APIKeyStore`: keys (hashes only) saved, revoked by saving again.
enum APIKeyStoreChecks {
    static let all: [StoreCheck] = [
        StoreCheck("APIKeyStore", "keys round-trip and are revoked by saving them again") { store in
            let key = APIKey(id: "k1", accountID: "a", secretHash: Array(repeating: 7, count: 32), label: "ci", createdAt: 5)
            try await store.save(key)
            try await store.save(APIKey(id: "k2", accountID: "b", secretHash: [1], createdAt: 6))
            #expect(Set(try await store.apiKeys().map(\.id)) == ["k1", "k2"])
            #expect(try await store.apiKeys().first { $0.id == "k1" } == key)
            var revoked = key
            revoked.revokedAt = 9
            try await store.save(revoked)
            #expect(try await store.apiKeys().first { $0.id == "k1" }?.revokedAt == 9)
            #expect(try await store.apiKeys().count == 2)
        }
    ]
}

/// `Outbox`: status changes (once final, final), their receipts, webhooks and credits; MO;
/// acknowledgements; leases; expiry; the dispatch watermark.
enum OutboxChecks {
    static let all: [StoreCheck] = [
        StoreCheck("Outbox", "status changes apply only to messages not yet final, and keep their receipts") { store in
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
            #expect(try await store.pendingDeliveries(accountID: "a", after: owed[1].sequence, limit: 10).isEmpty)
            #expect(try await store.pendingDeliveries(accountID: "b", after: 0, limit: 10).isEmpty)
        },
        StoreCheck("Outbox", "one write holds messages, changes, MO, webhooks and acknowledgements") { store in
            let first = try await store.insert(deliveries: [sampleReceipt(for: 9)])
            var change = StatusChange(messageID: MessageID(rawValue: 1), status: .delivered, at: 5, receipt: sampleReceipt(for: 1))
            change.webhook = sampleWebhook(at: 5)
            let outcome = try await store.write(
                WriteBatch(
                    messages: [sampleMessage(1)], changes: [change], deliveries: [sampleReceipt(for: 2, account: "b")],
                    acknowledged: first.map(\.sequence), webhooks: [sampleWebhook(account: "b", at: 5)]))
            #expect(outcome.deliveries.map(\.messageID?.rawValue) == [1, 2])  // the change's receipt, then MO
            #expect(try await store.message(MessageID(rawValue: 1))?.status == .delivered)
            #expect(try await store.pendingDeliveries(accountID: "a", after: 0, limit: 10).map(\.messageID?.rawValue) == [1])
            #expect(try await store.pendingDeliveries(accountID: "b", after: 0, limit: 10).map(\.messageID?.rawValue) == [2])
            #expect(Set(try await store.claimWebhooks(now: 5, lease: 100, limit: 10).map(\.accountID)) == ["a", "b"])
        },
        StoreCheck("Outbox", "MO deliveries and expiry") { store in
            let stored = try await store.insert(deliveries: [sampleReceipt(for: 1, expiresAt: 100), sampleReceipt(for: 2, expiresAt: 1_000)])
            #expect(stored.allSatisfy { $0.sequence > 0 })
            #expect(try await store.deleteExpired(before: 500, idempotencyBefore: 0) == 1)
            #expect(try await store.pendingDeliveries(accountID: "a", after: 0, limit: 10).map(\.messageID?.rawValue) == [2])
        },
        StoreCheck("Outbox", "delivery sequences never repeat, even when the last is removed") { store in
            let first = try await store.insert(deliveries: [sampleReceipt(for: 1)])
            try await store.completeDeliveries(first.map(\.sequence))
            let second = try await store.insert(deliveries: [sampleReceipt(for: 2)])
            #expect(second[0].sequence > first[0].sequence)
        },
        StoreCheck("Outbox", "webhooks: due ones claimed oldest first, leased, retried later, completed, expired") { store in
            let stored = try await store.insert(webhooks: [sampleWebhook(at: 100), sampleWebhook(account: "b", at: 100), sampleWebhook(account: "c", at: 500)])
            #expect(stored.map(\.sequence) == stored.map(\.sequence).sorted() && stored.allSatisfy { $0.sequence > 0 })
            let claimed = try await store.claimWebhooks(now: 200, lease: 1_000, limit: 10)
            #expect(claimed.map(\.accountID) == ["a", "b"])  // c is not due yet
            #expect(try await store.claimWebhooks(now: 600, lease: 1_000, limit: 10).map(\.accountID) == ["c"])  // a, b leased
            try await store.completeWebhooks([claimed[0].sequence])
            try await store.retryWebhook(claimed[1].sequence, at: 5_000, attempts: 1)
            #expect(try await store.claimWebhooks(now: 4_999, lease: 10, limit: 10).map(\.accountID) == ["c"])  // its lease ran out
            let again = try await store.claimWebhooks(now: 5_000, lease: 10, limit: 10)
            #expect(again.map(\.accountID) == ["b"])
            #expect(again.first?.attempts == 1)
            #expect(try await store.deleteExpired(before: 2_000_000, idempotencyBefore: 0) == 2)
            #expect(try await store.claimWebhooks(now: 9_999_999, lease: 10, limit: 10).isEmpty)
        },
        StoreCheck("Outbox", "a restart resumes from the watermark, plus every scheduled message") { store in
            var scheduled = sampleMessage(2)
            scheduled.scheduledAt = 4_000_000_000_000
            _ = try await store.write(WriteBatch(messages: [sampleMessage(1), scheduled, sampleMessage(3), sampleMessage(7), sampleMessage(9)]))
            #expect(try await store.queuedMessages(after: nil, limit: 10).map(\.id.rawValue) == [1, 2, 3, 7, 9])
            // Below 7 only scheduled messages can still be queued.
            _ = try await store.write(WriteBatch(dispatchWatermark: MessageID(rawValue: 7)))
            let resumed = try await store.queuedMessages(after: nil, limit: 10).map(\.id.rawValue)
            #expect(resumed.contains(2) && resumed.contains(7) && resumed.contains(9) && resumed == resumed.sorted())
            _ = try await store.apply([StatusChange(messageID: MessageID(rawValue: 7), status: .delivered, at: 1)])
            #expect(!(try await store.queuedMessages(after: nil, limit: 10).map(\.id.rawValue).contains(7)))
        },
    ]
}
