import SMPPCore

/// Writes JSON straight into bytes: the API's responses and webhook bodies are written this way
/// (one buffer, no intermediate dictionaries), and both use `Message.writeJSON` so a message
/// reads the same in a response, a listing and a webhook.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8]
    /// Whether the next member of the current object or array needs a comma first.
    var needsComma = false

    public init(capacity: Int = 256) {
        self.bytes = []
        self.bytes.reserveCapacity(capacity)
    }

    public mutating func beginObject() {
        self.separate()
        self.bytes.append(UInt8(ascii: "{"))
        self.needsComma = false
    }

    public mutating func endObject() {
        self.bytes.append(UInt8(ascii: "}"))
        self.needsComma = true
    }

    public mutating func beginArray() {
        self.separate()
        self.bytes.append(UInt8(ascii: "["))
        self.needsComma = false
    }

    public mutating func endArray() {
        self.bytes.append(UInt8(ascii: "]"))
        self.needsComma = true
    }

    /// A member name; the value follows.
    public mutating func key(_ name: StaticString) {
        self.separate()
        self.bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { self.bytes.append(contentsOf: $0) }
        self.bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        self.needsComma = false
    }

    public mutating func key(dynamic name: String) {
        self.separate()
        self.writeString(name)
        self.bytes.append(UInt8(ascii: ":"))
        self.needsComma = false
    }

    public mutating func string(_ value: String) {
        self.separate()
        self.writeString(value)
        self.needsComma = true
    }

    public mutating func string(_ value: String?) {
        if let value { self.string(value) } else { self.null() }
    }

    public mutating func int(_ value: some BinaryInteger) {
        self.separate()
        self.bytes.append(contentsOf: String(value).utf8)
        self.needsComma = true
    }

    public mutating func int(_ value: Int64?) {
        if let value { self.int(value) } else { self.null() }
    }

    public mutating func bool(_ value: Bool) {
        self.separate()
        self.bytes.append(contentsOf: (value ? "true" : "false").utf8)
        self.needsComma = true
    }

    public mutating func null() {
        self.separate()
        self.bytes.append(contentsOf: "null".utf8)
        self.needsComma = true
    }

    /// A timestamp (milliseconds since 1970) as RFC 3339 UTC, or null.
    public mutating func timestamp(_ milliseconds: Int64?) {
        guard let milliseconds else { return self.null() }
        self.separate()
        self.bytes.append(UInt8(ascii: "\""))
        Timestamp.write(milliseconds, into: &self.bytes)
        self.bytes.append(UInt8(ascii: "\""))
        self.needsComma = true
    }

    /// JSON already written (a nested document).
    public mutating func raw(_ json: [UInt8]) {
        self.separate()
        self.bytes.append(contentsOf: json)
        self.needsComma = true
    }

    mutating func separate() {
        if self.needsComma { self.bytes.append(UInt8(ascii: ",")) }
    }

    static let hex = Array("0123456789abcdef".utf8)

    mutating func writeString(_ value: String) {
        self.bytes.append(UInt8(ascii: "\""))
        // Most strings (ids, numbers, statuses, times) need no escaping: copied whole.
        let plain = value.utf8.withContiguousStorageIfAvailable { octets in
            octets.allSatisfy { $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        }
        if plain == true {
            self.bytes.append(contentsOf: value.utf8)
            self.bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): self.bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): self.bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: self.bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: self.bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: self.bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                self.bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                self.bytes.append(Self.hex[Int(byte >> 4)])
                self.bytes.append(Self.hex[Int(byte & 0xF)])
            default: self.bytes.append(byte)
            }
        }
        self.bytes.append(UInt8(ascii: "\""))
    }
}

/// RFC 3339 timestamps in UTC with milliseconds (`2026-11-27T17:44:08.123Z`), written and read
/// without Foundation's formatters.
public enum Timestamp {
    public static func string(_ milliseconds: Int64) -> String {
        var bytes: [UInt8] = []
        self.write(milliseconds, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func write(_ milliseconds: Int64, into bytes: inout [UInt8]) {
        let (days, msOfDay) = milliseconds.quotientAndRemainderFloored(dividingBy: 86_400_000)
        let (civilYear, civilMonth, civilDay) = civilFromDays(days)
        let (year, month, day) = (Int64(civilYear), Int64(civilMonth), Int64(civilDay))
        func two(_ value: Int64) {
            bytes.append(UInt8(48 + value / 10))
            bytes.append(UInt8(48 + value % 10))
        }
        two(year / 100)
        two(year % 100)
        bytes.append(UInt8(ascii: "-"))
        two(month)
        bytes.append(UInt8(ascii: "-"))
        two(day)
        bytes.append(UInt8(ascii: "T"))
        two(msOfDay / 3_600_000)
        bytes.append(UInt8(ascii: ":"))
        two(msOfDay / 60_000 % 60)
        bytes.append(UInt8(ascii: ":"))
        two(msOfDay / 1000 % 60)
        bytes.append(UInt8(ascii: "."))
        let fraction = msOfDay % 1000
        bytes.append(UInt8(48 + fraction / 100))
        two(fraction % 100)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// Reads `YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)` (RFC 3339; `t`/`z`/space accepted).
    public static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= b.count else { return nil }
            var value: Int64 = 0
            for i in from..<(from + count) {
                guard (0x30...0x39).contains(b[i]) else { return nil }
                value = value * 10 + Int64(b[i] - 0x30)
            }
            return value
        }
        guard b.count >= 20, let year = number(0, 4), b[4] == UInt8(ascii: "-"), let month = number(5, 2), b[7] == UInt8(ascii: "-"),
            let day = number(8, 2), [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(b[10]), let hour = number(11, 2),
            b[13] == UInt8(ascii: ":"), let minute = number(14, 2), b[16] == UInt8(ascii: ":"), let second = number(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        guard day <= daysInMonth(year: Int(year), month: Int(month)) else { return nil }
        var index = 19
        var milliseconds: Int64 = 0
        if index < b.count, b[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < b.count, (0x30...0x39).contains(b[index]) {
                if digits < 3 { milliseconds = milliseconds * 10 + Int64(b[index] - 0x30) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            if digits < 3 { for _ in digits..<3 { milliseconds *= 10 } }
        }
        guard index < b.count else { return nil }
        var offset: Int64 = 0
        switch b[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == b.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == b.count, let hours = number(index + 1, 2), b[index + 3] == UInt8(ascii: ":"), let minutes = number(index + 4, 2),
                hours < 24, minutes < 60
            else { return nil }
            offset = (hours * 60 + minutes) * 60_000 * (b[index] == UInt8(ascii: "+") ? 1 : -1)
        default:
            return nil
        }
        let days = daysFromCivil(year: Int(year), month: Int(month), day: Int(day))
        return days * 86_400_000 + ((hour * 60 + minute) * 60 + min(second, 59)) * 1000 + milliseconds - offset
    }
}

extension Int64 {
    func quotientAndRemainderFloored(dividingBy divisor: Int64) -> (Int64, Int64) {
        let (q, r) = self.quotientAndRemainder(dividingBy: divisor)
        return r < 0 ? (q - 1, r + divisor) : (q, r)
    }
}
