import GatewayCore
@testable import GatewayHTTP
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Testing

@Suite struct RateLimiterTests {
    @Test func aBucketOfOneSecondRefillsAtTheRate() {
        let limiter = RateLimiter()
        let start: Int64 = 1_000_000_000
        #expect(limiter.take(key: "k", limit: 2, now: start).allowed)
        let second = limiter.take(key: "k", limit: 2, now: start)
        #expect(second.allowed && second.remaining == 0)
        let refused = limiter.take(key: "k", limit: 2, now: start)
        #expect(!refused.allowed && refused.limit == 2 && refused.reset == 1)
        #expect(limiter.take(key: "other", limit: 2, now: start).allowed)  // per key
        #expect(limiter.take(key: "k", limit: 2, now: start + 500_000_000).allowed)  // half a second: one more
        #expect(!limiter.take(key: "k", limit: 2, now: start + 500_000_000).allowed)
    }
}

@Suite struct IdempotencyCacheTests {
    func record(_ hash: [UInt8], key: String = "k") -> IdempotencyRecord {
        IdempotencyRecord(accountID: "a", key: key, requestHash: hash, status: 202, body: [1], createdAt: wallClockMilliseconds())
    }

    @Test func firstAnswerIsReplayedOtherRequestsRefused() async throws {
        let store = InMemoryMessageStore()
        let cache = IdempotencyCache(store: store)
        guard case .proceed = try await cache.begin(accountID: "a", key: "k", requestHash: [1]) else { Issue.record("not proceed"); return }
        guard case .conflict(let busy) = try await cache.begin(accountID: "a", key: "k", requestHash: [1]) else { Issue.record("no conflict"); return }
        #expect(busy.code == "idempotency_request_in_progress")
        cache.finish(self.record([1]))
        guard case .replay(let replayed) = try await cache.begin(accountID: "a", key: "k", requestHash: [1]) else { Issue.record("no replay"); return }
        #expect(replayed.body == [1])
        guard case .conflict(let reused) = try await cache.begin(accountID: "a", key: "k", requestHash: [2]) else { Issue.record("no conflict"); return }
        #expect(reused.code == "idempotency_key_reused")
        // Another account's key of the same name is its own.
        guard case .proceed = try await cache.begin(accountID: "b", key: "k", requestHash: [2]) else { Issue.record("not proceed"); return }
        // A refused request frees its key.
        guard case .proceed = try await cache.begin(accountID: "a", key: "free", requestHash: [3]) else { Issue.record("not proceed"); return }
        cache.release(accountID: "a", key: "free")
        guard case .proceed = try await cache.begin(accountID: "a", key: "free", requestHash: [4]) else { Issue.record("not proceed"); return }
    }

    @Test func aStoredAnswerIsFoundByANewProcess() async throws {
        let store = InMemoryMessageStore()
        try await store.insert([], idempotency: [self.record([9], key: "old")])
        let cache = IdempotencyCache(store: store)
        guard case .replay = try await cache.begin(accountID: "a", key: "old", requestHash: [9]) else { Issue.record("no replay"); return }
        #expect(IdempotencyCache.isValid(key: "order-42") && !IdempotencyCache.isValid(key: "") && !IdempotencyCache.isValid(key: "a b"))
    }
}

@Suite struct WebhookSignatureTests {
    @Test func theSignatureIsHMACSHA256OverTimestampAndBody() {
        // Computed independently: python3 -c 'import hmac,hashlib; print(hmac.new(b"whsec_test",
        //   b"1700000000." + b"{\"type\":\"message.status\"}", hashlib.sha256).hexdigest())'
        #expect(
            WebhookSender.signature(secret: "whsec_test", timestamp: 1_700_000_000, body: Array(#"{"type":"message.status"}"#.utf8))
                == "t=1700000000,v1=a6f4b6dc62a0dc73fe34e3436f9f0c066e63c9d953cadb7bbcdd11481004d07f")
    }

    @Test func backoffDoublesToItsCap() {
        let sender = WebhookSender(
            store: InMemoryMessageStore(), accounts: AccountRegistry(),
            configuration: .init(initialBackoff: .seconds(5), maximumBackoff: .seconds(60)))
        for (attempts, base) in [(1, Int64(5_000)), (2, 10_000), (3, 20_000), (4, 40_000), (5, 60_000), (40, 60_000)] {
            let delay = sender.backoff(attempts: attempts)
            #expect(delay >= base - base / 10 && delay <= base + base / 10, "attempt \(attempts): \(delay)")
        }
    }
}

@Suite struct ProblemTests {
    @Test func aProblemIsAnRFC9457Document() {
        let problem = Problem.batchRejected([(1, Problem.invalidNumber("messages[1].to", "x"))])
        let response = problem.response(instance: "/v2/messages/batch")
        #expect(response.status.code == 422)
        #expect(response.headers[.contentType] == "application/problem+json")
        var json = JSONWriter()
        problem.write(into: &json, instance: "/v2/messages/batch")
        let text = String(decoding: json.bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"type":"https://shortwave.dev/problems/batch_rejected","title":"No message of the batch is valid","status":422,"code":"batch_rejected""#))
        #expect(text.contains(#""errors":[{"index":1,"code":"invalid_number","#) && text.contains(#""field":"messages[1].to"}]"#))
    }
}
