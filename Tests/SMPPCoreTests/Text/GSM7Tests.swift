import SMPPCore
import Testing

@Suite("GSM 03.38, Latin-1 and UCS-2 text vectors")
struct GSM7Tests {
    static let vectors = Vectors.load("gsm7_charset.json")

    @Test("each charset vector encodes, packs and decodes as the peers agree", arguments: vectors)
    func charset(vector: Vector) throws {
        try requireLoaded(vector)
        let text = vector.json["text"]!.string!
        if vector.json["gsm7"] == .bool(true) {
            let septets = try #require(GSM7.encode(text))
            #expect(hexString(septets) == vector.json["unpacked_hex"]!.string!)
            #expect(GSM7.septetCount(text) == vector.json["septet_count"]!.int!)
            #expect(hexString(GSM7.pack(septets)) == vector.json["packed_hex"]!.string!)
            #expect(GSM7.unpack(GSM7.pack(septets), count: septets.count) == septets)
            #expect(GSM7.decode(septets) == text)
            #expect(SMSText.cheapestAlphabet(for: text) == .gsm7)
        } else {
            #expect(GSM7.encode(text) == nil)
            #expect(GSM7.septetCount(text) == nil)
            #expect(hexString(UCS2.encode(text)) == vector.json["ucs2_hex"]!.string!)
            #expect(UCS2.unitCount(text) == vector.json["utf16_units"]!.int!)
            #expect(UCS2.decode(UCS2.encode(text)) == text)
            #expect(SMSText.cheapestAlphabet(for: text) == .ucs2)
            let offenders = vector.json["non_gsm_chars"]!.array!.map { $0.string! }
            let found = text.unicodeScalars.filter { GSM7.septets(for: $0) == nil }.map { "U+" + String($0.value, radix: 16, uppercase: true).leftPadded(4) }
            #expect(found == offenders)
        }
    }

    @Test("packing after a UDH uses fill bits to the septet boundary")
    func fillBits() {
        let septets = GSM7.encode("hellohello")!
        // A 6-octet UDH is 48 bits: one fill bit aligns the text to septet 7.
        let packed = GSM7.pack(septets, fillBits: 1)
        #expect(GSM7.unpack(packed, count: septets.count, fillBits: 1) == septets)
        #expect(packed.count == (septets.count * 7 + 1 + 7) / 8)
    }

    @Test("an unknown escape reads as the basic character and a lone trailing ESC is dropped")
    func tolerantDecode() {
        #expect(GSM7.decode([0x1B, 0x41, 0x42]) == "AB")
        #expect(GSM7.decode([0x41, 0x1B]) == "A")
    }

    @Test("Latin-1 carries U+0000–U+00FF only and is chosen only when allowed")
    func latin1() {
        #expect(Latin1.encode("ça va") == [0xE7, 0x61, 0x20, 0x76, 0x61])
        #expect(Latin1.encode("€") == nil)
        #expect(Latin1.decode([0xE7, 0x61]) == "ça")
        #expect(SMSText.cheapestAlphabet(for: "ça va") == .ucs2)
        #expect(SMSText.cheapestAlphabet(for: "ça va", allowLatin1: true) == .latin1)
        #expect(SMSText.cheapestAlphabet(for: "Привет", allowLatin1: true) == .ucs2)
    }

    @Test("UCS-2 decoding drops an odd octet and replaces an unpaired surrogate")
    func ucs2Tolerance() {
        #expect(UCS2.decode([0x00, 0x41, 0x00]) == "A")
        #expect(UCS2.decode([0xD8, 0x3D, 0x00, 0x41]) == "\u{FFFD}A")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
