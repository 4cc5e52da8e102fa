import NIOCore
import SMPPCore
import Testing

@Suite("Segmentation and concatenation")
struct SegmentationTests {
    static let vectors = Vectors.load("segments.json")

    @Test("each segment vector: encoding, length, count and split as the rule says", arguments: vectors)
    func split(vector: Vector) throws {
        try requireLoaded(vector)
        let text = vector.json["text"]!.string!
        let encoded = try #require(EncodedText(text))
        let expectedAlphabet: SMSAlphabet = vector.json["encoding"]!.string! == "gsm7" ? .gsm7 : .ucs2
        #expect(encoded.alphabet == expectedAlphabet)
        #expect(encoded.units == vector.json["length_units"]!.int!)
        #expect(encoded.segmentCount(.udh8(reference: 1)) == vector.json["segments"]!.int!)
        #expect(encoded.segmentCount(.udh16(reference: 1)) == vector.json["segments_with_16bit_ref_udh"]!.int!)
        #expect(EncodedText(text, alphabet: .gsm7)?.segmentCount() == vector.json["segments_gsm7"]!.int)
        #expect(EncodedText(text, alphabet: .ucs2)?.segmentCount() == vector.json["segments_ucs2"]!.int)

        let expectedSplit = vector.json["split"]!.array!.map { ($0["text"]!.string!, $0["units"]!.int!) }
        let ranges = encoded.segmentRanges(.udh8(reference: 1))
        let split = ranges.map { (encoded.text(of: $0), $0.count / (encoded.alphabet == .ucs2 ? 2 : 1)) }
        #expect(split.map(\.0) == expectedSplit.map(\.0))
        #expect(split.map(\.1) == expectedSplit.map(\.1))
        #expect(split.map(\.0).joined() == text)
    }

    @Test("parts carry an 8-bit UDH with UDHI, and every part fits its capacity", arguments: vectors)
    func udhParts(vector: Vector) throws {
        try requireLoaded(vector)
        let encoded = try #require(EncodedText(vector.json["text"]!.string!))
        let message = try encoded.split(.udh8(reference: 0xA5))
        #expect(message.dataCoding == (encoded.alphabet == .gsm7 ? .smscDefault : .ucs2))
        let total = message.parts.count
        for part in message.parts {
            var bytes = part.shortMessage
            #expect(bytes.readableBytes <= 254)
            if total > 1 {
                #expect(part.udhi)
                #expect(bytes.readBytes(length: 6) == [0x05, 0x00, 0x03, 0xA5, UInt8(total), UInt8(part.sequence)])
                #expect(bytes.readableBytes <= encoded.capacity(.udh8(reference: 0)) * (encoded.alphabet == .ucs2 ? 2 : 1))
            } else {
                #expect(!part.udhi)
            }
            // Never a lone ESC at the end of a GSM part, never a high surrogate at the end of a UCS-2 part.
            let last = bytes.readableBytesView.last
            if encoded.alphabet == .gsm7 { #expect(last != 0x1B) }
            if encoded.alphabet == .ucs2, bytes.readableBytes >= 2 {
                #expect(!(0xD8...0xDB).contains(bytes.getInteger(at: bytes.writerIndex - 2, as: UInt8.self)!))
            }
        }
    }

    @Test("16-bit UDH, SAR TLVs and message_payload")
    func otherSchemes() throws {
        let text = String(repeating: "x", count: 306) + "€"
        let encoded = try #require(EncodedText(text))
        let udh16 = try encoded.split(.udh16(reference: 0x1234))
        #expect(udh16.parts.count == 3)
        #expect(Array(udh16.parts[0].shortMessage.readableBytesView.prefix(7)) == [0x06, 0x08, 0x04, 0x12, 0x34, 3, 1])

        let sar = try encoded.split(.sar(reference: 42))
        #expect(sar.parts.count == 2)  // 308 septets, 160 per part without UDH
        #expect(sar.parts.allSatisfy { !$0.udhi })
        #expect(sar.parts[1].tlvs.sarMsgRefNum == 42)
        #expect(sar.parts[1].tlvs.sarTotalSegments == 2)
        #expect(sar.parts[1].tlvs.sarSegmentSeqnum == 2)

        let payload = try encoded.split(.messagePayload)
        #expect(payload.parts.count == 1)
        #expect(payload.parts[0].shortMessage.readableBytes == 0)
        #expect(payload.parts[0].tlvs.messagePayload?.readableBytes == 308)
        // The resulting submit_sm encodes (sm_length 0, message_payload TLV).
        let submit = SubmitSM(source: .alphanumeric("Shortwave"), destination: .international("447700900123"), tlvs: payload.parts[0].tlvs)
        #expect(throws: Never.self) { try SMPPPacket(sequenceNumber: 1, pdu: .submitSM(submit)).encoded() }
    }

    @Test("a text of more than 255 parts is refused")
    func tooLong() throws {
        let encoded = try #require(EncodedText(String(repeating: "a", count: 153 * 256)))
        #expect(throws: MessageTooLongError.self) { try encoded.split(.udh8(reference: 1)) }
    }
}
