// The gateway's lifecycle of a message with a receipt, one group commit per batch: insert the
// message (25 columns), update its status, insert the receipt (a 180-octet PDU), delete the
// receipt once acknowledged. WAL, synchronous = FULL. Prints lifecycles per second.
import Foundation
import GRDB
import GRDBSQLite
import NIOCore
import SQLiteNIO

let arguments = CommandLine.arguments
let seconds = arguments.firstIndex(of: "--seconds").flatMap { Double(arguments[$0 + 1]) } ?? 3
let batch = 400

let schema = [
    """
    CREATE TABLE message (id INTEGER PRIMARY KEY, account_id TEXT, ingress TEXT, service_type TEXT, source_addr TEXT,
        source_ton INT, source_npi INT, dest_addr TEXT, dest_ton INT, dest_npi INT, esm_class INT, protocol_id INT, priority INT,
        registered_delivery INT, data_coding INT, payload BLOB, tlvs BLOB, segments INT, status TEXT, error_code INT,
        submitted_at INT, done_at INT, scheduled_at INT, expires_at INT, client_ref TEXT)
    """,
    "CREATE TABLE delivery (seq INTEGER PRIMARY KEY, account_id TEXT, kind TEXT, message_id INT, pdu BLOB, created_at INT, expires_at INT, attempts INT)",
    "CREATE INDEX delivery_account ON delivery(account_id, seq)",
]
let insertMessage = "INSERT INTO message VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
let updateStatus = "UPDATE message SET status = ?, error_code = ?, done_at = ? WHERE id = ? AND status NOT IN ('delivered', 'undelivered')"
let insertReceipt = "INSERT INTO delivery VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
let deleteReceipt = "DELETE FROM delivery WHERE seq = ?"
let payload = Data(repeating: 0x61, count: 27)
let pdu = Data(repeating: 0x70, count: 180)

func path() -> String { NSTemporaryDirectory() + "store-drivers-" + UUID().uuidString + ".sqlite" }

func report(_ name: String, _ lifecycles: Int, _ start: ContinuousClock.Instant) {
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print(name.padding(toLength: 44, withPad: " ", startingAt: 0), String(format: "%8.0f lifecycles/s  %6.2f µs each", Double(lifecycles) / seconds, seconds * 1e6 / Double(lifecycles)))
}

// GRDB: one write closure per group, cached statements.
do {
    var configuration = Configuration()
    configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
    let pool = try DatabasePool(path: path(), configuration: configuration)
    try await pool.write { db in for statement in schema { try db.execute(sql: statement) } }
    var id: Int64 = 1
    var done = 0
    let start = ContinuousClock.now
    while ContinuousClock.now < start + .milliseconds(Int64(seconds * 1000)) {
        let first = id
        try await pool.write { db in
            let insert = try db.cachedStatement(sql: insertMessage)
            let update = try db.cachedStatement(sql: updateStatus)
            let receipt = try db.cachedStatement(sql: insertReceipt)
            let delete = try db.cachedStatement(sql: deleteReceipt)
            for m in first..<(first + Int64(batch)) {
                try insert.execute(arguments: [
                    m, "demo", "smpp", "", "12345", 1, 1, "15550000001", 1, 1, 0, 0, 0, 1, 0, payload, Data(), 1, "queued", 0,
                    1_700_000_000_000, nil, nil, 1_700_000_000_000, nil,
                ])
                if m > Int64(batch) {
                    try update.execute(arguments: ["delivered", 0, 1_700_000_000_001, m - Int64(batch)])
                    try receipt.execute(arguments: [m - Int64(batch), "demo", "receipt", m - Int64(batch), pdu, 1, 2, 0])
                }
                if m > 2 * Int64(batch) { try delete.execute(arguments: [m - 2 * Int64(batch)]) }
            }
        }
        id += Int64(batch)
        done += batch
    }
    report("GRDB (cached statements, one write per group)", done, start)
}

// GRDB with the statements bound through the SQLite C API, as GatewayStorageSQLite does.
do {
    var configuration = Configuration()
    configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
    let pool = try DatabasePool(path: path(), configuration: configuration)
    try await pool.write { db in for statement in schema { try db.execute(sql: statement) } }
    let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    var id: Int64 = 1
    var done = 0
    let start = ContinuousClock.now
    while ContinuousClock.now < start + .milliseconds(Int64(seconds * 1000)) {
        let first = id
        try await pool.write { db in
            let insert = try db.cachedStatement(sql: insertMessage).sqliteStatement
            let update = try db.cachedStatement(sql: updateStatus).sqliteStatement
            let receipt = try db.cachedStatement(sql: insertReceipt).sqliteStatement
            let delete = try db.cachedStatement(sql: deleteReceipt).sqliteStatement
            func run(_ statement: OpaquePointer) {
                sqlite3_step(statement)
                sqlite3_reset(statement)
            }
            for m in first..<(first + Int64(batch)) {
                var k: Int32 = 0
                func int(_ s: OpaquePointer, _ v: Int64) { k += 1; sqlite3_bind_int64(s, k, v) }
                func text(_ s: OpaquePointer, _ v: String) { k += 1; sqlite3_bind_text(s, k, v, -1, transient) }
                func blob(_ s: OpaquePointer, _ v: Data) { k += 1; _ = v.withUnsafeBytes { sqlite3_bind_blob(s, k, $0.baseAddress, Int32(v.count), transient) } }
                func null(_ s: OpaquePointer) { k += 1; sqlite3_bind_null(s, k) }
                int(insert, m); text(insert, "demo"); text(insert, "smpp"); text(insert, ""); text(insert, "12345"); int(insert, 1); int(insert, 1)
                text(insert, "15550000001"); int(insert, 1); int(insert, 1); for _ in 0..<5 { int(insert, 0) }
                blob(insert, payload); blob(insert, Data()); int(insert, 1); text(insert, "queued"); int(insert, 0)
                int(insert, 1_700_000_000_000); null(insert); null(insert); int(insert, 1_700_000_000_000); null(insert)
                run(insert)
                if m > Int64(batch) {
                    k = 0
                    text(update, "delivered"); int(update, 0); int(update, 1_700_000_000_001); int(update, m - Int64(batch))
                    run(update)
                    k = 0
                    int(receipt, m - Int64(batch)); text(receipt, "demo"); text(receipt, "receipt"); int(receipt, m - Int64(batch))
                    blob(receipt, pdu); int(receipt, 1); int(receipt, 2); int(receipt, 0)
                    run(receipt)
                }
                if m > 2 * Int64(batch) {
                    k = 0
                    int(delete, m - 2 * Int64(batch))
                    run(delete)
                }
            }
        }
        id += Int64(batch)
        done += batch
    }
    report("GRDB + SQLite C API binds (the gateway's way)", done, start)
}

// sqlite-nio: the same statements, each a query on the connection's thread pool.
do {
    let connection = try await SQLiteConnection.open(storage: .file(path: path())).get()
    _ = try await connection.query("PRAGMA journal_mode = WAL")
    _ = try await connection.query("PRAGMA synchronous = FULL")
    for statement in schema { _ = try await connection.query(statement) }
    var id = 1
    var done = 0
    let start = ContinuousClock.now
    while ContinuousClock.now < start + .milliseconds(Int64(seconds * 1000)) {
        _ = try await connection.query("BEGIN")
        for m in id..<(id + batch) {
            let row: [SQLiteData] = [
                    .integer(m), .text("demo"), .text("smpp"), .text(""), .text("12345"), .integer(1), .integer(1), .text("15550000001"),
                    .integer(1), .integer(1), .integer(0), .integer(0), .integer(0), .integer(1), .integer(0),
                    .blob(.init(bytes: payload)), .blob(.init()), .integer(1), .text("queued"), .integer(0),
                    .integer(1_700_000_000_000), .null, .null, .integer(1_700_000_000_000), .null,
                ]
            _ = try await connection.query(insertMessage, row)
            if m > batch {
                let status: [SQLiteData] = [.text("delivered"), .integer(0), .integer(1_700_000_000_001), .integer(m - batch)]
                _ = try await connection.query(updateStatus, status)
                let receipt: [SQLiteData] = [
                    .integer(m - batch), .text("demo"), .text("receipt"), .integer(m - batch), .blob(.init(bytes: pdu)), .integer(1), .integer(2), .integer(0),
                ]
                _ = try await connection.query(insertReceipt, receipt)
            }
            if m > 2 * batch {
                let ack: [SQLiteData] = [.integer(m - 2 * batch)]
                _ = try await connection.query(deleteReceipt, ack)
            }
        }
        _ = try await connection.query("COMMIT")
        id += batch
        done += batch
    }
    report("sqlite-nio (one query per statement)", done, start)
    try await connection.close()
}
