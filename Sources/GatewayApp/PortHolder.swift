import Foundation

/// Who listens on a TCP port, from /proc (Linux): the one-line answer to "address already in
/// use" names the process, when this user may see it.
enum PortHolder {
    /// "pid 1234 (nc)", or nil when no listener on `port` can be found.
    static func describe(port: Int) -> String? {
        var inodes = Set<String>()
        for file in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let table = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            for line in table.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 9, fields[3] == "0A",  // LISTEN
                    let local = fields[1].split(separator: ":").last, Int(local, radix: 16) == port
                else { continue }
                inodes.insert(String(fields[9]))
            }
        }
        guard !inodes.isEmpty else { return nil }
        let sockets = Set(inodes.map { "socket:[\($0)]" })
        let processes = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for pid in processes where Int(pid) != nil {
            let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
            for fd in fds {
                guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"), sockets.contains(target) else {
                    continue
                }
                let name = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                return "pid \(pid)" + (name.map { " (\($0))" } ?? "")
            }
        }
        return "a process this user cannot see"
    }
}
