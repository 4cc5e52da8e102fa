public import GatewayCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GRDB
import Synchronization
import NIOCore
import SMPPCore

/// `MessageStore` on embedded SQLite files (WAL), through GRDB.
///
/// Two files, each with its own writer, so that the two halves of the work never wait for each
/// other's commits (or fsyncs):
/// * `<name>.sqlite` — accounts and the messages as accepted. A message is written once, when it
///   is accepted (`insert`), and changed only by `replace_sm` while it is still queued.
/// * `<name>-outbox.sqlite` — what happens to messages after that: each one's status (a message
///   without a status row is `queued`), the receipts and MO owed to customers, the dispatch
///   watermark. A status change and its receipt are one transaction here.
///
/// Writes run on GRDB's writer queues, never on an event loop or the cooperative pool; each call
/// is one transaction per file. With `synchronous = FULL` (the default) a commit is on disk when
/// the call returns, power loss included; the gateway groups many messages per call.
public final class SQLiteMessageStore: MessageStore {
    public struct Configuration: Sendable {
        /// `true`: fsync every commit (survives power loss). `false`: WAL `synchronous = NORMAL`
        /// (survives a crash of the process, not of the machine).
        public var fullSync: Bool
        /// How often the write-ahead logs are copied back into the databases (`runMaintenance`).
        public var checkpointInterval: Duration

        public init(fullSync: Bool = true, checkpointInterval: Duration = .milliseconds(200)) {
            self.fullSync = fullSync
            self.checkpointInterval = checkpointInterval
        }
    }

    /// Accounts and messages.
    let messages: DatabasePool

    /// Statuses, deliveries owed, the dispatch watermark.
    let outbox: DatabasePool

    public let path: String

    public let outboxPath: String

    let checkpointInterval: Duration

    /// One connection per file for WAL checkpoints, beside the pools' writers.
    let checkpointers: [DatabaseQueue]

    /// The next delivery sequence number: assigned here (not by SQLite, which may reuse the
    /// number of a deleted last row) so that sequences only ever increase while this runs.
    let nextSequence: Mutex<Int64>

    static let finalStatuses = MessageStatus.allCases.filter(\.isFinal).map { "'\($0.rawValue)'" }.joined(separator: ",")

    /// Log frames (4 KiB pages) beyond which a checkpoint restarts a log: 32 MiB.
    static let restartFrames = 8_192

    /// `path`: the messages file; the outbox file sits beside it (`x.sqlite` → `x-outbox.sqlite`).
    public init(path: String, configuration: Configuration = Configuration()) throws {
        self.path = path
        self.outboxPath = path.hasSuffix(".sqlite") ? String(path.dropLast(7)) + "-outbox.sqlite" : path + "-outbox"
        self.checkpointInterval = configuration.checkpointInterval
        var grdb = GRDB.Configuration()
        let fullSync = configuration.fullSync
        grdb.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(fullSync ? "FULL" : "NORMAL")")
            // Checkpoints run from their own connections (runMaintenance), not inside a commit:
            // an automatic one would stall the group commit that happens to trigger it.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
        }
        // When a checkpointer holds the lock, poll every 100 µs (up to 5 s) rather than SQLite's
        // default sleeps of 1, 2, 5, 10… ms: a commit should resume the moment it can.
        grdb.busyMode = .callback { tries in
            usleep(100)
            return tries < 50_000
        }
        self.messages = try DatabasePool(path: path, configuration: grdb)
        // The outbox is not on the path of any answer an ESME waits for: below the messages
        // writer and the event loops in priority.
        var outbox = grdb
        outbox.qos = .utility
        self.outbox = try DatabasePool(path: self.outboxPath, configuration: outbox)
        try Self.messagesMigrator.migrate(self.messages)
        try Self.outboxMigrator.migrate(self.outbox)
        let last = try self.outbox.read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM delivery") ?? 0 }
        self.nextSequence = Mutex(last + 1)
        var checkpointing = GRDB.Configuration()
        checkpointing.busyMode = .timeout(1)
        checkpointing.qos = .utility
        checkpointing.prepareDatabase { db in try db.execute(sql: "PRAGMA journal_size_limit = 67108864") }
        self.checkpointers = [
            try DatabaseQueue(path: path, configuration: checkpointing),
            try DatabaseQueue(path: self.outboxPath, configuration: checkpointing),
        ]
    }

    /// Copies each write-ahead log back into its database every `checkpointInterval`, from a
    /// connection of its own. A passive checkpoint never holds up a commit; under constant load
    /// it never quite finishes either, so once a log passes `restartFrames` a restart checkpoint
    /// (which holds the writer only for the last few frames) lets the next commit reuse the log
    /// from its beginning: the logs stay bounded.
    public func runMaintenance() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: self.checkpointInterval)
            if Task.isCancelled { break }
            for checkpointer in self.checkpointers {
                _ = try? await checkpointer.writeWithoutTransaction { db in
                    let (frames, _) = try db.checkpoint(.passive)
                    if frames > Self.restartFrames { try db.checkpoint(.restart) }
                }
            }
        }
        for checkpointer in self.checkpointers {
            _ = try? await checkpointer.writeWithoutTransaction { db in try db.checkpoint(.passive) }
        }
    }
}
