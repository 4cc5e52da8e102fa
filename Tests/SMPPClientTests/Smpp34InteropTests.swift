import Foundation
import NIOCore
import SMPPClient
import SMPPCore
import SMPPSession
import Synchronization
import Testing

/// The SMSC of scripts/smpp34-smsc.py: the smpp34 package from PyPI (scripts/test installs it)
/// behind a proxy that logs the client's PDUs and can reset connections.
final class Smpp34SMSC: Sendable {
    let process: Process
    let log: String
    let port: Int

    private init(process: Process, log: String, port: Int) {
        self.process = process
        self.log = log
        self.port = port
    }

    static func start() throws -> Smpp34SMSC {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = root.appendingPathComponent("scripts/smpp34-smsc.py").path
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("smpp34-\(UUID().uuidString).log").path
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--port", "0", "--log", log]
        try process.run()
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline, process.isRunning {
            let lines = (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n") ?? []
            if let ready = lines.first(where: { $0.hasPrefix("READY ") }), let port = Int(ready.dropFirst(6)) {
                return Smpp34SMSC(process: process, log: log, port: port)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        throw Smpp34Error(
            "scripts/smpp34-smsc.py did not start: it needs python3 and `pip install smpp34` (scripts/test installs both)")
    }

    func stop() {
        // SIGKILL: the Rust runtime inside smpp34 does not always let SIGTERM end the process.
        if self.process.isRunning {
            kill(self.process.processIdentifier, SIGKILL)
            self.process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: self.log)
    }

    var lines: [String] { ((try? String(contentsOfFile: self.log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }

    func count(_ prefix: String) -> Int { self.lines.filter { $0.hasPrefix(prefix) }.count }

    func configuration(enquireLink: Duration? = .seconds(30)) -> SMPPConnection.Configuration {
        SMPPConnection.Configuration(
            host: "127.0.0.1", port: self.port, systemID: "test", password: "secret",
            // Generous limits: on a busy machine (the whole suite at once) the Python SMSC can take
            // seconds to answer; no test here is about a timeout.
            session: SessionConfiguration(
                role: .esme, responseTimeout: .seconds(30), bindTimeout: .seconds(30), enquireLinkInterval: enquireLink),
            connectTimeout: .seconds(30))
    }
}

struct Smpp34Error: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

@Suite("Interoperability with smpp34 (PyPI) as the SMSC", .serialized)
struct Smpp34InteropTests {
    @Test func bindSubmitAndReceipt() async throws {
        let smsc = try Smpp34SMSC.start()
        defer { smsc.stop() }
        let connection = try await SMPPConnection.connect(smsc.configuration())
        #expect(connection.smscSystemID == "smpp34")
        let reply = try await connection.submit(message(to: "447700900001"))
        #expect(reply.isOK)
        let inbound = await collect(connection.inbound, count: 1)
        guard case .receipt(let receipt) = inbound.first else {
            Issue.record("no receipt from smpp34: \(inbound)")
            return
        }
        #expect(receipt.messageID == reply.messageID)
        #expect(receipt.state == .delivered)
        #expect(receipt.text?.stat == "DELIVRD")
        #expect(await eventually { smsc.count("SUBMIT 447700900001 \(reply.messageID)") == 1 })
        await connection.close()
        #expect(await eventually { smsc.count("PDU 0x00000006") == 1 })  // our unbind reached it
    }

    @Test func mobileOriginatedMessage() async throws {
        let smsc = try Smpp34SMSC.start()
        defer { smsc.stop() }
        let connection = try await SMPPConnection.connect(smsc.configuration())
        #expect(try await connection.submit(message(to: "mo", receipt: false)).isOK)
        let inbound = await collect(connection.inbound, count: 1)
        guard case .message(let mo) = inbound.first else {
            Issue.record("no MO from smpp34: \(inbound)")
            return
        }
        #expect(mo.text == "Hello from smpp34")
        #expect(mo.source.address == "447700900777")
        await connection.close()
    }

    @Test func keepAliveWithEnquireLink() async throws {
        let smsc = try Smpp34SMSC.start()
        defer { smsc.stop() }
        let connection = try await SMPPConnection.connect(smsc.configuration(enquireLink: .milliseconds(200)))
        #expect(await eventually(5) { smsc.count("PDU 0x00000015") >= 3 })
        #expect(connection.isActive)
        #expect(try await connection.submit(message(receipt: false)).isOK)
        await connection.close()
    }

    @Test func serverInitiatedUnbindThenThePoolRebinds() async throws {
        let smsc = try Smpp34SMSC.start()
        defer { smsc.stop() }
        let pool = SMPPBindPool(.init(
            connection: smsc.configuration(), binds: 1, backoff: Backoff(initial: .milliseconds(100), maximum: .milliseconds(200))), logger: quiet)
        let running = Task { try await pool.run() }
        #expect(try await pool.submit(message(to: "unbind", receipt: false)).isOK)
        #expect(await eventually { smsc.count("UNBOUND") >= 1 })
        #expect(await eventually { smsc.count("BIND") >= 2 && pool.boundCount == 1 })
        #expect(try await pool.submit(message(to: "447700900002", receipt: false)).isOK)
        pool.shutdown()
        try await running.value
    }

    @Test func resetMidWindowThenReconnect() async throws {
        let smsc = try Smpp34SMSC.start()
        defer { smsc.stop() }
        let pool = SMPPBindPool(.init(
            connection: smsc.configuration(), binds: 1, backoff: Backoff(initial: .milliseconds(100), maximum: .milliseconds(200))), logger: quiet)
        let running = Task { try await pool.run() }
        #expect(await eventually { pool.boundCount == 1 })
        let held = (0..<5).map { _ in Task { try await pool.submit(message(to: "hold", receipt: false)) } }
        #expect(await eventually { smsc.count("PDU 0x00000004") >= 5 })
        let reset = Task { try await pool.submit(message(to: "reset", receipt: false)) }
        for request in held + [reset] {
            await #expect(throws: SMPPClientError(.session(SessionError(.closed)))) { try await request.value }
        }
        #expect(await eventually { smsc.count("BIND") >= 2 && pool.boundCount == 1 })
        let after = try await pool.submit(message(to: "447700900003"))
        #expect(after.isOK)
        pool.shutdown()
        try await running.value
    }
}
