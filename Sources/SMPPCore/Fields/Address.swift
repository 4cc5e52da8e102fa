/// Type of Number of an address (SMPP v3.4 §5.2.5).
public struct TypeOfNumber: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let unknown = TypeOfNumber(rawValue: 0)
    public static let international = TypeOfNumber(rawValue: 1)
    public static let national = TypeOfNumber(rawValue: 2)
    public static let networkSpecific = TypeOfNumber(rawValue: 3)
    public static let subscriberNumber = TypeOfNumber(rawValue: 4)
    /// Alphanumeric sender ids such as `MYBANK`.
    public static let alphanumeric = TypeOfNumber(rawValue: 5)
    public static let abbreviated = TypeOfNumber(rawValue: 6)

    public var description: String { "ton=\(self.rawValue)" }
}

/// Numbering Plan Indicator of an address (SMPP v3.4 §5.2.6).
public struct NumberingPlan: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let unknown = NumberingPlan(rawValue: 0)
    /// ISDN (E.163/E.164): ordinary phone numbers.
    public static let isdn = NumberingPlan(rawValue: 1)
    public static let data = NumberingPlan(rawValue: 3)
    public static let telex = NumberingPlan(rawValue: 4)
    public static let landMobile = NumberingPlan(rawValue: 6)
    public static let national = NumberingPlan(rawValue: 8)
    public static let privatePlan = NumberingPlan(rawValue: 9)
    public static let ermes = NumberingPlan(rawValue: 10)
    public static let internet = NumberingPlan(rawValue: 14)
    public static let wapClientID = NumberingPlan(rawValue: 18)

    public var description: String { "npi=\(self.rawValue)" }
}

/// An SME address: TON, NPI and the address digits or alphanumeric id (SMPP v3.4 §5.2.5–5.2.9).
public struct SMPPAddress: Hashable, Sendable, CustomStringConvertible {
    public var ton: TypeOfNumber
    public var npi: NumberingPlan
    public var address: String

    @inlinable
    public init(ton: TypeOfNumber = .unknown, npi: NumberingPlan = .unknown, _ address: String = "") {
        self.ton = ton
        self.npi = npi
        self.address = address
    }

    /// An international E.164 number (TON 1, NPI 1), the usual destination.
    @inlinable
    public static func international(_ number: String) -> SMPPAddress {
        SMPPAddress(ton: .international, npi: .isdn, number)
    }

    /// An alphanumeric sender id (TON 5, NPI 0).
    @inlinable
    public static func alphanumeric(_ id: String) -> SMPPAddress {
        SMPPAddress(ton: .alphanumeric, npi: .unknown, id)
    }

    public var description: String { "\(self.address)(\(self.ton.rawValue)/\(self.npi.rawValue))" }
}

