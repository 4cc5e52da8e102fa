public import Logging
public import NIOCore
public import NIOPosix
public import NIOSSL
import SMPPCore
public import SMPPSession
public import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An SMSC listener as a `Service`: accepts ESME connections on one or more addresses (plain or
/// TLS), runs the SMPP session rules on each, and hands binds and requests to a delegate.
///
/// On graceful shutdown it stops accepting, unbinds every session (each drains its window first),
/// waits up to `drainTimeout` for them to close, then closes what is left.
public final class SMPPServer: Service, Sendable {
    public struct Listener: Sendable {
        public var host: String
        /// 0 picks a free port (see `localAddresses`).
        public var port: Int
        /// TLS on this listener; `nil` plain TCP.
        public var tls: NIOSSLContext?

        public init(host: String, port: Int, tls: NIOSSLContext? = nil) {
            self.host = host
            self.port = port
            self.tls = tls
        }
    }

    public struct Configuration: Sendable {
        public var listeners: [Listener]
        /// Session rules for every connection; `role` is forced to `.smsc`.
        public var session: SessionConfiguration
        /// The largest PDU accepted (command_length); bigger is answered generic_nack and closed.
        public var maximumPDULength: Int
        /// How long shutdown waits for sessions to unbind before closing them.
        public var drainTimeout: Duration

        public init(
            listeners: [Listener], session: SessionConfiguration = SessionConfiguration(role: .smsc),
            maximumPDULength: Int = 65_536, drainTimeout: Duration = .seconds(5)
        ) {
            self.listeners = listeners
            self.session = session
            self.maximumPDULength = maximumPDULength
            self.drainTimeout = drainTimeout
        }
    }

    /// Every open session, for quiescing and inspection.
    final class Registry: Sendable {
        let sessions = Mutex<[UInt64: SMPPServerSession]>([:])
        let nextID = Atomic<UInt64>(0)

        func add(_ session: SMPPServerSession) { self.sessions.withLock { $0[session.id] = session } }
        func remove(_ session: SMPPServerSession) { _ = self.sessions.withLock { $0.removeValue(forKey: session.id) } }
        var all: [SMPPServerSession] { self.sessions.withLock { Array($0.values) } }
    }

    public let configuration: Configuration
    let delegate: any SMPPServerDelegate
    let group: any EventLoopGroup
    let logger: Logger
    let registry = Registry()
    private let addresses: EventLoopPromise<[SocketAddress]>
    /// The listening channels once bound (not accepting until `run`).
    private let bound = Mutex<[any Channel]?>(nil)

    /// An address the server could not listen on, said in one line: the address, the protocol,
    /// the reason.
    public struct ListenerError: Error, CustomStringConvertible {
        public var host: String
        public var port: Int
        public var tls: Bool
        public var reason: String
        public var description: String { "cannot listen for SMPP\(self.tls ? " over TLS" : "") on \(self.host):\(self.port): \(self.reason)" }
    }

    public init(
        configuration: Configuration, delegate: any SMPPServerDelegate,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger = Logger(label: "shortwave.smpp")
    ) {
        var configuration = configuration
        configuration.session.role = .smsc
        self.configuration = configuration
        self.delegate = delegate
        self.group = group
        self.logger = logger
        self.addresses = group.any().makePromise(of: [SocketAddress].self)
    }

    deinit {
        // Never bound (the application stopped before it ran): whoever waits hears so.
        self.addresses.fail(CancellationError())
    }

    /// The addresses listened on, once `run` has bound them (in the order of the listeners).
    public var localAddresses: [SocketAddress] {
        get async throws { try await self.addresses.futureResult.get() }
    }

    /// Sessions open now.
    public var sessions: [SMPPServerSession] { self.registry.all }

    /// Binds every listener now, without accepting yet (`run` starts accepting), so that an
    /// address that cannot be listened on is known before anything else starts. Throws a
    /// `ListenerError` naming the address; nothing stays bound then. `run` binds them itself if
    /// this was not called.
    public func bindListeners() async throws {
        var channels: [any Channel] = []
        do {
            for listener in self.configuration.listeners {
                channels.append(try await self.bind(listener))
            }
        } catch {
            for channel in channels { try? await channel.close() }
            self.addresses.fail(error)
            throw error
        }
        self.bound.withLock { $0 = channels }
        self.addresses.succeed(channels.compactMap(\.localAddress))
    }

    public func run() async throws {
        if self.bound.withLock({ $0 == nil }) { try await self.bindListeners() }
        let channels = self.bound.withLock { $0 ?? [] }
        for channel in channels { try await channel.setOption(.autoRead, value: true).get() }
        for channel in channels {
            self.logger.info("SMPP listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
        }
        // Until shutdown is asked for (or the task is cancelled).
        try? await gracefulShutdown()
        for channel in channels { try? await channel.close() }
        await self.quiesce()
    }

    /// Unbinds every session, waits for them to close (bounded), then closes the rest.
    func quiesce() async {
        let sessions = self.registry.all
        guard !sessions.isEmpty else { return }
        self.logger.info("unbinding sessions", metadata: ["count": "\(sessions.count)"])
        for session in sessions { session.unbind() }
        let deadline = ContinuousClock.now.advanced(by: self.configuration.drainTimeout)
        while !self.registry.all.isEmpty, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        for session in self.registry.all { session.close() }
    }

    private func bind(_ listener: Listener) async throws -> any Channel {
        do {
            return try await self.bootstrap(listener).bind(host: listener.host, port: listener.port).get()
        } catch let error as IOError {
            throw ListenerError(host: listener.host, port: listener.port, tls: listener.tls != nil, reason: Self.reason(error.errnoCode))
        } catch let error as SocketAddressError {
            throw ListenerError(host: listener.host, port: listener.port, tls: listener.tls != nil, reason: "\(error)")
        }
    }

    static func reason(_ errno: CInt) -> String {
        switch errno {
        case EADDRINUSE: "the address is already in use (another process listens there)"
        case EACCES: "permission denied (ports below 1024 need privileges)"
        case EADDRNOTAVAIL: "no such address on this machine"
        default: String(cString: strerror(errno))
        }
    }

    private func bootstrap(_ listener: Listener) -> ServerBootstrap {
        let configuration = self.configuration
        let delegate = self.delegate
        let registry = self.registry
        let logger = self.logger
        return ServerBootstrap(group: self.group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.autoRead, value: false)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    let session = SMPPServerSession(
                        id: registry.nextID.add(1, ordering: .relaxed).newValue, channel: child, tls: listener.tls != nil,
                        windowSize: configuration.session.windowSize)
                    registry.add(session)
                    let operations = child.pipeline.syncOperations
                    if let tls = listener.tls { try operations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try operations.addHandlers([
                        SMPPFrameDecoder(framing: SMPPFraming(maximumCommandLength: configuration.maximumPDULength)),
                        SMPPSessionHandler(configuration: configuration.session),
                        SMPPServerConnectionHandler(session: session, delegate: delegate, registry: registry, logger: logger),
                    ])
                }
            }
    }
}
