import SMPPClient
import SMPPCore

/// The README's ten-line ESME, compiled (never run: it names a real host).
func readmeExample() async throws {
    let pool = SMPPBindPool(.init(
        connection: .init(host: "smsc.example.net", port: 2776, systemID: "acme", password: "secret", tls: .verified),
        binds: 4, messagesPerSecond: 500))
    Task { try await pool.run() }            // or add it to a ServiceGroup for graceful shutdown
    let sent = try await pool.send(text: "Your code is 123456", from: "ACME", to: "+447700900001", reference: "otp-1")
    for await case .receipt(let receipt) in pool.inbound where receipt.submission?.reference == "otp-1" {
        print(sent.messageIDs, receipt.state ?? .unknown)
    }
}
