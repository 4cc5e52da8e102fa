/// A text encoded for SMS, with the places it may be cut: between characters, never inside a
/// GSM-7 escape pair or a UTF-16 surrogate pair.
public struct EncodedText: Hashable, Sendable {
    public let alphabet: SMSAlphabet
    /// The octets as short_message carries them (GSM-7 unpacked, UCS-2 as UTF-16BE).
    public let octets: [UInt8]
    /// Octet offsets where a character starts, and `octets.count`.
    let boundaries: [Int]

    /// Encodes `text` in `alphabet`, or in the cheapest one that carries it when `nil`.
    /// Returns `nil` when the chosen alphabet cannot carry the text.
    public init?(_ text: some StringProtocol, alphabet: SMSAlphabet? = nil, allowLatin1: Bool = false) {
        let chosen = alphabet ?? SMSText.cheapestAlphabet(for: text, allowLatin1: allowLatin1)
        var octets: [UInt8] = []
        var boundaries: [Int] = [0]
        octets.reserveCapacity(chosen == .ucs2 ? text.utf16.count * 2 : text.utf8.count)
        boundaries.reserveCapacity(text.utf8.count + 1)
        for scalar in text.unicodeScalars {
            switch chosen {
            case .gsm7:
                guard let (first, second) = GSM7.encodeTable[scalar] else { return nil }
                octets.append(first)
                if let second { octets.append(second) }
            case .ascii, .latin1:
                guard scalar.value <= (chosen == .ascii ? 0x7F : 0xFF) else { return nil }
                octets.append(UInt8(scalar.value))
            case .ucs2:
                for unit in UTF16.encode(scalar)! {
                    octets.append(UInt8(unit >> 8))
                    octets.append(UInt8(unit & 0xFF))
                }
            case .binary:
                return nil
            }
            boundaries.append(octets.count)
        }
        self.alphabet = chosen
        self.octets = octets
        self.boundaries = boundaries
    }

    /// Binary content: any octet is a place to cut.
    public init(binary: [UInt8]) {
        self.alphabet = .binary
        self.octets = binary
        self.boundaries = Array(0...binary.count)
    }

    /// The length in the alphabet's units: septets (GSM-7), UTF-16 code units (UCS-2), octets otherwise.
    public var units: Int { self.alphabet == .ucs2 ? self.octets.count / 2 : self.octets.count }

    /// Octets one unit takes.
    var unitSize: Int { self.alphabet == .ucs2 ? 2 : 1 }

    /// How many units fit one message: alone (`nil`), or one part under `concatenation`.
    ///
    /// GSM-7 160 / 153 (8-bit UDH) / 152 (16-bit UDH); UCS-2 70 / 67 / 66; 8-bit 140 / 134 / 133;
    /// SAR TLVs take no room, so parts hold as much as a single message.
    public func capacity(_ concatenation: Concatenation?) -> Int {
        let udhOctets: Int
        switch concatenation {
        case .none, .sar, .messagePayload: udhOctets = 0
        case .udh8: udhOctets = 6
        case .udh16: udhOctets = 7
        }
        switch self.alphabet {
        case .gsm7: return 160 - (udhOctets * 8 + 6) / 7
        case .ucs2: return (140 - udhOctets) / 2
        case .ascii, .latin1, .binary: return 140 - udhOctets
        }
    }

    /// The octet ranges of the parts: one range when the text fits a single message, else
    /// greedy parts of at most `capacity(concatenation)` units, cut only between characters.
    public func segmentRanges(_ concatenation: Concatenation = .udh8(reference: 0)) -> [Range<Int>] {
        if self.units <= self.capacity(nil) { return [0..<self.octets.count] }
        let limit = self.capacity(concatenation) * self.unitSize
        var ranges: [Range<Int>] = []
        var start = 0
        var cursor = 0
        while start < self.octets.count {
            var end = start
            while cursor + 1 < self.boundaries.count, self.boundaries[cursor + 1] - start <= limit {
                cursor += 1
                end = self.boundaries[cursor]
            }
            precondition(end > start, "a single character is larger than a part")
            ranges.append(start..<end)
            start = end
        }
        return ranges
    }

    /// The number of SMS this text costs under `concatenation`.
    public func segmentCount(_ concatenation: Concatenation = .udh8(reference: 0)) -> Int {
        self.segmentRanges(concatenation).count
    }

    /// The text of the octets in `range` (a range from `segmentRanges`).
    public func text(of range: Range<Int>) -> String {
        let slice = self.octets[range]
        switch self.alphabet {
        case .gsm7: return GSM7.decode(slice)
        case .ucs2: return UCS2.decode(slice)
        case .ascii, .latin1, .binary: return Latin1.decode(slice)
        }
    }
}
