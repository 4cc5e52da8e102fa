import Synchronization

/// At most `maximum` of something under way at once: `acquire` says whether one more may start.
final class RequestLimit: Sendable {
    let maximum: Int
    private let count = Atomic<Int>(0)

    init(maximum: Int) { self.maximum = max(1, maximum) }

    /// True (and counted) if fewer than `maximum` are under way; false, and nothing counted, if not.
    func acquire() -> Bool {
        if self.count.add(1, ordering: .acquiringAndReleasing).newValue <= self.maximum { return true }
        self.count.subtract(1, ordering: .acquiringAndReleasing)
        return false
    }

    func release() { self.count.subtract(1, ordering: .acquiringAndReleasing) }

    var current: Int { self.count.load(ordering: .relaxed) }
}
