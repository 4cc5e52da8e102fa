/// The GSM 03.38 / 3GPP TS 23.038 default alphabet and its extension table.
///
/// SMPP carries GSM-7 text **unpacked**, one septet per octet (data_coding 0); an extension
/// character is ESC (0x1B) and its code, two septets. `pack`/`unpack` convert to the 7-bit packed
/// form the air interface (and a few SMSCs) use.
public enum GSM7 {
    /// ESC: the next septet is read from the extension table.
    public static let escape: UInt8 = 0x1B

    /// The basic table, index = septet (0x1B is ESC and has no character of its own).
    static let basic: [Unicode.Scalar] = Array(
        ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u{1B}ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
            + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
            .unicodeScalars)

    /// The extension table: septet after ESC → character.
    static let extensionTable: [UInt8: Unicode.Scalar] = [
        0x0A: "\u{0C}", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\", 0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|",
        0x65: "€",
    ]

    /// Character → (first septet, optional second septet), for encoding.
    static let encodeTable: [Unicode.Scalar: (UInt8, UInt8?)] = {
        var table: [Unicode.Scalar: (UInt8, UInt8?)] = [:]
        for (index, scalar) in basic.enumerated() where index != 0x1B { table[scalar] = (UInt8(index), nil) }
        for (code, scalar) in extensionTable { table[scalar] = (escape, code) }
        return table
    }()

    /// The septets of one character: 1 (basic), 2 (extension), `nil` when GSM-7 cannot carry it.
    public static func septets(for scalar: Unicode.Scalar) -> Int? {
        guard let entry = encodeTable[scalar] else { return nil }
        return entry.1 == nil ? 1 : 2
    }

    /// Whether every character of `text` is in the default alphabet or its extension table.
    public static func canEncode(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.allSatisfy { encodeTable[$0] != nil }
    }

    /// The length of `text` in septets (extension characters count 2), or `nil` if it is not GSM-7.
    public static func septetCount(_ text: some StringProtocol) -> Int? {
        var count = 0
        for scalar in text.unicodeScalars {
            guard let entry = encodeTable[scalar] else { return nil }
            count += entry.1 == nil ? 1 : 2
        }
        return count
    }

    /// `text` as unpacked septets (one per octet), or `nil` if a character is not GSM-7.
    public static func encode(_ text: some StringProtocol) -> [UInt8]? {
        var septets: [UInt8] = []
        septets.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            guard let (first, second) = encodeTable[scalar] else { return nil }
            septets.append(first)
            if let second { septets.append(second) }
        }
        return septets
    }

    /// Unpacked septets as text. An unknown extension code reads as its basic-table character
    /// (TS 23.038 §6.2.1.1); a trailing lone ESC is dropped; octet values above 0x7F use their low 7 bits.
    public static func decode(_ septets: some Sequence<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        var escaped = false
        for raw in septets {
            let septet = raw & 0x7F
            if escaped {
                escaped = false
                scalars.append(extensionTable[septet] ?? basic[Int(septet == escape ? 0x20 : septet)])
            } else if septet == escape {
                escaped = true
            } else {
                scalars.append(basic[Int(septet)])
            }
        }
        return String(scalars)
    }

    /// Packs septets 7 bits at a time (TS 23.038 §6.1.2.1.1), after `fillBits` zero bits (the
    /// padding that aligns text after a UDH to a septet boundary).
    public static func pack(_ septets: [UInt8], fillBits: Int = 0) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: (septets.count * 7 + fillBits + 7) / 8)
        for (index, raw) in septets.enumerated() {
            let septet = UInt16(raw & 0x7F)
            let bit = index * 7 + fillBits
            let shifted = septet << UInt16(bit % 8)
            out[bit / 8] |= UInt8(truncatingIfNeeded: shifted)
            if shifted > 0xFF { out[bit / 8 + 1] |= UInt8(truncatingIfNeeded: shifted >> 8) }
        }
        return out
    }

    /// Unpacks `count` septets (default: as many as the octets hold) after `fillBits`.
    public static func unpack(_ octets: [UInt8], count: Int? = nil, fillBits: Int = 0) -> [UInt8] {
        let available = max(0, (octets.count * 8 - fillBits) / 7)
        let total = min(count ?? available, available)
        var septets: [UInt8] = []
        septets.reserveCapacity(total)
        for index in 0..<total {
            let bit = index * 7 + fillBits
            var value = UInt16(octets[bit / 8])
            if bit / 8 + 1 < octets.count { value |= UInt16(octets[bit / 8 + 1]) << 8 }
            septets.append(UInt8(truncatingIfNeeded: value >> UInt16(bit % 8)) & 0x7F)
        }
        return septets
    }
}
