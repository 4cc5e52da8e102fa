import NIOCore
public import SMPPCore

/// Where a message came in.
public enum Ingress: String, Sendable, Hashable, Codable {
    case smpp
    case http
}

/// One accepted message, whatever way it came in (DESIGN.md rule 4): the record the store keeps,
/// dispatch sends on, and receipts and the HTTP API read.
public struct Message: Sendable, Hashable {
    public var id: MessageID
    public var accountID: String
    public var ingress: Ingress
    public var serviceType: String
    public var source: SMPPAddress
    public var destination: SMPPAddress
    public var esmClass: ESMClass
    public var protocolID: UInt8
    public var priority: UInt8
    public var registeredDelivery: RegisteredDelivery
    public var dataCoding: DataCoding
    /// The message octets as the customer gave them (short_message or message_payload, UDH included).
    public var payload: [UInt8]
    /// The submit's TLVs other than message_payload, kept for the carrier (DLT ids, ports…).
    public var tlvs: TLVList
    /// Segments billed and sent.
    public var segments: Int
    public var status: MessageStatus
    /// A carrier or gateway error code (the receipt's `err:`); 0 none.
    public var errorCode: Int
    /// Milliseconds since 1970.
    public var submittedAt: Int64
    public var doneAt: Int64?
    /// Not to be sent before this time (schedule_delivery_time).
    public var scheduledAt: Int64?
    /// Not to be delivered after this time (validity_period).
    public var expiresAt: Int64?
    /// The customer's own reference (HTTP client_ref, or empty).
    public var clientReference: String?
    /// Where this message's status changes are POSTed (HTTP `callback_url`); else the account's.
    public var callbackURL: String?
    /// What it costs (segments × the account's rate), in minor units, decided when accepted.
    public var price: Int64

    public init(
        id: MessageID, accountID: String, ingress: Ingress = .smpp, serviceType: String = "", source: SMPPAddress,
        destination: SMPPAddress, esmClass: ESMClass = ESMClass(), protocolID: UInt8 = 0, priority: UInt8 = 0,
        registeredDelivery: RegisteredDelivery = .none, dataCoding: DataCoding = .smscDefault, payload: [UInt8],
        tlvs: TLVList = [], segments: Int = 1, status: MessageStatus = .queued, errorCode: Int = 0, submittedAt: Int64,
        doneAt: Int64? = nil, scheduledAt: Int64? = nil, expiresAt: Int64? = nil, clientReference: String? = nil,
        callbackURL: String? = nil, price: Int64 = 0
    ) {
        self.price = price
        self.callbackURL = callbackURL
        self.id = id
        self.accountID = accountID
        self.ingress = ingress
        self.serviceType = serviceType
        self.source = source
        self.destination = destination
        self.esmClass = esmClass
        self.protocolID = protocolID
        self.priority = priority
        self.registeredDelivery = registeredDelivery
        self.dataCoding = dataCoding
        self.payload = payload
        self.tlvs = tlvs
        self.segments = segments
        self.status = status
        self.errorCode = errorCode
        self.submittedAt = submittedAt
        self.doneAt = doneAt
        self.scheduledAt = scheduledAt
        self.expiresAt = expiresAt
        self.clientReference = clientReference
    }

    /// The text, where the data_coding is a text alphabet (for receipts' `Text:` and MO rules).
    public var text: String? {
        SMSText.decode(ByteBuffer(bytes: self.textOctets), dataCoding: self.dataCoding)
    }

    /// The message octets after the user data header, if there is one.
    var textOctets: ArraySlice<UInt8> {
        let octets = self.payload[...]
        guard self.esmClass.udhi, let length = octets.first, Int(length) + 1 <= octets.count else { return octets }
        return octets.dropFirst(Int(length) + 1)
    }
}

extension Message {
    /// The first characters of the text (a receipt's `Text:`), decoding no more than needed.
    public func textPrefix(_ characters: Int) -> String? {
        var octets = self.textOctets
        let perCharacter = self.dataCoding.alphabet == .ucs2 ? 4 : 2  // room for surrogates and GSM escapes
        octets = octets.prefix(characters * perCharacter)
        if self.dataCoding.alphabet == .ucs2, octets.count % 2 == 1 { octets = octets.dropLast() }
        return SMSText.decode(ByteBuffer(bytes: octets), dataCoding: self.dataCoding).map { String($0.prefix(characters)) }
    }
}

extension Message {
    /// Writes the first characters of the text for a receipt's `Text:`, in printable ASCII
    /// (anything else becomes `?`). GSM 03.38, IA5 and Latin-1 letters and digits are ASCII
    /// already, so those are copied without decoding; other alphabets are decoded first.
    func writeTextPrefix(_ characters: Int, into buffer: inout ByteBuffer) {
        let octets = self.textOctets
        switch self.dataCoding.rawValue {
        case 0x00, 0x01, 0x03:
            for octet in octets.prefix(characters) {
                // GSM 03.38 differs from ASCII at 0x00 (@), 0x02 ($) and 0x11 (_) and has no control
                // characters; printable ASCII outside those is the same character.
                buffer.writeInteger((0x20...0x7E).contains(octet) && octet != 0x40 && octet != 0x24 ? octet : UInt8(ascii: "?"))
            }
        default:
            let text = self.textPrefix(characters) ?? ""
            for scalar in text.unicodeScalars.prefix(characters) {
                buffer.writeInteger((0x20...0x7E).contains(scalar.value) ? UInt8(scalar.value) : UInt8(ascii: "?"))
            }
        }
    }
}

extension TLVList {
    /// The TLVs as wire octets (tag, length, value each), for storage.
    public var storedOctets: [UInt8] {
        var bytes: [UInt8] = []
        for tlv in self {
            var value = tlv.value
            let count = value.readableBytes
            bytes.append(contentsOf: [UInt8(tlv.tag.rawValue >> 8), UInt8(tlv.tag.rawValue & 0xFF), UInt8(count >> 8), UInt8(count & 0xFF)])
            bytes.append(contentsOf: value.readBytes(length: count) ?? [])
        }
        return bytes
    }

    /// Reads `storedOctets` back; stops at the first incomplete TLV.
    public init(storedOctets bytes: [UInt8]) {
        var list = TLVList()
        var index = 0
        while index + 4 <= bytes.count {
            let tag = UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
            let count = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            guard index + 4 + count <= bytes.count else { break }
            list.append(TLV(tag: TLVTag(tag), value: ByteBuffer(bytes: bytes[(index + 4)..<(index + 4 + count)])))
            index += 4 + count
        }
        self = list
    }
}

extension Message {
    /// The encoding's name in the HTTP API: `gsm7`, `ucs2`, `latin1`, `ascii` or `binary`.
    public var encodingName: String {
        switch self.dataCoding.alphabet {
        case .gsm7: "gsm7"
        case .ascii: "ascii"
        case .latin1: "latin1"
        case .ucs2: "ucs2"
        // Opaque octets, or a data_coding with no alphabet of its own.
        case .binary, nil: "binary"
        }
    }

    /// The sender or recipient as the API shows it: international numbers with a `+`.
    static func display(_ address: SMPPAddress) -> String {
        address.ton == .international && !address.address.hasPrefix("+") ? "+" + address.address : address.address
    }

    /// The message as the HTTP API and webhooks show it (one representation everywhere).
    public func writeJSON(into json: inout JSONWriter) {
        json.beginObject()
        json.key("id")
        json.string(self.id.description)
        json.key("status")
        json.string(self.status.rawValue)
        json.key("to")
        json.string(Self.display(self.destination))
        json.key("from")
        json.string(Self.display(self.source))
        json.key("body")
        json.string(self.dataCoding.alphabet == .binary ? nil : self.text)
        json.key("encoding")
        json.string(self.encodingName)
        json.key("segments")
        json.int(self.segments)
        json.key("price")
        json.int(self.price)
        json.key("ingress")
        json.string(self.ingress.rawValue)
        json.key("error_code")
        json.int(self.errorCode == 0 ? nil : Int64(self.errorCode))
        json.key("client_ref")
        json.string(self.clientReference)
        json.key("callback_url")
        json.string(self.callbackURL)
        if let entity = self.tlvs.dltPrincipalEntityID {
            json.key("dlt")
            json.beginObject()
            json.key("entity_id")
            json.string(entity)
            json.key("template_id")
            json.string(self.tlvs.dltContentTemplateID)
            json.endObject()
        }
        json.key("created_at")
        json.timestamp(self.submittedAt)
        json.key("scheduled_at")
        json.timestamp(self.scheduledAt)
        json.key("expires_at")
        json.timestamp(self.expiresAt)
        json.key("done_at")
        json.timestamp(self.doneAt)
        json.endObject()
    }
}
