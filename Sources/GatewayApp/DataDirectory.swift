import Foundation
import GatewayCore
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The data directory holds the databases (password and key hashes, messages), the TLS key and
/// the admin token's hash: readable by the service user alone (DESIGN rule 7).
enum DataDirectory {
    /// Creates `path` 0700 if it is missing; from here on every file this process creates is
    /// the user's alone (umask 077: databases 0600). A directory or file others may read is
    /// warned about at start, with the command that fixes it.
    static func prepare(_ path: String, logger: Logger) throws {
        umask(0o077)
        let manager = FileManager.default
        if !manager.fileExists(atPath: path) {
            do {
                try manager.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw ConfigurationError("cannot create the data directory \(path): \(error.localizedDescription)")
            }
        }
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConfigurationError("the data directory \(path) is not a directory")
        }
        try Self.checkWritable(path)
        let entries = [path] + ((try? manager.contentsOfDirectory(atPath: path)) ?? []).map { path + "/" + $0 }
        let open = entries.filter { entry in
            let mode = ((try? manager.attributesOfItem(atPath: entry))?[.posixPermissions] as? NSNumber)?.intValue ?? 0
            return mode & 0o077 != 0
        }
        if !open.isEmpty {
            logger.warning(
                "the data directory can be read by other users: it holds password hashes, keys and messages",
                metadata: ["paths": "\(open.joined(separator: ", "))", "fix": "chmod -R go-rwx \(path)"])
        }
    }

    /// Writes, syncs and removes a small file: a directory the gateway cannot write to (its
    /// mode, a read-only mount, a full disk) is an error at start, not a 500 on every message.
    static func checkWritable(_ path: String) throws {
        let probe = path + "/.shortwave-write-check"
        func failure(_ what: String) -> ConfigurationError {
            let code = errno
            let reason = String(cString: strerror(code))
            let fix =
                code == ENOSPC
                ? "free space on that disk"
                : "give the user the gateway runs as (uid \(getuid())) write access to it, or choose another with --data-dir"
            return ConfigurationError("the data directory \(path) is not writable (\(what): \(reason)): \(fix)")
        }
        let fd = open(probe, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        guard fd >= 0 else { throw failure("creating a file") }
        defer { unlink(probe) }
        let block = [UInt8](repeating: 0, count: 4096)
        let written = block.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == block.count, fsync(fd) == 0 else {
            let error = failure("writing")
            close(fd)
            throw error
        }
        close(fd)
        // The databases too: one the gateway may not write would be opened read-only.
        for name in ["shortwave.sqlite", "shortwave.sqlite-wal", "shortwave-outbox.sqlite", "shortwave-outbox.sqlite-wal"] {
            let file = path + "/" + name
            if access(file, F_OK) == 0, access(file, W_OK) != 0 { throw failure("opening \(name) for writing") }
        }
    }
}
