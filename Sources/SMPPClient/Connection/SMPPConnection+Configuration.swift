import NIOCore
public import NIOSSL
public import SMPPCore
public import SMPPSession

extension SMPPConnection {
    /// Where and how to bind. Defaults: transceiver, plain TCP, SMPP v3.4, window 100,
    /// enquire_link every 30 s, 30 s response and bind timeouts, 10 s connect timeout.
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var systemID: String
        public var password: String
        public var systemType: String
        public var addressRange: SMPPAddress
        public var bindType: BindType
        public var tls: TLS
        /// Window, timeouts and keep-alive (the role is always ESME).
        public var session: SessionConfiguration
        public var connectTimeout: Duration
        /// Largest PDU accepted from the SMSC.
        public var maximumPDULength: Int
        /// Takes inbound messages on the event loop, a batch per socket read, instead of `inbound`
        /// (which then stays empty): for receivers that must not pay a task switch per read. It
        /// must return quickly and never block.
        public var inboundHandler: (@Sendable ([InboundMessage]) -> Void)?

        public init(
            host: String, port: Int = 2775, systemID: String, password: String, systemType: String = "",
            addressRange: SMPPAddress = SMPPAddress(), bindType: BindType = .transceiver, tls: TLS = .disabled,
            session: SessionConfiguration = SessionConfiguration(role: .esme), connectTimeout: Duration = .seconds(10),
            maximumPDULength: Int = SMPPFraming.defaultMaximumCommandLength
        ) {
            self.host = host
            self.port = port
            self.systemID = systemID
            self.password = password
            self.systemType = systemType
            self.addressRange = addressRange
            self.bindType = bindType
            self.tls = tls
            self.session = session
            self.session.role = .esme
            self.connectTimeout = connectTimeout
            self.maximumPDULength = maximumPDULength
            self.inboundHandler = nil
        }

        /// The session as the client runs it: always the ESME, taking every receipt and MO (they
        /// are buffered for `inbound`), so deliver_sm and data_sm are acknowledged in the session.
        var sessionForPipeline: SessionConfiguration {
            var session = self.session
            session.role = .esme
            session.acknowledgesDeliveries = true
            return session
        }

        var bind: Bind {
            Bind(systemID: self.systemID, password: self.password, systemType: self.systemType, addressRange: self.addressRange)
        }
    }

    /// TLS for the connection (SMPP over TLS, usually port 2776). Certificate verification is on
    /// unless explicitly disabled.
    public struct TLS: Sendable {
        enum Mode: Sendable {
            case disabled
            case verify(NIOSSLTrustRoots)
            case noVerification
        }

        let mode: Mode
        /// The name to expect in the SMSC's certificate and to send as SNI; `nil` uses the host
        /// (an IP address is checked against the certificate's IP subjectAltNames).
        public var serverName: String?

        /// Plain TCP.
        public static let disabled = TLS(mode: .disabled)
        /// TLS, verifying the SMSC's certificate against the system's trust store.
        public static let verified = TLS(mode: .verify(.default))
        /// TLS, verifying against the CA certificate(s) in a PEM file.
        public static func trusting(pemFile path: String) -> TLS { TLS(mode: .verify(.file(path))) }
        /// TLS, verifying against these CA certificates.
        public static func trusting(_ certificates: [NIOSSLCertificate]) -> TLS { TLS(mode: .verify(.certificates(certificates))) }
        /// TLS without checking the certificate at all: anyone on the path can read the traffic.
        /// For test systems only.
        public static let insecureNoVerification = TLS(mode: .noVerification)

        public var isEnabled: Bool {
            if case .disabled = self.mode { return false }
            return true
        }

        func makeHandler(host: String) throws -> NIOSSLClientHandler? {
            var configuration = TLSConfiguration.makeClientConfiguration()
            switch self.mode {
            case .disabled:
                return nil
            case .verify(let roots):
                configuration.trustRoots = roots
                configuration.certificateVerification = .fullVerification
            case .noVerification:
                configuration.certificateVerification = .none
            }
            let context = try NIOSSLContext(configuration: configuration)
            let name = self.serverName ?? host
            let isIPAddress = (try? SocketAddress(ipAddress: name, port: 0)) != nil
            return try NIOSSLClientHandler(context: context, serverHostname: isIPAddress ? nil : name)
        }
    }
}
