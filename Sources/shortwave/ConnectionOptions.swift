import ArgumentParser
import SMPPClient
import SMPPSession

/// Where to bind, shared by `send` and `bench`.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "SMSC host.") var host = "127.0.0.1"
    @Option(help: "SMSC port (2775 plain, 2776 usually TLS).") var port = 2775
    @Flag(help: "Use TLS, verifying the SMSC's certificate.") var tls = false
    @Option(name: .customLong("tls-ca"), help: "PEM file of the CA that signed the SMSC's certificate (implies --tls).")
    var tlsCA: String?
    @Flag(name: .customLong("tls-insecure"), help: "Use TLS without verifying the certificate (test systems only).")
    var tlsInsecure = false
    @Option(name: .customLong("system-id"), help: "ESME system_id.") var systemID: String
    @Option(help: "ESME password.") var password: String
    @Option(name: .customLong("system-type"), help: "ESME system_type.") var systemType = ""
    @Option(name: .customLong("bind-type"), help: "trx, tx or rx.") var bindType = "trx"
    @Option(name: .customLong("timeout"), help: "Response and bind timeout in seconds.") var timeout = 30.0

    func validate() throws {
        guard (1...65535).contains(self.port) else { throw ValidationError("--port must be 1…65535, not \(self.port)") }
        guard self.parsedBindType != nil else { throw ValidationError("--bind-type must be trx, tx or rx, not '\(self.bindType)'") }
        guard self.timeout > 0 else { throw ValidationError("--timeout must be above 0 seconds") }
        guard self.systemID.utf8.count <= 15 else { throw ValidationError("--system-id is at most 15 characters (SMPP §5.2.1)") }
        guard self.password.utf8.count <= 8 else { throw ValidationError("--password is at most 8 characters (SMPP §5.2.2)") }
    }

    var parsedBindType: BindType? {
        switch self.bindType.lowercased() {
        case "trx", "transceiver": .transceiver
        case "tx", "transmitter": .transmitter
        case "rx", "receiver": .receiver
        default: nil
        }
    }

    func configuration(windowSize: Int = 100) -> SMPPConnection.Configuration {
        let tls: SMPPConnection.TLS =
            if self.tlsInsecure { .insecureNoVerification }
            else if let ca = self.tlsCA { .trusting(pemFile: ca) }
            else if self.tls { .verified }
            else { .disabled }
        let timeout = Duration.milliseconds(Int64(self.timeout * 1000))
        return SMPPConnection.Configuration(
            host: self.host, port: self.port, systemID: self.systemID, password: self.password, systemType: self.systemType,
            bindType: self.parsedBindType ?? .transceiver, tls: tls,
            session: SessionConfiguration(role: .esme, windowSize: windowSize, responseTimeout: timeout, bindTimeout: timeout))
    }

    /// What to tell the user when connecting failed: the error, and for a certificate that was
    /// not trusted, how to trust it.
    func explain(_ error: any Error) -> String {
        let text = "\(error)"
        guard text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate verify failed") else { return text }
        return text + "\n  the SMSC's certificate is not trusted: give its CA (or, for a self-signed one, the certificate itself) with"
            + " --tls-ca FILE — for shortwave serve's own certificate: --tls-ca shortwave-data/tls-certificate.pem"
    }
}
