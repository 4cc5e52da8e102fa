/// The data_coding field (SMPP v3.4 §5.2.19): how short_message octets are to be read.
///
/// "There is no default setting": 0 is the *SMSC default alphabet*, which most SMSCs take as
/// GSM 03.38 but some as Latin-1 or ASCII; Shortwave sends GSM-7 text as 0 and says so.
public struct DataCoding: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// 0: SMSC default alphabet (GSM 03.38 in practice).
    public static let smscDefault = DataCoding(rawValue: 0x00)
    /// 1: IA5 (CCITT T.50) / ASCII.
    public static let ia5 = DataCoding(rawValue: 0x01)
    /// 2: octet unspecified (8-bit binary).
    public static let binary = DataCoding(rawValue: 0x02)
    /// 3: Latin 1 (ISO-8859-1).
    public static let latin1 = DataCoding(rawValue: 0x03)
    /// 4: octet unspecified (8-bit binary), the other code.
    public static let binary2 = DataCoding(rawValue: 0x04)
    public static let jis = DataCoding(rawValue: 0x05)
    public static let cyrillic = DataCoding(rawValue: 0x06)
    public static let latinHebrew = DataCoding(rawValue: 0x07)
    /// 8: UCS2 (ISO/IEC-10646), carried as UTF-16BE.
    public static let ucs2 = DataCoding(rawValue: 0x08)
    public static let pictogram = DataCoding(rawValue: 0x09)
    public static let iso2022JP = DataCoding(rawValue: 0x0A)
    public static let extendedKanji = DataCoding(rawValue: 0x0D)
    public static let ksc5601 = DataCoding(rawValue: 0x0E)
    /// 0xF0: GSM default alphabet, message class 0 ("flash").
    public static let flashGSM7 = DataCoding(rawValue: 0xF0)

    /// The text alphabet this coding stands for, if it is one Shortwave reads: GSM-7 for 0 and the
    /// 0xF0–0xF3 message classes with 7-bit coding, Latin-1, ASCII and UCS-2.
    public var alphabet: SMSAlphabet? {
        switch self.rawValue {
        case 0x00, 0xF0...0xF3: .gsm7
        case 0x01: .ascii
        case 0x03: .latin1
        case 0x08, 0x18...0x1B: .ucs2
        case 0xF4...0xF7, 0x02, 0x04: .binary
        default: nil
        }
    }

    public var description: String { "data_coding=0x" + hex(self.rawValue, width: 2) }
}

/// An alphabet the text codecs implement.
public enum SMSAlphabet: Sendable, Hashable, CaseIterable {
    /// GSM 03.38 default alphabet with the extension table, one septet per octet on the wire.
    case gsm7
    case ascii
    case latin1
    /// UTF-16BE with surrogate pairs (UCS-2 in SMPP's words).
    case ucs2
    /// Opaque octets.
    case binary

    /// The data_coding value that announces this alphabet.
    public var dataCoding: DataCoding {
        switch self {
        case .gsm7: .smscDefault
        case .ascii: .ia5
        case .latin1: .latin1
        case .ucs2: .ucs2
        case .binary: .binary2
        }
    }
}
