public import GatewayCore
import NIOCore
import SMPPCore
public import Testing

/// One behaviour a storage role promises, checked on a fresh, empty store. Every backend runs
/// every check (`StoreConformance.checks`) from its own tests:
///
///     @Test(arguments: StoreConformance.checks)
///     func conforms(_ check: StoreCheck) async throws { try await check.run(on: makeFreshStore()) }
///
/// A check records failures with `#expect`, so it must run inside a test.
public struct StoreCheck: Sendable, CustomTestStringConvertible {
    /// The role (`AccountStore`, `MessageLog`, `Outbox`…).
    public let role: String
    public let name: String
    let body: @Sendable (any MessageStore) async throws -> Void

    init(_ role: String, _ name: String, _ body: @escaping @Sendable (any MessageStore) async throws -> Void) {
        self.role = role
        self.name = name
        self.body = body
    }

    public var testDescription: String { "\(self.role): \(self.name)" }

    public func run(on store: any MessageStore) async throws { try await self.body(store) }
}

/// The conformance suites of the storage roles, written once for every backend.
public enum StoreConformance {
    public static var checks: [StoreCheck] {
        AccountStoreChecks.all + SettingsStoreChecks.all + MessageLogChecks.all + IdempotencyStoreChecks.all + APIKeyStoreChecks.all
            + OutboxChecks.all
    }
}

// MARK: samples

/// A message with every field set (ids are raw values; account "a" unless told).
public func sampleMessage(_ id: UInt64, account: String = "a", status: MessageStatus = .queued) -> Message {
    var tlvs = TLVList()
    tlvs.append(TLV(tag: TLVTag(0x1400), value: ByteBuffer(string: "1101234567890123456")))
    tlvs.userMessageReference = 7
    return Message(
        id: MessageID(rawValue: id), accountID: account, ingress: .smpp, serviceType: "CMT",
        source: .init(ton: .alphanumeric, npi: .unknown, "ACME"), destination: .init(ton: .international, npi: .isdn, "919812345678"),
        esmClass: ESMClass(udhi: true), protocolID: 0, priority: 1, registeredDelivery: .receipt, dataCoding: .ucs2,
        payload: [0x05, 0x00, 0x03, 0x2A, 0x02, 0x01, 0x00, 0x41], tlvs: tlvs, segments: 1, status: status, submittedAt: 1_800_000_000_000,
        scheduledAt: nil, expiresAt: 1_800_000_100_000, clientReference: "ref-1")
}

/// A delivery receipt owed to `account` for message `id`.
public func sampleReceipt(for id: UInt64, account: String = "a", expiresAt: Int64 = 1_900_000_000_000) -> Delivery {
    var pdu = DeliverSM(
        source: .init(ton: .international, npi: .isdn, "919812345678"), destination: .init(ton: .alphanumeric, npi: .unknown, "ACME"),
        esmClass: ESMClass(type: .smscDeliveryReceipt), shortMessage: ByteBuffer(string: "id:\(MessageID(rawValue: id)) stat:DELIVRD"))
    pdu.tlvs.receiptedMessageID = MessageID(rawValue: id).description
    pdu.tlvs.messageState = .delivered
    return Delivery(accountID: account, kind: .receipt, messageID: MessageID(rawValue: id), deliverSM: pdu, createdAt: 1, expiresAt: expiresAt)
}

func sampleWebhook(account: String = "a", at: Int64 = 1_000, expiresAt: Int64 = 1_000_000) -> Webhook {
    Webhook(accountID: account, kind: .status, url: "https://hooks.example/\(account)", body: Array(#"{"n":1}"#.utf8), createdAt: at, expiresAt: expiresAt)
}

func sampleAccount(_ id: String, numbers: [String] = []) -> Account {
    Account(
        id: id, systemID: id, password: PasswordHash(password: "s3cret!", rounds: 1_000), allowedBinds: [.transmitter], maxBinds: 3,
        messagesPerSecond: 50, window: 20, numbers: numbers, createdAt: 42)
}
