import NIOCore
import NIOEmbedded
import NIOTestUtils
import SMPPCore
import Testing

@Suite("Framing under any split of the stream")
struct FramingTests {
    static let allVectors = Vectors.pdus + Vectors.load("malformed.json")

    static func chunks(_ bytes: ByteBuffer, sizes: some Sequence<Int>) -> [ByteBuffer] {
        var remaining = bytes
        var out: [ByteBuffer] = []
        var iterator = sizes.makeIterator()
        while remaining.readableBytes > 0 {
            let size = min(max(1, iterator.next() ?? 1), remaining.readableBytes)
            out.append(remaining.readSlice(length: size)!)
        }
        return out
    }

    @Test("byte by byte and in random chunks, every vector gives the same outcome as in one read", arguments: allVectors)
    func chunking(vector: Vector) throws {
        try requireLoaded(vector)
        let bytes = ByteBuffer(hex: vector.json["hex"]!.string!)
        let whole = StreamOutcome.run([bytes])
        #expect(StreamOutcome.run(Self.chunks(bytes, sizes: repeatElement(1, count: bytes.readableBytes))) == whole)
        var rng = SplitMix64(seed: UInt64(bytes.readableBytes))
        for _ in 0..<20 {
            let sizes = (0..<bytes.readableBytes).map { _ in Int(rng.next() % 23) + 1 }
            #expect(StreamOutcome.run(Self.chunks(bytes, sizes: sizes)) == whole)
        }
    }

    @Test("all well-formed vectors coalesced in one stream decode in order, in any chunking")
    func coalesced() throws {
        let vectors = Vectors.pdus
        for vector in vectors { try requireLoaded(vector) }
        var stream = ByteBuffer()
        var expected: [SMPPPacket] = []
        for vector in vectors {
            let bytes = ByteBuffer(hex: vector.json["hex"]!.string!)
            expected.append(try SMPPPacket.decode(frame: bytes))
            stream.writeImmutableBuffer(bytes)
        }
        var rng = SplitMix64(seed: 42)
        for round in 0..<10 {
            let sizes = round == 0 ? [stream.readableBytes] : (0..<stream.readableBytes).map { _ in Int(rng.next() % 97) + 1 }
            var buffer = ByteBuffer()
            var decoded: [SMPPPacket] = []
            for chunk in Self.chunks(stream, sizes: sizes) {
                buffer.writeImmutableBuffer(chunk)
                while let frame = try SMPPFraming().nextFrame(from: &buffer) { decoded.append(try SMPPPacket.decode(frame: frame)) }
            }
            #expect(decoded == expected)
            #expect(buffer.readableBytes == 0)
        }
    }

    @Test("SMPPMessageDecoder passes NIO's ByteToMessageDecoderVerifier")
    func nioVerifier() throws {
        var pairs: [(ByteBuffer, [SMPPInbound])] = []
        for vector in Vectors.pdus {
            try requireLoaded(vector)
            let bytes = ByteBuffer(hex: vector.json["hex"]!.string!)
            pairs.append((bytes, [.packet(try SMPPPacket.decode(frame: bytes))]))
        }
        // A malformed but well-framed PDU is passed on, not thrown.
        let badSourceAddr = ByteBuffer(hex: "00000040000000040000000000000027000101343437373030393030303031000101343437373030393030313233000000000000000000000548656c6c6f020c")
        let error = try #require(throws: SMPPDecodingError.self) { try SMPPPacket.decode(frame: badSourceAddr) }
        pairs.append((badSourceAddr, [.malformed(error)]))
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { SMPPMessageDecoder() }
    }

    @Test("on a channel, a framing failure is an error and decoded PDUs come out in order")
    func embeddedChannel() throws {
        let channel = EmbeddedChannel(handlers: [ByteToMessageHandler(SMPPMessageDecoder()), MessageToByteHandler(SMPPMessageEncoder())])
        let link = SMPPPacket(sequenceNumber: 7, pdu: .enquireLink)
        try channel.writeOutbound(link)
        let written = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(written.hex == "00000010000000150000000000000007")
        try channel.writeInbound(written)
        #expect(try channel.readInbound(as: SMPPInbound.self) == .packet(link))
        #expect(throws: SMPPDecodingError.self) { try channel.writeInbound(ByteBuffer(hex: "0000000c000000150000000000000007")) }
        _ = try? channel.finish()
    }

    @Test("SMPPFrameDecoder (the pipelines' decoder): any chunking of a coalesced stream gives the same PDUs in order")
    func frameDecoderChunking() throws {
        var stream = ByteBuffer()
        var expected: [SMPPInbound] = []
        for vector in Vectors.pdus {
            try requireLoaded(vector)
            let bytes = ByteBuffer(hex: vector.json["hex"]!.string!)
            expected.append(.packet(try SMPPPacket.decode(frame: bytes)))
            stream.writeImmutableBuffer(bytes)
        }
        // A well-framed PDU that cannot be read goes on as `.malformed`, between the others.
        let badSourceAddr = ByteBuffer(hex: "00000040000000040000000000000027000101343437373030393030303031000101343437373030393030313233000000000000000000000548656c6c6f020c")
        let error = try #require(throws: SMPPDecodingError.self) { try SMPPPacket.decode(frame: badSourceAddr) }
        stream.writeImmutableBuffer(badSourceAddr)
        expected.append(.malformed(error))
        stream.writeImmutableBuffer(ByteBuffer(hex: Vectors.pdus[0].json["hex"]!.string!))
        expected.append(expected[0])
        var rng = SplitMix64(seed: 7)
        for round in 0..<12 {
            let sizes: [Int] =
                switch round {
                case 0: [stream.readableBytes]
                case 1: Array(repeating: 1, count: stream.readableBytes)
                default: (0..<stream.readableBytes).map { _ in Int(rng.next() % 97) + 1 }
                }
            let channel = EmbeddedChannel(handler: SMPPFrameDecoder())
            for chunk in Self.chunks(stream, sizes: sizes) { try channel.writeInbound(chunk) }
            var decoded: [SMPPInbound] = []
            while let inbound = try channel.readInbound(as: SMPPInbound.self) { decoded.append(inbound) }
            #expect(decoded == expected, "round \(round)")
            _ = try channel.finish()
        }
    }

    @Test("SMPPFrameDecoder: a framing failure is an error after the PDUs before it, and nothing after it is read")
    func frameDecoderFailure() throws {
        let channel = EmbeddedChannel(handler: SMPPFrameDecoder())
        let link = SMPPPacket(sequenceNumber: 7, pdu: .enquireLink)
        var bytes = ByteBuffer()
        try link.encode(into: &bytes)
        var stream = bytes
        stream.writeImmutableBuffer(ByteBuffer(hex: "0000000c000000150000000000000008"))  // command_length 12: under a header
        #expect(throws: SMPPDecodingError.self) { try channel.writeInbound(stream) }
        #expect(try channel.readInbound(as: SMPPInbound.self) == .packet(link))
        try channel.writeInbound(bytes)  // the stream is lost: ignored
        #expect(try channel.readInbound(as: SMPPInbound.self) == nil)
        _ = try? channel.finish()
    }

    @Test("encoding a PDU that breaks a field limit fails the write and writes nothing")
    func encodeFailure() throws {
        var buffer = ByteBuffer(hex: "aa")
        let bad = SMPPPacket(sequenceNumber: 1, pdu: .bindTransmitter(Bind(systemID: "a-system-id-too-long", password: "x")))
        #expect(throws: SMPPEncodingError.self) { try bad.encode(into: &buffer) }
        #expect(buffer.hex == "aa")
    }
}

/// A small deterministic RNG for reproducible chunkings and generated PDUs.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
