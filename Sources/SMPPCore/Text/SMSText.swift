public import NIOCore

/// Text ↔ short_message octets for the alphabets SMS uses.
public enum SMSText {
    /// The cheapest alphabet that carries `text` exactly: GSM-7 when every character is in GSM
    /// 03.38, else Latin-1 if `allowLatin1` (fewer segments, but not every route delivers
    /// data_coding 3 faithfully), else UCS-2.
    public static func cheapestAlphabet(for text: some StringProtocol, allowLatin1: Bool = false) -> SMSAlphabet {
        if GSM7.canEncode(text) { return .gsm7 }
        if allowLatin1, text.unicodeScalars.allSatisfy({ $0.value <= 0xFF }) { return .latin1 }
        return .ucs2
    }

    /// `text` as octets in `alphabet`, or `nil` if the alphabet cannot carry it.
    public static func encode(_ text: some StringProtocol, as alphabet: SMSAlphabet) -> [UInt8]? {
        switch alphabet {
        case .gsm7: GSM7.encode(text)
        case .ascii: text.unicodeScalars.allSatisfy(\.isASCII) ? Array(text.utf8) : nil
        case .latin1: Latin1.encode(text)
        case .ucs2: UCS2.encode(text)
        case .binary: nil
        }
    }

    /// The text of short_message / message_payload octets read with `dataCoding`, or `nil` for
    /// binary and codings Shortwave does not read.
    public static func decode(_ octets: ByteBuffer, dataCoding: DataCoding) -> String? {
        let bytes = octets.readableBytesView
        switch dataCoding.alphabet {
        case .gsm7: return GSM7.decode(bytes)
        case .ascii, .latin1: return Latin1.decode(bytes)
        case .ucs2: return UCS2.decode(bytes)
        case .binary, .none: return nil
        }
    }
}
