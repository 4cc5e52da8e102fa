import Foundation
import GatewayApp
import GatewayCore
import GatewayHTTP
import HTTPTypes
import Testing

/// Issue 15, item 8: slow and silent HTTP connections are closed, and no address (nor all of
/// them together) can hold more connections than the operator allows — the descriptors HTTP and
/// SMPP share stay available.
@Suite struct HTTPConnectionLimitTests {
    @Test func silentHalfSentAndDribblingConnectionsAreClosed() async throws {
        try await withGateway(configure: {
            $0.http.idleTimeoutSeconds = 1
            $0.http.requestTimeoutSeconds = 2
        }) { gateway in
            let port = gateway.httpPort
            var sockets: [RawSocket] = []
            for index in 0..<30 {
                let socket = try await blocking { try RawSocket(port: port) }
                switch index % 3 {
                case 0: break  // says nothing
                case 1: try await blocking { try socket.send(Array("POST /v2/messages HTTP/1.1\r\nHost: x\r\nContent-Ty".utf8)) }
                default:
                    // A whole head, then 10 of the 100 bytes it announces.
                    let head = "POST /v2/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"to\":\"+44"
                    try await blocking { try socket.send(Array(head.utf8)) }
                }
                sockets.append(socket)
            }
            // While they hang, the API answers others.
            #expect(try await live(gateway, .get, "/health/live", key: "").status == 200)
            for (index, socket) in sockets.enumerated() {
                #expect(try await blocking { socket.closedByPeer(within: 30) }, "connection \(index) (kind \(index % 3)) was not closed")
            }
            #expect(await eventually { gateway.prepared.httpAPI.connectionLimits.counts.open <= 1 })
        }
    }

    @Test func aBodyThatKeepsDribblingIsCutOffAtTheRequestDeadline() async throws {
        // Never idle (a byte every 300 ms), never done: only the request deadline ends it.
        try await withGateway(configure: {
            $0.http.idleTimeoutSeconds = 60
            $0.http.requestTimeoutSeconds = 2
        }) { gateway in
            let socket = try await blocking { try RawSocket(port: gateway.httpPort) }
            let head = "POST /v2/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
            try await blocking { try socket.send(Array(head.utf8)) }
            var closed = false
            for _ in 0..<100 where !closed {
                try? await blocking { try socket.send([0x20]) }
                closed = try await blocking { socket.closedByPeer(within: 0.3) }
            }
            #expect(closed, "a request still arriving after 30 s was not cut off")
        }
    }

    @Test func connectionsBeyondTheLimitPerAddressAreClosedAtOnce() async throws {
        try await withGateway(configure: { $0.http.maximumConnectionsPerAddress = 4 }) { gateway in
            let limits = gateway.prepared.httpAPI.connectionLimits
            let port = gateway.httpPort
            var held: [RawSocket] = []
            for _ in 0..<4 { held.append(try await blocking { try RawSocket(port: port) }) }
            #expect(await eventually { limits.counts.open == 4 })
            let extra = try await blocking { try RawSocket(port: port) }
            #expect(try await blocking { extra.closedByPeer(within: 10) })
            #expect(limits.counts.refused == 1)
            // The four are still there.
            for socket in held { #expect(try await blocking { !socket.closedByPeer(within: 0.1) }) }
            // Two go: room for others again.
            held.removeLast(2)
            #expect(await eventually { limits.counts.open == 2 })
            #expect(try await live(gateway, .get, "/health/live", key: "").status == 200)
        }
    }

    @Test func limitsBelowOneAreConfigurationErrors() {
        for change: (inout GatewayConfiguration) -> Void in [
            { $0.http.maximumConnections = 0 }, { $0.http.maximumConnectionsPerAddress = 0 }, { $0.http.idleTimeoutSeconds = 0 },
            { $0.http.requestTimeoutSeconds = -1 },
        ] {
            var configuration = GatewayConfiguration()
            change(&configuration)
            #expect(throws: ConfigurationError.self) { try configuration.validate() }
        }
    }
}
