import GRDB
import GRDBSQLite

/// Binds a row straight into a prepared statement through the SQLite C API: the hot paths
/// (message insert, status update, delivery insert/delete) skip GRDB's boxed arguments, which
/// cost more than SQLite itself at 100,000 rows a second.
struct RawRow {
    let statement: SQLiteStatement
    private var index: Int32 = 0

    init(_ statement: Statement) { self.statement = statement.sqliteStatement }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    mutating func int(_ value: Int64) {
        self.index += 1
        sqlite3_bind_int64(self.statement, self.index, value)
    }

    mutating func int(_ value: some BinaryInteger) { self.int(Int64(value)) }

    mutating func int(_ value: Int64?) {
        if let value { self.int(value) } else { self.null() }
    }

    mutating func text(_ value: String) {
        self.index += 1
        var value = value
        value.withUTF8 { bytes in
            guard let base = bytes.baseAddress else {
                _ = sqlite3_bind_text(self.statement, self.index, "", 0, Self.transient)
                return
            }
            _ = UnsafeRawPointer(base).withMemoryRebound(to: CChar.self, capacity: bytes.count) { text in
                sqlite3_bind_text(self.statement, self.index, text, Int32(bytes.count), Self.transient)
            }
        }
    }

    mutating func text(_ value: String?) {
        if let value { self.text(value) } else { self.null() }
    }

    mutating func blob(_ value: [UInt8]) {
        self.index += 1
        _ = value.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress {
                sqlite3_bind_blob(self.statement, self.index, base, Int32(bytes.count), Self.transient)
            } else {
                sqlite3_bind_zeroblob(self.statement, self.index, 0)
            }
        }
    }

    mutating func null() {
        self.index += 1
        sqlite3_bind_null(self.statement, self.index)
    }

    /// Runs the statement once and resets it for the next row.
    func execute(_ db: Database) throws {
        let code = sqlite3_step(self.statement)
        sqlite3_reset(self.statement)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }
}
