/// An SMPP time value (SMPP v3.4 §7.1.1): `YYMMDDhhmmsstnnp`, 16 characters and a NUL.
///
/// * absolute: `t` is tenths of a second, `nn` the offset from UTC in **quarter hours** (00–48),
///   `p` `+` or `-`;
/// * relative: `p` is `R`, `t` and `nn` are zero, and the fields are a duration
///   (`000000003000000R` is 30 minutes).
///
/// An empty field (a lone NUL) is `nil` where a PDU holds an `SMPPTime?`: "immediate delivery" or
/// "the SMSC's default validity".
public enum SMPPTime: Hashable, Sendable, CustomStringConvertible {
    case absolute(AbsoluteTime)
    case relative(RelativeTime)

    /// A point in time with the UTC offset it was written in.
    public struct AbsoluteTime: Hashable, Sendable {
        /// Full year, e.g. 2025 (two digits on the wire; see `SMPPTime.parse(_:centuryPivot:)`).
        public var year: Int
        public var month: Int
        public var day: Int
        public var hour: Int
        public var minute: Int
        public var second: Int
        public var tenths: Int
        /// Offset from UTC in quarter hours, -48…48 (`-2` is UTC−00:30).
        public var utcOffsetQuarterHours: Int

        public init(
            year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, tenths: Int = 0,
            utcOffsetQuarterHours: Int = 0
        ) {
            self.year = year
            self.month = month
            self.day = day
            self.hour = hour
            self.minute = minute
            self.second = second
            self.tenths = tenths
            self.utcOffsetQuarterHours = utcOffsetQuarterHours
        }

        /// The instant as seconds since 1970-01-01T00:00:00Z (tenths dropped).
        public var secondsSince1970: Int64 {
            let days = daysFromCivil(year: self.year, month: self.month, day: self.day)
            let local = days * 86_400 + Int64(self.hour * 3600 + self.minute * 60 + self.second)
            return local - Int64(self.utcOffsetQuarterHours * 15 * 60)
        }

        /// The instant `secondsSince1970`, written with the given offset.
        public init(secondsSince1970: Int64, tenths: Int = 0, utcOffsetQuarterHours: Int = 0) {
            let local = secondsSince1970 + Int64(utcOffsetQuarterHours * 15 * 60)
            let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
            let secondsOfDay = Int(local - days * 86_400)
            let (year, month, day) = civilFromDays(days)
            self.init(
                year: year, month: month, day: day, hour: secondsOfDay / 3600, minute: secondsOfDay / 60 % 60,
                second: secondsOfDay % 60, tenths: tenths, utcOffsetQuarterHours: utcOffsetQuarterHours
            )
        }
    }

    /// A duration from "now" as the SMSC sees it.
    public struct RelativeTime: Hashable, Sendable {
        public var years: Int
        public var months: Int
        public var days: Int
        public var hours: Int
        public var minutes: Int
        public var seconds: Int

        public init(years: Int = 0, months: Int = 0, days: Int = 0, hours: Int = 0, minutes: Int = 0, seconds: Int = 0) {
            self.years = years
            self.months = months
            self.days = days
            self.hours = hours
            self.minutes = minutes
            self.seconds = seconds
        }

        /// The moment this duration after `start`, adding years and months on the calendar (the day
        /// is clamped to the month's length) and the rest as seconds.
        public func added(to start: AbsoluteTime) -> AbsoluteTime {
            var shifted = start
            let totalMonths = start.month - 1 + self.months + self.years * 12
            shifted.year = start.year + (totalMonths >= 0 ? totalMonths / 12 : (totalMonths - 11) / 12)
            shifted.month = ((totalMonths % 12) + 12) % 12 + 1
            shifted.day = min(start.day, daysInMonth(year: shifted.year, month: shifted.month))
            let extra = Int64(self.days * 86_400 + self.hours * 3600 + self.minutes * 60 + self.seconds)
            return AbsoluteTime(
                secondsSince1970: shifted.secondsSince1970 + extra, tenths: start.tenths,
                utcOffsetQuarterHours: start.utcOffsetQuarterHours
            )
        }
    }

    /// Parses the 16-character form. Two-digit years below `centuryPivot` are 20YY, the others
    /// 19YY (Appendix C's rule is a pivot of 38). Returns `nil` for anything malformed: wrong
    /// length, non-digits, a field out of range, an offset above 48 quarter hours, a relative time
    /// with non-zero `t` or `nn`.
    public static func parse(_ text: some StringProtocol, centuryPivot: Int = 38) -> SMPPTime? {
        let bytes = Array(text.utf8)
        guard bytes.count == 16 else { return nil }
        var digits = [Int](repeating: 0, count: 15)
        for index in 0..<15 {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
            digits[index] = Int(bytes[index] - UInt8(ascii: "0"))
        }
        func pair(_ at: Int) -> Int { digits[at] * 10 + digits[at + 1] }
        let yy = pair(0), mm = pair(2), dd = pair(4), h = pair(6), m = pair(8), s = pair(10)
        let tenths = digits[12], nn = pair(13)
        switch bytes[15] {
        case UInt8(ascii: "R"):
            guard tenths == 0, nn == 0, h < 24, m < 60, s < 60 else { return nil }
            return .relative(RelativeTime(years: yy, months: mm, days: dd, hours: h, minutes: m, seconds: s))
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let year = yy < centuryPivot ? 2000 + yy : 1900 + yy
            guard (1...12).contains(mm), (1...daysInMonth(year: year, month: mm)).contains(dd), h < 24, m < 60,
                s < 60, nn <= 48
            else { return nil }
            let sign = bytes[15] == UInt8(ascii: "-") ? -1 : 1
            return .absolute(
                AbsoluteTime(
                    year: year, month: mm, day: dd, hour: h, minute: m, second: s, tenths: tenths,
                    utcOffsetQuarterHours: sign * nn
                )
            )
        default:
            return nil
        }
    }

    /// The 16-character wire form.
    public var smppString: String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value % 100)" }
        switch self {
        case .absolute(let t):
            let sign = t.utcOffsetQuarterHours < 0 ? "-" : "+"
            return two(t.year % 100) + two(t.month) + two(t.day) + two(t.hour) + two(t.minute) + two(t.second)
                + "\(t.tenths % 10)" + two(abs(t.utcOffsetQuarterHours)) + sign
        case .relative(let r):
            return two(r.years) + two(r.months) + two(r.days) + two(r.hours) + two(r.minutes) + two(r.seconds)
                + "000R"
        }
    }

    public var description: String { self.smppString }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
public func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
    let y = Int64(month <= 2 ? year - 1 : year)
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let m = Int64(month)
    let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
}

/// The inverse of `daysFromCivil`.
public func civilFromDays(_ days: Int64) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let day = Int(doy - (153 * mp + 2) / 5 + 1)
    let month = Int(mp < 10 ? mp + 3 : mp - 9)
    let year = Int(yoe + era * 400) + (month <= 2 ? 1 : 0)
    return (year, month, day)
}

/// Days in a month of the proleptic Gregorian calendar.
public func daysInMonth(year: Int, month: Int) -> Int {
    switch month {
    case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
}
