// gateway-store-bench: what a group commit costs in the SQLite store, per message, for the
// gateway's whole lifecycle of a message with a receipt (insert; status change + receipt;
// receipt acknowledged), by batch size and sync mode. Release build:
//
//   swift run -c release gateway-store-bench [--seconds S]
import Foundation
import GatewayCore
import GatewayStorageSQLite
import NIOCore
import SMPPCore

let arguments = CommandLine.arguments
let seconds = arguments.firstIndex(of: "--seconds").flatMap { Double(arguments[$0 + 1]) } ?? 2

func message(_ id: MessageID) -> Message {
    Message(
        id: id, accountID: "bench", source: .init(ton: .alphanumeric, npi: .unknown, "ACME"),
        destination: .init(ton: .international, npi: .isdn, "447700900001"), registeredDelivery: .receipt,
        payload: Array("Hello from the store benchmark 0001".utf8), submittedAt: wallClockMilliseconds(),
        expiresAt: wallClockMilliseconds() + 3_600_000)
}

func receipt(_ message: Message) -> Delivery {
    var pdu = DeliverSM(
        source: message.destination, destination: message.source, esmClass: ESMClass(type: .smscDeliveryReceipt),
        shortMessage: ByteBuffer(string: "id:\(message.id) sub:001 dlvrd:001 submit date:2611271200 done date:2611271200 stat:DELIVRD err:000 Text:Hello from the store"))
    pdu.tlvs.receiptedMessageID = message.id.description
    pdu.tlvs.messageState = .delivered
    return Delivery(accountID: "bench", kind: .receipt, messageID: message.id, deliverSM: pdu, createdAt: 0, expiresAt: .max)
}

print("SQLite store (GRDB), one transaction per group: insert N + status/receipt N + acknowledge N")
print("batch  sync    lifecycles/s   µs per message   transactions/s")
for fullSync in [true, false] {
    for batch in [100, 400, 2_000] {
        let directory = NSTemporaryDirectory() + "shortwave-store-bench-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteMessageStore(path: directory + "/bench.sqlite", configuration: .init(fullSync: fullSync))
        let ids = MessageIDGenerator(node: 1)
        var previous: [Message] = []
        var owed: [Int64] = []
        var done = 0
        var transactions = 0
        let start = ContinuousClock.now
        let end = start + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < end {
            // As the gateway's writer does: this turn's new messages, the last turn's status
            // changes with receipts, and the receipts acknowledged the turn before.
            let messages = (0..<batch).map { _ in message(ids.next()) }
            let changes = previous.map { StatusChange(messageID: $0.id, status: .delivered, at: wallClockMilliseconds(), receipt: receipt($0)) }
            let stored = try await store.write(WriteBatch(messages: messages, changes: changes, acknowledged: owed))
            owed = stored.deliveries.map(\.sequence)
            previous = messages
            done += batch
            transactions += 1
        }
        let elapsed = (ContinuousClock.now - start)
        let secondsElapsed = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(done) / secondsElapsed
        print(
            String(batch).padding(toLength: 7, withPad: " ", startingAt: 0) + (fullSync ? "FULL    " : "NORMAL  ")
                + String(Int(rate)).padding(toLength: 15, withPad: " ", startingAt: 0)
                + String(format: "%.2f", 1e6 / rate).padding(toLength: 17, withPad: " ", startingAt: 0)
                + String(Int(Double(transactions) / secondsElapsed)))
    }
}
