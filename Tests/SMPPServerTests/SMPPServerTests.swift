import Foundation
import Logging
import NIOCore
import SMPPClient
import SMPPCore
import SMPPServer
import SMPPSession
import ServiceLifecycle
import Synchronization
import Testing

/// A delegate that binds acme/secret, answers each submit_sm with the destination as its id —
/// from another thread, later, in reverse order of arrival within a batch when told to — and
/// records what happened.
final class RecordingDelegate: SMPPServerDelegate {
    let bound = Atomic<Int>(0)
    let closed = Atomic<Int>(0)
    let requests = Mutex<[SMPPPacket]>([])

    func authenticate(_ request: BindRequest, session: SMPPServerSession) async -> BindVerdict {
        guard request.bind.systemID == "acme" else { return .reject(.invalidSystemID) }
        guard request.bind.password == "secret" else { return .reject(.invalidPassword) }
        return .accept(systemID: "test-smsc", principal: "acme-account")
    }

    func sessionBound(_ session: SMPPServerSession) { self.bound.add(1, ordering: .relaxed) }
    func sessionClosed(_ session: SMPPServerSession) { self.closed.add(1, ordering: .relaxed) }

    func received(_ request: SMPPPacket, on session: SMPPServerSession) {
        self.requests.withLock { $0.append(request) }
        guard case .submitSM(let submit) = request.pdu else {
            return session.respond(SMPPPacket.response(to: request.commandID, sequenceNumber: request.sequenceNumber, status: .ok))
        }
        // Answered later, from a thread that is not the session's event loop.
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int.random(in: 0...20))) {
            session.respond(
                SMPPPacket(sequenceNumber: request.sequenceNumber, pdu: .submitSMResp(MessageIDResponse(messageID: submit.destination.address))))
        }
    }
}

/// `SMPPServer` on loopback with a client of this repository: binds as the delegate decides,
/// requests and their answers matched, a window of answers from any thread, quiescing on
/// shutdown, and a listener that cannot bind failing `run`.
@Suite(.timeLimit(.minutes(1))) struct SMPPServerTests {
    static let quiet: Logger = {
        var logger = Logger(label: "smpp-server-tests")
        logger.logLevel = .critical
        return logger
    }()

    /// Runs a server on an ephemeral port for `body`, then shuts it down gracefully.
    func withServer(
        _ delegate: RecordingDelegate, _ body: (SMPPServer, Int) async throws -> Void
    ) async throws {
        let server = SMPPServer(
            configuration: .init(listeners: [.init(host: "127.0.0.1", port: 0)], drainTimeout: .seconds(5)), delegate: delegate,
            logger: Self.quiet)
        let group = ServiceGroup(services: [server], logger: Self.quiet)
        let running = Task { try await group.run() }
        let port = try await server.localAddresses[0].port ?? 0
        do {
            try await body(server, port)
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await running.value
            throw error
        }
        await group.triggerGracefulShutdown()
        try await running.value
    }

    func configuration(port: Int, systemID: String = "acme", password: String = "secret") -> SMPPConnection.Configuration {
        SMPPConnection.Configuration(
            host: "127.0.0.1", port: port, systemID: systemID, password: password,
            session: SessionConfiguration(role: .esme, windowSize: 50, responseTimeout: .seconds(20), bindTimeout: .seconds(20)),
            connectTimeout: .seconds(20))
    }

    @Test func bindsAreAcceptedOrRefusedAsTheDelegateSays() async throws {
        let delegate = RecordingDelegate()
        try await withServer(delegate) { server, port in
            await #expect(throws: SMPPClientError.self) { try await SMPPConnection.connect(self.configuration(port: port, systemID: "nobody")) }
            await #expect(throws: SMPPClientError.self) { try await SMPPConnection.connect(self.configuration(port: port, password: "wrong")) }
            let connection = try await SMPPConnection.connect(self.configuration(port: port))
            #expect(connection.smscSystemID == "test-smsc")
            #expect(delegate.bound.load(ordering: .relaxed) == 1)
            #expect(server.sessions.contains { $0.principal == "acme-account" && $0.systemID == "acme" })
            await connection.close()
            #expect(await eventually { delegate.closed.load(ordering: .relaxed) == 3 && server.sessions.isEmpty })
        }
    }

    @Test func aWindowOfRequestsIsAnsweredFromAnyThreadEachWithItsOwnAnswer() async throws {
        let delegate = RecordingDelegate()
        try await withServer(delegate) { _, port in
            let connection = try await SMPPConnection.connect(self.configuration(port: port))
            let destinations = (0..<200).map { "4477009\(String(format: "%05d", $0))" }
            let replies = try await connection.submit(
                contentsOf: destinations.map { SubmitSM(source: .sender("ACME"), destination: .recipient($0), shortMessage: ByteBuffer(string: "x")) })
            #expect(try replies.map { try $0.get().messageID } == destinations)
            #expect(delegate.requests.withLock { $0.count } == 200)
            // enquire_link is the session's own business: answered without the delegate.
            #expect(try await connection.request(.enquireLink).status == .ok)
            #expect(delegate.requests.withLock { $0.count } == 200)
            await connection.close()
        }
    }

    @Test func shutdownUnbindsEverySessionAndWaitsForThem() async throws {
        let delegate = RecordingDelegate()
        let server = SMPPServer(
            configuration: .init(listeners: [.init(host: "127.0.0.1", port: 0)], drainTimeout: .seconds(10)), delegate: delegate,
            logger: Self.quiet)
        let group = ServiceGroup(services: [server], logger: Self.quiet)
        let running = Task { try await group.run() }
        let port = try await server.localAddresses[0].port ?? 0
        let connections = try await (0..<3).asyncMap { _ in try await SMPPConnection.connect(self.configuration(port: port)) }
        #expect(server.sessions.count == 3)
        await group.triggerGracefulShutdown()
        try await running.value  // returns once every session unbound and closed
        #expect(server.sessions.isEmpty)
        #expect(delegate.closed.load(ordering: .relaxed) == 3)
        for connection in connections { #expect(await eventually { !connection.isActive }) }
    }

    @Test func aListenerThatCannotBindIsAOneLineErrorNamingTheAddress() async throws {
        let delegate = RecordingDelegate()
        try await withServer(delegate) { _, port in
            // The same address again, while the first server holds it.
            let second = SMPPServer(configuration: .init(listeners: [.init(host: "127.0.0.1", port: port)]), delegate: delegate, logger: Self.quiet)
            let error = await #expect(throws: SMPPServer.ListenerError.self) { try await second.bindListeners() }
            #expect(error?.description == "cannot listen for SMPP on 127.0.0.1:\(port): the address is already in use (another process listens there)")
            await #expect(throws: (any Error).self) { try await second.localAddresses }
            await #expect(throws: SMPPServer.ListenerError.self) { try await second.run() }
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

func eventually(_ seconds: Double = 10, _ condition: () async -> Bool) async -> Bool {
    let end = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
    while ContinuousClock.now < end {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}
