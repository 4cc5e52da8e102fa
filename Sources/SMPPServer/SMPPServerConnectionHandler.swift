import Logging
import NIOCore
import SMPPCore
import SMPPSession

/// The last handler of a server connection: turns session events into delegate calls.
final class SMPPServerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = SessionInbound
    typealias OutboundOut = SessionOutbound

    let session: SMPPServerSession
    let delegate: any SMPPServerDelegate
    let registry: SMPPServer.Registry
    let logger: Logger

    init(session: SMPPServerSession, delegate: any SMPPServerDelegate, registry: SMPPServer.Registry, logger: Logger) {
        self.session = session
        self.delegate = delegate
        self.registry = registry
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        self.logger.debug("connection", metadata: ["smpp.session": "\(self.session.id)", "smpp.peer": "\(self.session.peer.map { "\($0)" } ?? "?")"])
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.registry.remove(self.session)
        self.delegate.sessionClosed(self.session)
        self.logger.debug("closed", metadata: ["smpp.session": "\(self.session.id)"])
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .authenticate(let type, let bind, let sequence):
            let request = BindRequest(type: type, bind: bind, peer: self.session.peer, tls: self.session.tls)
            let session = self.session
            let delegate = self.delegate
            let logger = self.logger
            Task {
                let verdict = await delegate.authenticate(request, session: session)
                // Settled on the event loop, in order with channelInactive: a bind accepted after
                // the peer has gone is released at once (its bind count must not leak).
                session.eventLoop.execute {
                    switch verdict {
                    case .accept(let systemID, let principal):
                        session.accepted(systemID: bind.systemID, principal: principal)
                        guard session.channel.isActive else {
                            delegate.sessionClosed(session)
                            return
                        }
                        logger.info(
                            "bound", metadata: ["smpp.session": "\(session.id)", "smpp.system_id": "\(bind.systemID)", "smpp.bind": "\(type)"])
                        session.channel.writeAndFlush(SessionOutbound.acceptBind(sequenceNumber: sequence, systemID: systemID), promise: nil)
                    case .reject(let status):
                        logger.notice(
                            "bind refused",
                            metadata: ["smpp.session": "\(session.id)", "smpp.system_id": "\(bind.systemID)", "smpp.status": "\(status)"])
                        session.channel.writeAndFlush(SessionOutbound.rejectBind(sequenceNumber: sequence, status: status), promise: nil)
                    }
                }
            }
        case .bound(let type):
            self.session.markBound(type)
            self.delegate.sessionBound(self.session)
        case .request(let packet):
            self.delegate.received(packet, on: self.session)
        }
    }

    /// Backpressure (DESIGN.md rule 3): an ESME that does not read what we write stops being
    /// read, so its submits wait in its own socket rather than in our memory.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let writable = context.channel.isWritable
        context.channel.setOption(ChannelOptions.autoRead, value: writable).whenFailure { _ in }
        if writable { context.read() }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.logger.debug("connection error", metadata: ["smpp.session": "\(self.session.id)", "error": "\(error)"])
        context.close(promise: nil)
    }
}
