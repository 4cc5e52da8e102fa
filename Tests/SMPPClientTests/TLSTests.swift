import NIOCore
import NIOSSL
import SMPPClient
import SMPPCore
import SMPPSession
import SMPPTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway CA and a server certificate for the name "localhost" (no IP address, so the
/// name is what gets checked), made with the openssl CLI
/// (scripts/test installs it where missing).
struct TestPKI {
    let directory: String
    var caFile: String { self.directory + "/ca.pem" }
    var certificateFile: String { self.directory + "/server.pem" }
    var keyFile: String { self.directory + "/server.key" }

    static func make() throws -> TestPKI {
        var template = Array("/tmp/shortwave-pki-XXXXXX".utf8CString)
        guard let path = mkdtemp(&template) else { throw TestPKIError("mkdtemp failed") }
        let directory = String(cString: path)
        let script = """
            set -e; cd '\(directory)'
            openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=Shortwave Test CA' -keyout ca.key -out ca.pem 2>/dev/null
            openssl req -newkey rsa:2048 -nodes -subj '/CN=localhost' -keyout server.key -out server.csr 2>/dev/null
            printf 'subjectAltName=DNS:localhost\\nbasicConstraints=CA:FALSE\\n' > ext.cnf
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile ext.cnf -out server.pem 2>/dev/null
            """
        guard system(script) == 0 else { throw TestPKIError("openssl could not make the test certificates (is openssl installed?)") }
        return TestPKI(directory: directory)
    }

    func remove() { _ = system("rm -rf '\(self.directory)'") }

    func serverContext() throws -> NIOSSLContext {
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(self.certificateFile).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: self.keyFile, format: .pem)))
        return try NIOSSLContext(configuration: configuration)
    }
}

struct TestPKIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

@Suite("SMPP over TLS")
struct TLSTests {
    @Test func bindsAndSubmitsWithTheCAItTrusts() async throws {
        let pki = try TestPKI.make()
        defer { pki.remove() }
        let smsc = try await FakeSMSC.start(configuration: .init(sendReceipts: false, tls: try pki.serverContext()))
        var tls = SMPPConnection.TLS.trusting(pemFile: pki.caFile)
        tls.serverName = "localhost"
        let connection = try await SMPPConnection.connect(configuration(smsc, tls: tls))
        #expect(try await connection.submit(message(receipt: false)).isOK)
        await connection.close()
        try await smsc.stop()
    }

    @Test func refusesACertificateItCannotVerify() async throws {
        let pki = try TestPKI.make()
        defer { pki.remove() }
        let smsc = try await FakeSMSC.start(configuration: .init(tls: try pki.serverContext()))
        // Verification is on by default: the system trust store does not know the test CA.
        do {
            _ = try await SMPPConnection.connect(configuration(smsc, tls: .verified))
            Issue.record("connected to an unverifiable certificate")
        } catch {
            guard case .connectFailed(let reason) = error.code else {
                Issue.record("wrong error: \(error)")
                return
            }
            #expect(reason.contains("TLS"))
        }
        #expect(smsc.seen.binds.isEmpty)
        try await smsc.stop()
    }

    @Test func refusesAWrongHostname() async throws {
        let pki = try TestPKI.make()
        defer { pki.remove() }
        let smsc = try await FakeSMSC.start(configuration: .init(tls: try pki.serverContext()))
        var tls = SMPPConnection.TLS.trusting(pemFile: pki.caFile)
        tls.serverName = "smsc.example.net"
        await #expect(throws: SMPPClientError.self) { try await SMPPConnection.connect(configuration(smsc, tls: tls)) }
        #expect(smsc.seen.binds.isEmpty)
        try await smsc.stop()
    }

    @Test func verificationCanBeTurnedOffExplicitly() async throws {
        let pki = try TestPKI.make()
        defer { pki.remove() }
        let smsc = try await FakeSMSC.start(configuration: .init(sendReceipts: false, tls: try pki.serverContext()))
        let connection = try await SMPPConnection.connect(configuration(smsc, tls: .insecureNoVerification))
        #expect(try await connection.submit(message(receipt: false)).isOK)
        await connection.close()
        try await smsc.stop()
    }

    @Test func plainClientAgainstTLSServerFailsWithoutHanging() async throws {
        let pki = try TestPKI.make()
        defer { pki.remove() }
        let smsc = try await FakeSMSC.start(configuration: .init(tls: try pki.serverContext()))
        var plain = configuration(smsc)
        plain.session.bindTimeout = .milliseconds(500)
        await #expect(throws: SMPPClientError.self) { try await SMPPConnection.connect(plain) }
        try await smsc.stop()
    }
}
