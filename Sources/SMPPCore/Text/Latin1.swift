/// ISO-8859-1 (data_coding 3): one octet per character, U+0000–U+00FF.
public enum Latin1 {
    /// `text` as octets, or `nil` if a character lies above U+00FF.
    public static func encode(_ text: some StringProtocol) -> [UInt8]? {
        var octets: [UInt8] = []
        octets.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            guard scalar.value <= 0xFF else { return nil }
            octets.append(UInt8(scalar.value))
        }
        return octets
    }

    public static func decode(_ octets: some Sequence<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        for octet in octets { scalars.append(Unicode.Scalar(octet)) }
        return String(scalars)
    }
}

/// UCS-2 as SMPP carries it (data_coding 8): UTF-16 big-endian, no BOM, with surrogate pairs for
/// characters outside the BMP (emoji), as handsets read it.
public enum UCS2 {
    public static func encode(_ text: some StringProtocol) -> [UInt8] {
        var octets: [UInt8] = []
        octets.reserveCapacity(text.utf16.count * 2)
        for unit in text.utf16 {
            octets.append(UInt8(unit >> 8))
            octets.append(UInt8(unit & 0xFF))
        }
        return octets
    }

    /// UTF-16BE octets as text; an odd trailing octet is dropped, an unpaired surrogate becomes U+FFFD.
    public static func decode(_ octets: some Collection<UInt8>) -> String {
        var units: [UInt16] = []
        units.reserveCapacity(octets.count / 2)
        var iterator = octets.makeIterator()
        while let high = iterator.next(), let low = iterator.next() { units.append(UInt16(high) << 8 | UInt16(low)) }
        return String(decoding: units, as: UTF16.self)
    }

    /// The UTF-16 code units of `text` (a surrogate pair counts 2).
    public static func unitCount(_ text: some StringProtocol) -> Int { text.utf16.count }
}
