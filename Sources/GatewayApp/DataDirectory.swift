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
}
