public import NIOCore

/// The text of a delivery receipt (SMPP v3.4 Appendix B), formatted and parsed tolerantly.
///
/// `id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD err:E Text:…`
///
/// Appendix B is only "a typical example", so the parser accepts what SMSCs really send: `Text:`
/// or `text:` (or none), fields missing or in another order, `submit_date`/`done_date`, 10- or
/// 12-digit dates, irregular spacing, unpadded counts, and ids of any form kept **as strings**
/// (hex, decimal with leading zeros, UUIDs) so they match the submit_sm_resp message_id exactly.
public struct DeliveryReceipt: Hashable, Sendable, CustomStringConvertible {
    /// The message id, verbatim.
    public var id: String
    /// `sub:`: messages originally submitted (for distribution lists; 1 otherwise).
    public var submitted: Int?
    /// `dlvrd:`: messages delivered.
    public var delivered: Int?
    public var submitDate: ReceiptDate?
    public var doneDate: ReceiptDate?
    /// `stat:` verbatim, e.g. `DELIVRD`.
    public var stat: String?
    /// `err:` verbatim: network- or SMSC-specific, not always numeric.
    public var error: String?
    /// `text:`: the first characters of the message; runs to the end of the receipt.
    public var text: String?
    /// Keys this type does not know, lower-cased, with their values, in order.
    public var extra: [Extra]

    public struct Extra: Hashable, Sendable {
        public var key: String
        public var value: String

        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    public init(
        id: String, submitted: Int? = 1, delivered: Int? = nil, submitDate: ReceiptDate? = nil,
        doneDate: ReceiptDate? = nil, stat: String? = nil, error: String? = "000", text: String? = nil,
        extra: [Extra] = []
    ) {
        self.id = id
        self.submitted = submitted
        self.delivered = delivered
        self.submitDate = submitDate
        self.doneDate = doneDate
        self.stat = stat
        self.error = error
        self.text = text
        self.extra = extra
    }

    /// The message_state `stat` stands for.
    public var state: MessageState? { self.stat.flatMap { MessageState(receiptStat: $0) } }

    /// A receipt for a message in `state` (the `stat:` word and `dlvrd` follow from it).
    public init(id: String, state: MessageState, submitDate: ReceiptDate?, doneDate: ReceiptDate?, error: String = "000", text: String = "") {
        self.init(
            id: id, submitted: 1, delivered: state == .delivered ? 1 : 0, submitDate: submitDate, doneDate: doneDate,
            stat: state.receiptStat, error: error, text: String(text.prefix(20))
        )
    }

    /// The Appendix B text, with 3-digit counts and 10-digit dates (12 when seconds are present).
    public var formatted: String {
        func three(_ value: Int?) -> String {
            let digits = String(value ?? 0)
            return digits.count >= 3 ? digits : String(repeating: "0", count: 3 - digits.count) + digits
        }
        var parts = ["id:\(self.id)", "sub:\(three(self.submitted))", "dlvrd:\(three(self.delivered))"]
        if let date = self.submitDate { parts.append("submit date:\(date.smppString)") }
        if let date = self.doneDate { parts.append("done date:\(date.smppString)") }
        if let stat = self.stat { parts.append("stat:\(stat)") }
        if let error = self.error { parts.append("err:\(error)") }
        for field in self.extra { parts.append("\(field.key):\(field.value)") }
        if let text = self.text { parts.append("Text:\(text)") }
        return parts.joined(separator: " ")
    }

    public var description: String { self.formatted }

    /// Parses receipt text; `nil` unless it has at least an `id:` or a `stat:` field.
    public static func parse(_ receipt: some StringProtocol) -> DeliveryReceipt? {
        var text = String(receipt)
        return text.withUTF8 { Self.parse(utf8: $0) }
    }

    /// Parses the receipt in a short_message or message_payload (ISO-8859-1 octets).
    public static func parse(_ octets: ByteBuffer) -> DeliveryReceipt? {
        octets.withUnsafeReadableBytes { raw in
            let bytes = raw.assumingMemoryBound(to: UInt8.self)
            if !bytes.contains(where: { $0 >= 0x80 }) { return Self.parse(utf8: bytes) }
            return Self.parse(Latin1.decode(buffer: bytes))
        }
    }

    /// The parser, over UTF-8: keys are ASCII, matched without regard to case. Strings are made
    /// only for the values kept.
    static func parse(utf8 chars: UnsafeBufferPointer<UInt8>) -> DeliveryReceipt? {
        let space: UInt8 = 0x20, colon: UInt8 = 0x3A
        var index = 0
        var result = DeliveryReceipt(id: "", submitted: nil, error: nil)
        var sawKey = false
        func string(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: chars[range]), as: UTF8.self) }
        /// Whether `range` spells `word` (lowercase ASCII) in any case.
        func spells(_ range: Range<Int>, _ word: StaticString) -> Bool {
            guard range.count == word.utf8CodeUnitCount else { return false }
            let expected = word.utf8Start
            for offset in 0..<range.count {
                let char = chars[range.lowerBound + offset]
                guard ((0x41...0x5A).contains(char) ? char | 0x20 : char) == expected[offset] else { return false }
            }
            return true
        }
        func number(_ range: Range<Int>) -> Int? {
            guard !range.isEmpty, range.count <= 18 else { return nil }
            var value = 0
            for index in range {
                let digit = Int(chars[index]) - 48
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        while index < chars.count {
            while index < chars.count, chars[index] == space || chars[index] == 0x09 || chars[index] == 0x0A || chars[index] == 0x0D {
                index += 1
            }
            guard index < chars.count else { break }
            // The key: up to ':'; "submit date" and "done date" hold a space.
            var keyEnd = index
            while keyEnd < chars.count, chars[keyEnd] != colon, chars[keyEnd] != space { keyEnd += 1 }
            var keyRange = index..<keyEnd
            var dated = false
            if keyEnd < chars.count, chars[keyEnd] == space, spells(keyRange, "submit") || spells(keyRange, "done") {
                var second = keyEnd + 1
                while second < chars.count, chars[second] != colon, chars[second] != space { second += 1 }
                if spells(keyEnd + 1..<second, "date") {
                    dated = true
                    keyEnd = second
                }
            }
            guard keyEnd < chars.count, chars[keyEnd] == colon else {
                index = keyEnd  // a word without a key: skip it
                continue
            }
            let valueStart = keyEnd + 1
            if !dated, keyRange.count == 4, spells(keyRange, "text") {
                result.text = string(valueStart..<chars.count)
                sawKey = true
                break
            }
            var valueEnd = valueStart
            while valueEnd < chars.count, chars[valueEnd] != space { valueEnd += 1 }
            let value = valueStart..<valueEnd
            index = valueEnd
            sawKey = true
            if dated { keyRange = keyRange.lowerBound..<keyRange.lowerBound + (chars[keyRange.lowerBound] | 0x20 == 0x73 ? 6 : 4) }
            // One comparison per key: the candidates are told apart by length and first letter.
            enum Key { case date, id, sub, dlvrd, stat, err, other }
            let key: Key
            if dated {
                key = .date
            } else {
                switch (keyRange.count, chars[keyRange.lowerBound] | 0x20) {
                case (2, 0x69): key = spells(keyRange, "id") ? .id : .other
                case (3, 0x73): key = spells(keyRange, "sub") ? .sub : .other
                case (3, 0x65): key = spells(keyRange, "err") ? .err : .other
                case (4, 0x73): key = spells(keyRange, "stat") ? .stat : .other
                case (5, 0x64): key = spells(keyRange, "dlvrd") ? .dlvrd : .other
                case (11, 0x73): key = spells(keyRange, "submit_date") ? .date : .other
                case (9, 0x64): key = spells(keyRange, "done_date") ? .date : .other
                default: key = .other
                }
            }
            switch key {
            case .date:
                let date = ReceiptDate(digits: UnsafeBufferPointer(rebasing: chars[value]))
                if chars[keyRange.lowerBound] | 0x20 == 0x73 { result.submitDate = date } else { result.doneDate = date }
            case .id: result.id = string(value)
            case .sub: result.submitted = number(value)
            case .dlvrd: result.delivered = number(value)
            case .stat: result.stat = string(value)
            case .err: result.error = string(value)
            case .other: result.extra.append(Extra(key: string(keyRange).lowercased(), value: string(value)))
            }
        }
        guard sawKey, !result.id.isEmpty || result.stat != nil else { return nil }
        return result
    }
}

/// A receipt date: `YYMMDDhhmm` or `YYMMDDhhmmss`, in the SMSC's local time (receipts carry no
/// offset). Two-digit years below 38 are 20YY (Appendix C).
public struct ReceiptDate: Hashable, Sendable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    /// `nil` in the 10-digit form.
    public var second: Int?

    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int? = nil) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    public init?(_ text: some StringProtocol) {
        var text = String(text)
        guard let date = text.withUTF8({ ReceiptDate(digits: $0) }) else { return nil }
        self = date
    }

    /// `YYMMDDhhmm` or `YYMMDDhhmmss` as ASCII digits.
    init?(digits: UnsafeBufferPointer<UInt8>) {
        guard digits.count == 10 || digits.count == 12, digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        func pair(_ at: Int) -> Int { Int(digits[at] - 0x30) * 10 + Int(digits[at + 1] - 0x30) }
        let yy = pair(0)
        self.init(
            year: yy < 38 ? 2000 + yy : 1900 + yy, month: pair(2), day: pair(4), hour: pair(6), minute: pair(8),
            second: digits.count == 12 ? pair(10) : nil)
        guard (1...12).contains(self.month), (1...daysInMonth(year: self.year, month: self.month)).contains(self.day),
            self.hour < 24, self.minute < 60, (self.second ?? 0) < 60
        else { return nil }
    }

    /// The same date from an SMPP absolute time (its local fields).
    public init(_ time: SMPPTime.AbsoluteTime, withSeconds: Bool = false) {
        self.init(
            year: time.year, month: time.month, day: time.day, hour: time.hour, minute: time.minute,
            second: withSeconds ? time.second : nil)
    }

    func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value % 100)" }

    /// `YYMMDDhhmm` or `YYMMDDhhmmss`.
    public var smppString: String {
        two(self.year % 100) + two(self.month) + two(self.day) + two(self.hour) + two(self.minute)
            + (self.second.map { two($0) } ?? "")
    }

    /// ISO 8601 without offset: `2025-12-24T10:30:00`.
    public var iso8601: String {
        "\(self.year)-\(two(self.month))-\(two(self.day))T\(two(self.hour)):\(two(self.minute)):\(two(self.second ?? 0))"
    }

    public var description: String { self.iso8601 }
}
