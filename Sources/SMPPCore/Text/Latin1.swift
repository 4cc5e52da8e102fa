public import NIOCore

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
        if let text = octets.withContiguousStorageIfAvailable({ Self.decode(buffer: $0) }) { return text }
        return Array(octets).withUnsafeBufferPointer { Self.decode(buffer: $0) }
    }

    /// The readable octets of `buffer` as text.
    public static func decode(_ buffer: ByteBuffer) -> String {
        buffer.withUnsafeReadableBytes { Self.decode(buffer: $0.assumingMemoryBound(to: UInt8.self)) }
    }

    /// ASCII (the common case: receipts, numbers) is already UTF-8; octets 0x80–0xFF take two.
    public static func decode(buffer octets: UnsafeBufferPointer<UInt8>) -> String {
        var high = 0
        for octet in octets where octet >= 0x80 { high += 1 }
        if high == 0 { return String(decoding: octets, as: UTF8.self) }
        return String(unsafeUninitializedCapacity: octets.count + high) { utf8 in
            var index = 0
            for octet in octets {
                if octet < 0x80 {
                    utf8[index] = octet
                    index += 1
                } else {
                    utf8[index] = 0xC0 | octet >> 6
                    utf8[index + 1] = 0x80 | octet & 0x3F
                    index += 2
                }
            }
            return index
        }
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
