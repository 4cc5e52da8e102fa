public import NIOCore
public import SMPPCore
public import SMPPSession
import Synchronization

/// One ESME connection to the server, usable from any thread.
///
/// Responses written from another thread are gathered and written in one event-loop hop with one
/// flush (`respond`), so a group commit that acknowledges a thousand submits costs one hop per
/// session, not a thousand.
public final class SMPPServerSession: Sendable, Hashable, CustomStringConvertible {
    public let id: UInt64
    public let channel: any Channel
    public let peer: SocketAddress?
    public let tls: Bool
    /// The window this side keeps for its own requests (deliver_sm).
    public let windowSize: Int

    struct Bound: Sendable {
        var type: BindType?
        var systemID: String = ""
        var principal: String?
    }

    private let bound = Mutex(Bound())
    private let pendingResponses = Mutex<[SMPPPacket]>([])

    init(id: UInt64, channel: any Channel, tls: Bool, windowSize: Int) {
        self.id = id
        self.channel = channel
        self.peer = channel.remoteAddress
        self.tls = tls
        self.windowSize = windowSize
    }

    public var eventLoop: any EventLoop { self.channel.eventLoop }

    /// The bind type once bound; `nil` before.
    public var bindType: BindType? { self.bound.withLock { $0.type } }
    /// The system_id the ESME bound with.
    public var systemID: String { self.bound.withLock { $0.systemID } }
    /// What the delegate's `accept` named (an account id).
    public var principal: String? { self.bound.withLock { $0.principal } }

    /// Whether deliver_sm may go to this session (bound as receiver or transceiver).
    public var receives: Bool {
        switch self.bindType {
        case .receiver?, .transceiver?: true
        case .transmitter?, nil: false
        }
    }

    func accepted(systemID: String, principal: String) {
        self.bound.withLock {
            $0.systemID = systemID
            $0.principal = principal
        }
    }

    func markBound(_ type: BindType) {
        self.bound.withLock { $0.type = type }
    }

    /// Answers a request of the ESME (same sequence number). From the event loop the write is
    /// flushed with the read; from elsewhere responses are batched into one hop and one flush.
    public func respond(_ response: SMPPPacket) {
        if self.eventLoop.inEventLoop {
            self.channel.write(SessionOutbound.response(response), promise: nil)
            return
        }
        let first = self.pendingResponses.withLock { pending in
            pending.append(response)
            return pending.count == 1
        }
        if first { self.eventLoop.execute { self.writePending(flush: true) } }
    }

    private func writePending(flush: Bool) {
        let responses = self.pendingResponses.withLock { pending in
            let taken = pending
            pending.removeAll(keepingCapacity: true)
            return taken
        }
        for response in responses { self.channel.write(SessionOutbound.response(response), promise: nil) }
        if flush || !responses.isEmpty { self.channel.flush() }
    }

    /// Sends a request (deliver_sm, say) and returns its response; fails with `SessionError`
    /// (timeout, closed…). Requests beyond the window wait in the session, in order.
    public func send(_ pdu: PDU) -> EventLoopFuture<SMPPPacket> {
        // Responses decided earlier go first (a receipt never overtakes its submit_sm_resp).
        if self.eventLoop.inEventLoop { self.writePending(flush: false) }
        let promise = self.eventLoop.makePromise(of: SMPPPacket.self)
        self.channel.writeAndFlush(SessionOutbound.request(pdu, promise), promise: nil)
        return promise.futureResult
    }

    /// Sends several requests in one event-loop hop with one flush; `completion` gets each
    /// one's index and outcome (its response, or the `SessionError` why it has none).
    public func send(_ pdus: [PDU], completion: @escaping @Sendable (Int, Result<SMPPPacket, any Error>) -> Void) {
        let write = { @Sendable in
            self.writePending(flush: false)
            for (index, pdu) in pdus.enumerated() {
                let promise = self.eventLoop.makePromise(of: SMPPPacket.self)
                promise.futureResult.whenComplete { completion(index, $0) }
                self.channel.write(SessionOutbound.request(pdu, promise), promise: nil)
            }
            self.channel.flush()
        }
        if self.eventLoop.inEventLoop { write() } else { self.eventLoop.execute(write) }
    }

    /// Unbinds gracefully: the session's window drains, then unbind → unbind_resp → close.
    public func unbind() {
        self.channel.writeAndFlush(SessionOutbound.unbind, promise: nil)
    }

    /// Closes the connection at once.
    public func close() {
        self.channel.close(promise: nil)
    }

    public var closeFuture: EventLoopFuture<Void> { self.channel.closeFuture }

    public static func == (lhs: SMPPServerSession, rhs: SMPPServerSession) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(self.id) }

    public var description: String {
        "session \(self.id) \(self.systemID.isEmpty ? "-" : self.systemID) \(self.bindType.map { "\($0)" } ?? "unbound") \(self.peer.map { "\($0)" } ?? "?")"
    }
}
