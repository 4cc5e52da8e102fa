@testable import GatewayCore
import Logging
import NIOCore
import SMPPCore
import ServiceLifecycle
import Synchronization
import Testing

/// A receiver that records what it gets and answers as told (or holds the answers back).
final class RecordingTarget: DeliveryTarget {
    let accountID: String
    let window: Int
    let received = Mutex<[Delivery]>([])
    let held = Mutex<[@Sendable () -> Void]>([])
    let hold: Bool
    let answer: Bool

    init(accountID: String = "a", window: Int = 10, hold: Bool = false, answer: Bool = true) {
        self.accountID = accountID
        self.window = window
        self.hold = hold
        self.answer = answer
    }

    func deliver(_ deliveries: [Delivery], completion: @escaping @Sendable (Delivery, Bool) -> Void) {
        for delivery in deliveries {
            self.received.withLock { $0.append(delivery) }
            if self.hold { self.held.withLock { $0.append { completion(delivery, true) } } } else { completion(delivery, self.answer) }
        }
    }

    var count: Int { self.received.withLock { $0.count } }

    func releaseAll() {
        for completion in self.held.withLock({ list in defer { list.removeAll() }; return list }) { completion() }
    }
}

func eventually(_ seconds: Double = 20, _ condition: () async -> Bool) async -> Bool {
    let end = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
    while ContinuousClock.now < end {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return await condition()
}

/// Runs a gateway over an in-memory store for the body, then shuts it down.
func withGateway(
    simulator: CarrierSimulator.Configuration = .standard, store: InMemoryMessageStore = InMemoryMessageStore(),
    _ body: (Gateway, Account, InMemoryMessageStore) async throws -> Void
) async throws {
    let account = Account(id: "a", systemID: "acme", password: PasswordHash(password: "pw", rounds: 1_000), numbers: ["ACME"])
    let gateway = Gateway(configuration: .init(node: 1, simulator: simulator), store: store, accounts: AccountRegistry([account]))
    let group = ServiceGroup(services: [gateway], logger: .init(label: "test"))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        try await body(gateway, account, store)
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

func fields(to destination: String = "447700900001", text: String = "hello", receipt: RegisteredDelivery = .receipt, schedule: SMPPTime? = nil)
    -> SubmitValidation.Fields
{
    SubmitValidation.Fields(
        SubmitSM(
            source: .init(ton: .alphanumeric, npi: .unknown, "ACME"), destination: .init(ton: .international, npi: .isdn, destination),
            scheduleDeliveryTime: schedule, registeredDelivery: receipt, shortMessage: ByteBuffer(string: text)))
}

func accept(_ gateway: Gateway, _ fields: SubmitValidation.Fields, _ account: Account) async -> Result<Message, Refused> {
    await withCheckedContinuation { continuation in
        gateway.accept(fields, account: account) { continuation.resume(returning: $0) }
    }
}

@Suite struct GatewayTests {
    @Test func anAccountChoosesWhereItsReportsGo() async throws {
        for reports in Account.ReportDestination.allCases {
            let account = Account(
                id: "a", systemID: "acme", password: PasswordHash(password: "pw", rounds: 1_000), webhookURL: "http://127.0.0.1/hook", reports: reports)
            let store = InMemoryMessageStore()
            let gateway = Gateway(configuration: .init(node: 1), store: store, accounts: AccountRegistry([account]))
            let group = ServiceGroup(services: [gateway], logger: .init(label: "test"))
            let running = Task { try await group.run() }
            _ = try await accept(gateway, fields(receipt: .receipt), account).get()
            #expect(await eventually { (try? await store.messages(MessageQuery(accountID: "a")).messages.first?.status) == .delivered })
            #expect(await eventually { store.owedDeliveries.count == (reports.smpp ? 1 : 0) && store.owedWebhooks.count == (reports.webhook ? 1 : 0) })
            await group.triggerGracefulShutdown()
            try await running.value
        }
    }

    @Test func aMessageArrivingAfterShutdownIsRefusedNotLeftUnanswered() async throws {
        let account = Account(id: "a", systemID: "acme", password: PasswordHash(password: "pw", rounds: 1_000))
        let store = InMemoryMessageStore()
        let gateway = Gateway(configuration: .init(node: 1), store: store, accounts: AccountRegistry([account]))
        let group = ServiceGroup(services: [gateway], logger: .init(label: "test"))
        let running = Task { try await group.run() }
        #expect(try await accept(gateway, fields(), account).get().status == .queued)
        #expect(gateway.isAcceptingMessages)
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(!gateway.isAcceptingMessages)
        #expect(await accept(gateway, fields(), account) == .failure(Refused(.messageQueueFull)))
        #expect(try await store.messages(MessageQuery(accountID: "a")).messages.count == 1)
    }

    @Test func acceptedMessagesAreStoredBeforeTheAnswerAndReceiptsCarryTheirID() async throws {
        try await withGateway { gateway, account, store in
            let target = RecordingTarget()
            gateway.attach(target)
            let message = try await accept(gateway, fields(), account).get()
            #expect(try await store.message(message.id) != nil)
            #expect(await eventually { target.count == 1 })
            let receipt = try #require(target.received.withLock { $0.first })
            #expect(receipt.messageID == message.id)
            #expect(receipt.deliverSM.tlvs.receiptedMessageID == message.id.description)
            #expect(receipt.deliverSM.tlvs.messageState == .delivered)
            #expect(receipt.deliverSM.esmClass.messageType == .smscDeliveryReceipt)
            let text = String(buffer: receipt.deliverSM.shortMessage)
            #expect(text.hasPrefix("id:\(message.id) sub:001 dlvrd:001 "))
            #expect(text.contains("stat:DELIVRD err:000 Text:hello"))
            // Any tolerant parser reads it back: our own, as a customer's would.
            let parsed = try #require(DeliveryReceipt.parse(text))
            #expect(parsed.id == message.id.description)
            #expect(parsed.state == .delivered)
            #expect(parsed.submitDate != nil && parsed.doneDate != nil)
            #expect(parsed.text == "hello")
            #expect(await eventually { store.owedDeliveries.isEmpty })
            #expect(try await store.message(message.id)?.status == .delivered)
        }
    }

    @Test func receiptTextIsPrintableASCIIWhateverTheAlphabet() async throws {
        try await withGateway { gateway, account, _ in
            let target = RecordingTarget()
            gateway.attach(target)
            var ucs2 = fields(text: "")
            ucs2.dataCoding = .ucs2
            ucs2.shortMessage = ByteBuffer(bytes: [0x04, 0x1F, 0x04, 0x40, 0x00, 0x21])  // "Пр!"
            _ = try await accept(gateway, ucs2, account).get()
            var gsm = fields(text: "")
            gsm.shortMessage = ByteBuffer(bytes: [0x00, 0x41, 0x02, 0x42])  // GSM "@A$B"
            _ = try await accept(gateway, gsm, account).get()
            #expect(await eventually { target.count == 2 })
            let texts = target.received.withLock { $0.map { String(buffer: $0.deliverSM.shortMessage) } }
            #expect(texts[0].hasSuffix("Text:??!"))
            #expect(texts[1].hasSuffix("Text:?A?B"))
        }
    }

    @Test func refusalsAreAnsweredWithoutStoring() async throws {
        try await withGateway { gateway, account, store in
            let result = await accept(gateway, fields(to: "not-a-number"), account)
            #expect(result == .failure(Refused(.invalidDestinationAddress)))
            let queued = try await store.queuedMessages(after: nil, limit: 10)
            #expect(queued.isEmpty)
        }
    }

    @Test func receiptsWaitForAReceiverAndNeverExceedItsWindow() async throws {
        try await withGateway { gateway, account, store in
            for index in 0..<25 { _ = try await accept(gateway, fields(to: "4477009\(1000 + index)"), account).get() }
            #expect(await eventually { store.owedDeliveries.count == 25 })
            let target = RecordingTarget(window: 10, hold: true)
            gateway.attach(target)
            #expect(await eventually { target.count == 10 })
            try await Task.sleep(for: .milliseconds(100))
            #expect(target.count == 10)  // the window is full: nothing more until answers come
            target.releaseAll()
            #expect(await eventually { target.count == 20 })
            target.releaseAll()
            #expect(await eventually { target.count == 25 })
            target.releaseAll()
            #expect(await eventually { store.owedDeliveries.isEmpty })
            gateway.detach(target)
        }
    }

    @Test func registeredDeliveryDecidesWhichReceiptsGo() async throws {
        let simulator = CarrierSimulator.Configuration(rules: [.init(destinationSuffix: "9", status: .undelivered, error: 11)])
        try await withGateway(simulator: simulator) { gateway, account, store in
            let target = RecordingTarget()
            gateway.attach(target)
            let failureOnly = RegisteredDelivery(receipt: .onFailure)
            let delivered = try await accept(gateway, fields(to: "447700900001", receipt: failureOnly), account).get()
            let failed = try await accept(gateway, fields(to: "447700900009", receipt: failureOnly), account).get()
            let none = try await accept(gateway, fields(to: "447700900019", receipt: .none), account).get()
            #expect(await eventually { target.count == 1 })
            try await Task.sleep(for: .milliseconds(100))
            let receipts = target.received.withLock { $0 }
            #expect(receipts.map(\.messageID) == [failed.id])
            #expect(receipts[0].deliverSM.tlvs.networkErrorCode?.errorCode == 11)
            #expect(String(buffer: receipts[0].deliverSM.shortMessage).contains("stat:UNDELIV err:011"))
            #expect(try await store.message(delivered.id)?.status == .delivered)
            #expect(try await store.message(none.id)?.status == .undelivered)
        }
    }

    @Test func intermediateNotificationComesBeforeTheFinalReceipt() async throws {
        try await withGateway { gateway, account, _ in
            let target = RecordingTarget()
            gateway.attach(target)
            let message = try await accept(gateway, fields(receipt: RegisteredDelivery(receipt: .onSuccessOrFailure, intermediateNotification: true)), account).get()
            #expect(await eventually { target.count == 2 })
            let receipts = target.received.withLock { $0 }
            #expect(receipts.map(\.deliverSM.esmClass.messageType) == [.intermediateDeliveryNotification, .smscDeliveryReceipt])
            #expect(receipts.map(\.deliverSM.tlvs.messageState) == [.enroute, .delivered])
            #expect(receipts.allSatisfy { $0.messageID == message.id })
        }
    }

    @Test func aKeywordGetsAnMOForTheAccountOwningTheNumber() async throws {
        try await withGateway { gateway, account, _ in
            let target = RecordingTarget()
            gateway.attach(target)
            _ = try await accept(gateway, fields(text: "PING", receipt: .none), account).get()
            #expect(await eventually { target.count == 1 })
            let mo = try #require(target.received.withLock { $0.first })
            #expect(mo.kind == .mo)
            #expect(mo.deliverSM.source.address == "447700900001")
            #expect(mo.deliverSM.destination.address == "ACME")
            #expect(String(buffer: mo.deliverSM.shortMessage) == "PONG")
        }
    }

    @Test func aReceiverThatRefusesGetsItAgainLater() async throws {
        try await withGateway { gateway, account, store in
            let refusing = RecordingTarget(answer: false)
            gateway.attach(refusing)
            _ = try await accept(gateway, fields(), account).get()
            #expect(await eventually { refusing.count >= 1 })
            gateway.detach(refusing)
            #expect(store.owedDeliveries.count == 1)
            let accepting = RecordingTarget()
            gateway.attach(accepting)
            #expect(await eventually { accepting.count == 1 })
            #expect(await eventually { store.owedDeliveries.isEmpty })
        }
    }

    @Test func scheduledMessagesCanBeCancelledAndReplacedUntilTheyGo() async throws {
        try await withGateway { gateway, account, store in
            let later = SMPPTime.relative(.init(hours: 1))
            let message = try await accept(gateway, fields(schedule: later), account).get()
            #expect(message.scheduledAt != nil)
            let replace = ReplaceSM(messageID: message.id.description, source: message.source, registeredDelivery: .receipt, shortMessage: ByteBuffer(string: "changed"))
            #expect(try await gateway.requests.replace(message.id, accountID: account.id, with: replace) == .ok)
            #expect(try await store.message(message.id)?.payload == Array("changed".utf8))
            #expect(try await store.message(message.id)?.scheduledAt == message.scheduledAt)
            #expect(try await gateway.requests.cancel(message.id, accountID: "someone-else") == .notFound)
            #expect(try await gateway.requests.cancel(message.id, accountID: account.id) == .cancelled)
            #expect(try await store.message(message.id)?.status == .deleted)
            #expect(try await gateway.requests.cancel(message.id, accountID: account.id) == .tooLate)
            #expect(try await gateway.requests.replace(message.id, accountID: account.id, with: replace) == .replaceFailed)
        }
    }

    @Test func messagesStoredBeforeARestartAreDispatched() async throws {
        let store = InMemoryMessageStore()
        let old = Message(
            id: MessageIDGenerator(node: 9, clock: { wallClockMilliseconds() - 5_000 }).next(), accountID: "a", source: .init(ton: .alphanumeric, npi: .unknown, "ACME"),
            destination: .init(ton: .international, npi: .isdn, "447700900001"), registeredDelivery: .receipt, payload: Array("hi".utf8),
            submittedAt: wallClockMilliseconds() - 1000, expiresAt: wallClockMilliseconds() + 3_600_000)
        try await store.insert([old])
        try await withGateway(store: store) { gateway, _, store in
            let target = RecordingTarget()
            gateway.attach(target)
            #expect(await eventually { target.count == 1 })
            #expect(target.received.withLock { $0.first?.messageID } == old.id)
            let status = try await store.message(old.id)?.status
            #expect(status == .delivered)
        }
    }
}
