import NIOCore
import SMPPCore
import Testing

/// What a receiver does with a stream of octets, as far as the codec decides it.
struct StreamOutcome: Equatable, CustomStringConvertible {
    /// The replies, as (command name, status, sequence number).
    var replies: [Reply] = []
    var closed = false
    /// Decode errors on responses, which get no reply.
    var unansweredErrors: [UInt32] = []
    var waitingForMore = false

    struct Reply: Equatable, CustomStringConvertible {
        var command: String
        var status: UInt32
        var sequence: UInt32
        var description: String { "\(command)/\(status)/\(sequence)" }
    }

    var description: String { "replies=\(replies) closed=\(closed) unanswered=\(unansweredErrors) waiting=\(waitingForMore)" }

    /// Runs `chunks` through `SMPPFraming` and `SMPPPacket.decode` as a session would: a request
    /// that decodes gets its (successful) response, a decode error gets `replyPacket`.
    static func run(_ chunks: [ByteBuffer], framing: SMPPFraming = SMPPFraming()) -> StreamOutcome {
        var outcome = StreamOutcome()
        var stream = ByteBuffer()
        chunkLoop: for chunk in chunks {
            stream.writeImmutableBuffer(chunk)
            while true {
                let frame: ByteBuffer?
                do {
                    frame = try framing.nextFrame(from: &stream)
                } catch {
                    if let reply = error.replyPacket { outcome.replies.append(Reply(reply)) }
                    outcome.closed = error.closesSession
                    break chunkLoop
                }
                guard let frame else { break }
                do {
                    let packet = try SMPPPacket.decode(frame: frame)
                    if !packet.commandID.isResponse, packet.commandID != .outbind, packet.commandID != .alertNotification {
                        outcome.replies.append(Reply(command: packet.commandID.response.name, status: 0, sequence: packet.sequenceNumber))
                    }
                } catch {
                    if let reply = error.replyPacket {
                        outcome.replies.append(Reply(reply))
                    } else {
                        outcome.unansweredErrors.append(error.sequenceNumber)
                    }
                }
            }
        }
        outcome.waitingForMore = !outcome.closed && stream.readableBytes > 0
        return outcome
    }
}

extension StreamOutcome.Reply {
    init(_ packet: SMPPPacket) {
        self.init(command: packet.commandID.name, status: packet.status.rawValue, sequence: packet.sequenceNumber)
    }
}

@Suite("Malformed and hostile input vectors")
struct MalformedVectorTests {
    static let vectors = Vectors.load("malformed.json")

    @Test("each malformed vector gets the answer a robust SMSC gives", arguments: vectors)
    func expectedAnswer(vector: Vector) throws {
        try requireLoaded(vector)
        let outcome = StreamOutcome.run([ByteBuffer(hex: vector.json["hex"]!.string!)])
        let expect = vector.json["expect"]!.string!
        let response = vector.json["smsc_response"]!

        if expect.hasPrefix("incomplete:") {
            #expect(outcome == StreamOutcome(waitingForMore: true))
            return
        }
        if let text = response.string {
            // A malformed response: no PDU is sent back, the error names the sequence number.
            #expect(text.hasPrefix("no PDU"))
            let sequence = UInt32(text.split(separator: " ").last!)!
            #expect(outcome.replies.isEmpty)
            #expect(outcome.unansweredErrors == [sequence])
            return
        }
        let expected = (response.array ?? [response]).map {
            StreamOutcome.Reply(command: $0["command"]!.string!, status: UInt32($0["command_status"]!.int!), sequence: UInt32($0["sequence_number"]!.int!))
        }
        #expect(outcome.replies == expected)
        let closes = response["then"]?.string?.hasPrefix("close") ?? false
        #expect(outcome.closed == closes)
        #expect(!outcome.waitingForMore)
    }

    @Test("an oversized command_length is refused from the header alone")
    func oversizedFromHeader() throws {
        // Only the 16-octet header of a 1 MiB PDU has arrived: it is refused now, not buffered.
        var stream = ByteBuffer(hex: "00100000000000040000000000000009")
        #expect(throws: SMPPDecodingError.self) { try SMPPFraming().nextFrame(from: &stream) }
        do {
            _ = try SMPPFraming().nextFrame(from: &stream)
        } catch {
            #expect(error.code == .commandLengthTooLong)
            #expect(error.commandStatus == .invalidCommandLength)
            #expect(error.sequenceNumber == 9)
            #expect(error.closesSession)
        }
    }

    @Test("the maximum command_length is configurable")
    func configurableMaximum() throws {
        var small = ByteBuffer(hex: "0000002a000000020000000000000001736d7070636c69656e74310070617373776f7264000034000000")
        #expect(throws: SMPPDecodingError.self) { try SMPPFraming(maximumCommandLength: 32).nextFrame(from: &small) }
        var fits = small
        #expect(try SMPPFraming(maximumCommandLength: 42).nextFrame(from: &fits) != nil)
    }

    @Test("responses are never answered; requests without a response PDU get a generic_nack")
    func replyRules() throws {
        // submit_sm_resp with an octet after its message_id: malformed, but not answered.
        let response = try #require(throws: SMPPDecodingError.self) {
            try SMPPPacket.decode(frame: ByteBuffer(hex: "00000013800000040000000000000005410000"))
        }
        #expect(response.code == .invalidBodyLength && response.reply == .none && response.replyPacket == nil)
        // outbind with a 17-character system_id: a generic_nack with ESME_RINVSYSID.
        let outbind = try #require(throws: SMPPDecodingError.self) {
            try SMPPPacket.decode(frame: ByteBuffer(hex: "000000240000000b000000000000000641424344454647484a4b4c4d4e4f505152007000"))
        }
        #expect(outbind.replyPacket == SMPPPacket(sequenceNumber: 6, status: .invalidSystemID, pdu: .genericNack))
        // An unknown response command_id is still answered (§4.3).
        let unknown = try #require(throws: SMPPDecodingError.self) {
            try SMPPPacket.decode(frame: ByteBuffer(hex: "00000010800000990000000000000010"))
        }
        #expect(unknown.replyPacket == SMPPPacket(sequenceNumber: 16, status: .invalidCommandID, pdu: .genericNack))
    }

    @Test("decode errors carry the raw octets, header and field")
    func errorEvidence() throws {
        let vector = try #require(Self.vectors.first { $0.name == "bind_system_type_14_chars" })
        let bytes = ByteBuffer(hex: vector.json["hex"]!.string!)
        #expect {
            try SMPPPacket.decode(frame: bytes)
        } throws: { error in
            guard let error = error as? SMPPDecodingError else { return false }
            return error.field == "system_type" && error.commandStatus == .invalidSystemType && error.bytes == bytes
                && error.reply == .commandResponse && error.header.commandID == .bindTransmitter
                && error.replyPacket?.commandID == .bindTransmitterResp && error.description.contains("system_type")
        }
    }
}
