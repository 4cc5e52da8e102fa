import Crypto
import Foundation
import GatewayCore
import NIOSSL
import SwiftASN1
import X509

/// The SMPP TLS listener's certificate: the operator's own PEM files, or a self-signed one made
/// on first run (P-256, `localhost` and 127.0.0.1, ten years) and kept in the data directory.
enum TLSFiles {
    static func context(certificate: String?, key: String?, dataDirectory: String) throws -> (NIOSSLContext, String) {
        let certificatePath: String
        let keyPath: String
        if let certificate, let key {
            certificatePath = certificate
            keyPath = key
        } else {
            certificatePath = dataDirectory + "/tls-certificate.pem"
            keyPath = dataDirectory + "/tls-key.pem"
            if !FileManager.default.fileExists(atPath: certificatePath) || !FileManager.default.fileExists(atPath: keyPath) {
                try Self.makeSelfSigned(certificatePath: certificatePath, keyPath: keyPath)
            }
        }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { NIOSSLCertificateSource.certificate($0) }
            let privateKey = try NIOSSLPrivateKey(file: keyPath, format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(privateKey))
            configuration.minimumTLSVersion = .tlsv12
            // TLS 1.2 with forward secrecy and AEAD only (no CBC, no SHA-1 MACs, no static RSA);
            // TLS 1.3's suites are all AEAD.
            configuration.cipherSuites = Self.cipherSuites
            return (try NIOSSLContext(configuration: configuration), certificatePath)
        } catch {
            throw ConfigurationError("cannot use the TLS certificate \(certificatePath) with key \(keyPath): \(error)")
        }
    }

    /// The TLS 1.2 suites offered: ECDHE key exchange, AES-GCM or ChaCha20-Poly1305.
    static let cipherSuites = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")

    static func makeSelfSigned(certificatePath: String, keyPath: String) throws {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            CommonName("Shortwave SMPP gateway (self-signed)")
            OrganizationName("Shortwave")
        }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                SubjectAlternativeNames([.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
                try ExtendedKeyUsage([.serverAuth])
            },
            issuerPrivateKey: .init(key))
        let pem = try certificate.serializeAsPEM().pemString
        try key.pemRepresentation.write(toFile: keyPath, atomically: true, encoding: .utf8)
        _ = chmod(keyPath, 0o600)
        try pem.write(toFile: certificatePath, atomically: true, encoding: .utf8)
    }
}
