import Foundation
import GatewayApp
import GatewayCore
import NIOCore
import SMPPClient
import SMPPCore
import SMPPSession
import Testing

/// The vectors every malformed-input test reads (`Tests/Fixtures/vectors`, or `$SHORTWAVE_VECTORS`).
/// A missing file fails the test; it never skips.
func malformedVectors() throws -> [[String: Any]] {
    let directory = ProcessInfo.processInfo.environment["SHORTWAVE_VECTORS"]
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/vectors").path
    let path = directory + "/malformed.json"
    guard let data = FileManager.default.contents(atPath: path) else { throw RawSocketError("golden vectors not found at \(path)") }
    return try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
}

/// Sessions on a live server, fed raw octets: every malformed vector gets the answer it names,
/// and the session stays up or is closed exactly where the vector says so.
@Suite(.timeLimit(.minutes(2))) struct LiveSessionTests {
    static let bindVector = Bind(systemID: "acme", password: "secret")

    @Test func everyMalformedVectorGetsItsAnswerOverALiveBind() async throws {
        let vectors = try malformedVectors()
        #expect(vectors.count >= 30)
        try await withGateway { gateway in
            try await gateway.addAccount()
            // The vectors' own bind credentials (bind_interface_version_* expect ESME_ROK).
            try await gateway.addAccount(id: "vectors", systemID: "smppclient1", password: "password")
            for vector in vectors {
                let name = vector["name"] as? String ?? "?"
                let hex = vector["hex"] as? String ?? ""
                let socket = try await blocking { try RawSocket(port: gateway.port) }
                let isBind = name.hasPrefix("bind_")
                if !isBind { try await blocking { try socket.bind(.bindTransceiver(Self.bindVector), sequence: 1) } }
                try await blocking { try socket.send(hex: hex) }
                let expected = vector["smsc_response"]
                if let single = expected as? [String: Any] {
                    try Self.check(await blocking { socket.receive() }, against: single, vector: name)
                    if (single["then"] as? String)?.contains("close") == true {
                        #expect(try await blocking { socket.closedByPeer(within: 5) }, "\(name): the session should close")
                        continue
                    }
                } else if let list = expected as? [[String: Any]] {
                    for item in list { try Self.check(await blocking { socket.receive() }, against: item, vector: name) }
                } else {
                    // "no response yet" (a partial PDU) or a response to nothing: no answer.
                    #expect(try await blocking { socket.receive(seconds: 0.3) } == nil, "\(name): expected no answer")
                    if name.hasPrefix("truncated") { continue }  // the server is still waiting for the rest
                }
                // The session is still up: enquire_link is answered.
                try await blocking { try socket.send(SMPPPacket(sequenceNumber: 9_999, pdu: .enquireLink)) }
                let alive = try await blocking { socket.receive() }
                #expect(alive?.commandID == .enquireLinkResp && alive?.sequenceNumber == 9_999, "\(name): session should stay up")
            }
            // The server and other sessions were unaffected.
            let connection = try await gateway.connect()
            #expect(try await connection.submit(submit()).isOK)
            await connection.close()
        }
    }

    static func check(_ packet: SMPPPacket?, against expected: [String: Any], vector: String) throws {
        let packet = try #require(packet, "\(vector): no answer")
        let command = expected["command"] as? String ?? ""
        #expect(packet.commandID.name == command, "\(vector): got \(packet.commandID.name)")
        #expect(Int(packet.status.rawValue) == expected["command_status"] as? Int, "\(vector): got \(packet.status)")
        #expect(Int(packet.sequenceNumber) == expected["sequence_number"] as? Int, "\(vector): sequence")
    }

    @Test func wrongStateAndUnknownRequestsAreAnswered() async throws {
        try await withGateway { gateway in
            try await gateway.addAccount()
            let socket = try await blocking { try RawSocket(port: gateway.port) }
            // Before bind: submit_sm is refused with ESME_RINVBNDSTS.
            try await blocking { try socket.send(SMPPPacket(sequenceNumber: 2, pdu: .submitSM(submit()))) }
            let early = try await blocking { socket.receive() }
            #expect(early?.commandID == .submitSMResp)
            #expect(early?.status == .invalidBindStatus)
            try await blocking { try socket.bind(.bindReceiver(Self.bindVector), sequence: 3) }
            // A receiver may not submit.
            try await blocking { try socket.send(SMPPPacket(sequenceNumber: 4, pdu: .submitSM(submit()))) }
            #expect(try await blocking { socket.receive() }?.status == .invalidBindStatus)
            // A second bind on a bound session.
            try await blocking { try socket.send(SMPPPacket(sequenceNumber: 5, pdu: .bindTransmitter(Self.bindVector))) }
            #expect(try await blocking { socket.receive() }?.status == .alreadyBound)
            // Unbind is answered and the connection closed.
            try await blocking { try socket.send(SMPPPacket(sequenceNumber: 6, pdu: .unbind)) }
            let unbind = try await blocking { socket.receive() }
            #expect(unbind?.commandID == .unbindResp)
            #expect(try await blocking { socket.closedByPeer(within: 5) })
        }
    }

    @Test func aClientThatNeverBindsIsCutOffBySessionInit() async throws {
        try await withGateway(configure: { $0.smpp.sessionInitSeconds = 1 }) { gateway in
            // Timed from before the connection exists: the server's timer starts later, so the
            // cut-off can only come after the 1 s it was given (a busy machine only adds to it).
            let start = Date()
            let socket = try await blocking { try RawSocket(port: gateway.port) }
            #expect(try await blocking { socket.closedByPeer(within: 5) })
            #expect(Date().timeIntervalSince(start) >= 0.8)
        }
    }

    @Test func anOversizePDUIsRefusedAndTheSessionClosed() async throws {
        try await withGateway { gateway in
            try await gateway.addAccount()
            let socket = try await blocking { try RawSocket(port: gateway.port) }
            try await blocking { try socket.bind(.bindTransceiver(Self.bindVector)) }
            // command_length 1 MiB: refused from the header alone.
            try await blocking { try socket.send([0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 7]) }
            let nack = try await blocking { socket.receive() }
            #expect(nack?.commandID == .genericNack)
            #expect(nack?.status == .invalidCommandLength)
            #expect(try await blocking { socket.closedByPeer(within: 5) })
        }
    }

    /// An ESME that submits without reading its responses: the server stops reading it (TCP
    /// backpressure) instead of buffering, other sessions carry on, and when the flooder reads
    /// again every submit it sent is answered.
    @Test func aFlooderThatDoesNotReadIsSlowedAndLosesNothing() async throws {
        try await withGateway { gateway in
            try await gateway.addAccount()
            let flooder = try await blocking { try RawSocket(port: gateway.port, receiveBuffer: 4_096) }
            try await blocking { try flooder.bind(.bindTransmitter(Self.bindVector)) }
            let count = 20_000
            var burst: [UInt8] = []
            for sequence in 0..<count {
                var buffer = ByteBuffer()
                try SMPPPacket(sequenceNumber: UInt32(10 + sequence), pdu: .submitSM(submit(receipt: .none))).encode(into: &buffer)
                burst += buffer.readBytes(length: buffer.readableBytes) ?? []
            }
            // Write from another thread: the write blocks once the server stops reading.
            let octets = burst
            let writer = Task { try await blocking { try flooder.send(octets) } }
            try await Task.sleep(for: .milliseconds(500))
            let other = try await gateway.connect()
            #expect(try await other.submit(submit()).isOK)
            await other.close()
            let statuses = try await blocking { () -> [CommandStatus] in
                var statuses: [CommandStatus] = []
                while statuses.count < count, let response = flooder.receive(seconds: 10) { statuses.append(response.status) }
                return statuses
            }
            let answered = statuses.count
            #expect(statuses.allSatisfy { $0 == .ok })
            #expect(answered == count)
            try await writer.value
        }
    }
}
