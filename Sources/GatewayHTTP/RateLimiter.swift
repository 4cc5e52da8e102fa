import GatewayCore
import Synchronization

/// Requests per second per API key (a token bucket of one second's burst), with what the
/// `RateLimit-*` headers report.
final class RateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var last: Int64
    }

    struct Decision {
        var allowed: Bool
        var limit: Int
        var remaining: Int
        /// Seconds until a request may pass again (allowed: until the bucket is full).
        var reset: Int
    }

    let buckets = Mutex<[String: Bucket]>([:])

    func take(key: String, limit: Int, now: Int64 = monotonicNanoseconds()) -> Decision {
        self.buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: Double(limit), last: now)
            let elapsed = Double(max(0, now - bucket.last)) / 1e9
            bucket.tokens = min(Double(limit), bucket.tokens + elapsed * Double(limit))
            bucket.last = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            buckets[key] = bucket
            let missing = Double(limit) - bucket.tokens
            let reset = allowed ? Int((missing / Double(limit)).rounded(.up)) : Int(((1 - bucket.tokens) / Double(limit)).rounded(.up))
            return Decision(allowed: allowed, limit: limit, remaining: Int(bucket.tokens), reset: max(allowed ? 0 : 1, reset))
        }
    }
}
