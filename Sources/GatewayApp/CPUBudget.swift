import Foundation
import NIOCore

/// How many CPUs this process may really use, and thread pools sized to it.
///
/// A machine's core count is the wrong size for a pinned or containerised process: on a 16-core
/// machine with `taskset -c 0,1`, NIO's singleton group would start 16 event loops (it reads the
/// cgroup quota and cpuset, not the affinity mask) that then take turns on two cores, and a
/// container with `--cpus 2` sees 16 cores through `sysconf`. The budget is the smallest of the
/// affinity mask, the cgroup's CPU quota (v2 `cpu.max`, v1 `cpu.cfs_quota_us`; rounded up) and
/// the online CPUs. An explicit setting (`threads`, `SHORTWAVE_THREADS`, `--threads`) overrides it.
public enum CPUBudget {
    /// The CPUs this process may use (at least 1).
    public static func available() -> Int {
        var candidates = [System.coreCount]
        if let affinity = Self.affinityCount() { candidates.append(affinity) }
        if let quota = Self.cgroupQuota() { candidates.append(quota) }
        return max(1, candidates.min() ?? 1)
    }

    /// Sizes NIO's singleton event-loop group (the SMPP and HTTP listeners, the carrier
    /// connections, webhooks) and its blocking pool to `threads`, or to `available()`. Must run
    /// before anything uses those singletons; returns the size chosen.
    @discardableResult
    public static func apply(threads: Int?) -> Int {
        if threads == nil, ProcessInfo.processInfo.environment["NIO_SINGLETON_GROUP_LOOP_COUNT"] != nil {
            return NIOSingletons.groupLoopCountSuggestion  // the operator set NIO's own variable
        }
        let count = threads ?? Self.available()
        NIOSingletons.groupLoopCountSuggestion = count
        NIOSingletons.blockingPoolThreadCountSuggestion = max(2, count)
        return count
    }

    /// The CPUs in this process's affinity mask (`Cpus_allowed_list` of /proc/self/status, what
    /// `taskset` sets), nil where it cannot be read.
    public static func affinityCount() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") })
        else { return nil }
        return Self.count(cpuList: String(line.dropFirst("Cpus_allowed_list:".count)))
    }

    /// Counts a kernel CPU list ("0-3,8,10-11" → 7); nil if it is not one.
    public static func count(cpuList text: String) -> Int? {
        var total = 0
        for range in text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",") {
            let ends = range.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            switch ends.count {
            case 1:
                guard ends[0] != nil else { return nil }
                total += 1
            case 2:
                guard let first = ends[0], let last = ends[1], last >= first else { return nil }
                total += last - first + 1
            default:
                return nil
            }
        }
        return total > 0 ? total : nil
    }

    /// The cgroup's CPU quota in whole CPUs (rounded up), nil when there is none.
    public static func cgroupQuota() -> Int? {
        // cgroup v2: the process's own group (/proc/self/cgroup "0::/path"), then the root.
        var files = ["/sys/fs/cgroup/cpu.max"]
        if let membership = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8),
            let line = membership.split(separator: "\n").first(where: { $0.hasPrefix("0::") })
        {
            let path = line.dropFirst(3)
            if path != "/" { files.insert("/sys/fs/cgroup\(path)/cpu.max", at: 0) }
        }
        for file in files {
            if let text = try? String(contentsOfFile: file, encoding: .utf8), let quota = Self.quota(cpuMax: text) { return quota }
        }
        // cgroup v1.
        if let quota = try? String(contentsOfFile: "/sys/fs/cgroup/cpu/cpu.cfs_quota_us", encoding: .utf8),
            let period = try? String(contentsOfFile: "/sys/fs/cgroup/cpu/cpu.cfs_period_us", encoding: .utf8)
        {
            return Self.quota(quota: quota, period: period)
        }
        return nil
    }

    /// Reads a cgroup v2 `cpu.max` ("200000 100000" → 2; "max 100000" → nil).
    public static func quota(cpuMax text: String) -> Int? {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count == 2 else { return nil }
        return Self.quota(quota: String(fields[0]), period: String(fields[1]))
    }

    /// A quota over a period in whole CPUs, rounded up (150000/100000 → 2); nil for none (-1, max).
    public static func quota(quota: String, period: String) -> Int? {
        guard let quota = Int(quota.trimmingCharacters(in: .whitespacesAndNewlines)), quota > 0,
            let period = Int(period.trimmingCharacters(in: .whitespacesAndNewlines)), period > 0
        else { return nil }
        return (quota + period - 1) / period
    }
}
