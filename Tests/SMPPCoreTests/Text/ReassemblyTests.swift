import NIOCore
import SMPPCore
import Testing

@Suite("Reassembly of inbound concatenated messages")
struct ReassemblyTests {
    func parts(_ text: String, _ scheme: Concatenation) throws -> [MessagePart] {
        try #require(EncodedText(text)).split(scheme).parts
    }

    @Test("UDH 8-bit, UDH 16-bit and SAR parts reassemble in any arrival order", arguments: [
        Concatenation.udh8(reference: 7), .udh16(reference: 0xBEEF), .sar(reference: 513),
    ])
    func anyOrder(scheme: Concatenation) throws {
        let text = "Hindi नमस्ते and emoji 😀 " + String(repeating: "long text ", count: 30)
        let original = try parts(text, scheme)
        #expect(original.count >= 3)
        var rng = SplitMix64(seed: 9)
        for _ in 0..<10 {
            var reassembler = ConcatenationReassembler<String>()
            var result: [ByteBuffer]?
            for part in original.shuffled(using: &rng) {
                let info = try #require(ConcatenationInfo(shortMessage: part.shortMessage, esmClass: ESMClass(udhi: part.udhi), tlvs: part.tlvs))
                if case .complete(let contents) = reassembler.add(info, key: "447700900001>12345") { result = contents }
            }
            var joined = ByteBuffer()
            for content in try #require(result) { joined.writeImmutableBuffer(content) }
            #expect(SMSText.decode(joined, dataCoding: .ucs2) == text)
            #expect(reassembler.pending.isEmpty)
        }
    }

    @Test("the deliver_sm UDH vector is read, other UDH elements are skipped")
    func udhVector() throws {
        let vector = try #require(Vectors.load("pdu_deliver_sm.json").first { $0.name == "deliver_sm_mo_udh_concat" })
        guard case .deliverSM(let deliver) = try SMPPPacket.decode(frame: ByteBuffer(hex: vector.json["hex"]!.string!)).pdu else {
            Issue.record("not a deliver_sm")
            return
        }
        let info = try #require(ConcatenationInfo(shortMessage: deliver.shortMessage, esmClass: deliver.esmClass, tlvs: deliver.tlvs))
        #expect(info.total >= 2)
        #expect(info.content.readableBytes == deliver.shortMessage.readableBytes - 6)

        // A UDH with a port element before the concatenation element.
        var message = ByteBuffer(bytes: [0x0B, 0x05, 0x04, 0x0B, 0x84, 0x23, 0xF0, 0x00, 0x03, 0x2A, 0x02, 0x01, 0x41])
        let withPorts = try #require(ConcatenationInfo(shortMessage: message, esmClass: ESMClass(udhi: true), tlvs: []))
        #expect(withPorts.reference == 0x2A && withPorts.total == 2 && withPorts.sequence == 1)
        #expect(withPorts.content.readableBytesView.elementsEqual([0x41]))
        // Malformed UDHs and a sequence number beyond the total are refused, not trusted.
        message = ByteBuffer(bytes: [0x09, 0x00, 0x03])
        #expect(ConcatenationInfo(shortMessage: message, esmClass: ESMClass(udhi: true), tlvs: []) == nil)
        message = ByteBuffer(bytes: [0x05, 0x00, 0x03, 0x01, 0x02, 0x03])
        #expect(ConcatenationInfo(shortMessage: message, esmClass: ESMClass(udhi: true), tlvs: []) == nil)
    }

    @Test("duplicates are reported, memory is bounded, stale messages are evicted")
    func bounds() throws {
        let original = try parts(String(repeating: "abc ", count: 100), .udh8(reference: 1))
        let first = try #require(ConcatenationInfo(shortMessage: original[0].shortMessage, esmClass: ESMClass(udhi: true), tlvs: []))
        var reassembler = ConcatenationReassembler<Int>(maximumPending: 2)
        #expect({ if case .waiting = reassembler.add(first, key: 1, now: 1) { true } else { false } }())
        #expect({ if case .duplicate = reassembler.add(first, key: 1, now: 1) { true } else { false } }())
        _ = reassembler.add(first, key: 2, now: 2)
        _ = reassembler.add(first, key: 3, now: 3)
        #expect(reassembler.pending.count == 2)
        #expect(!reassembler.pending.keys.contains { $0.key == 1 })
        #expect(reassembler.evict(olderThan: 3).count == 1)
        #expect(reassembler.pending.count == 1)
    }
}
