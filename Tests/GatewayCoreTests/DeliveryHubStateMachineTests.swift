@testable import GatewayCore
import NIOCore
import SMPPCore
import Testing

/// Scripts of events → actions for the delivery hub's rules (no store, no sockets, no clock).
@Suite struct DeliveryHubStateMachineTests {
    typealias Machine = DeliveryHubStateMachine
    final class Receiver {}

    let receivers = (Receiver(), Receiver())
    var one: ObjectIdentifier { ObjectIdentifier(self.receivers.0) }
    var two: ObjectIdentifier { ObjectIdentifier(self.receivers.1) }

    func delivery(_ sequence: Int64, account: String = "a") -> Delivery {
        Delivery(
            sequence: sequence, accountID: account, kind: .mo, messageID: nil,
            deliverSM: DeliverSM(source: .init("1"), destination: .init("2"), shortMessage: ByteBuffer(string: "\(sequence)")), createdAt: 0,
            expiresAt: .max)
    }

    func deliveries(_ range: ClosedRange<Int64>, account: String = "a") -> [Delivery] { range.map { self.delivery($0, account: account) } }

    @Test func aReceiverGetsWhatIsOwedFromTheStoreAndAcknowledgementsLeaveIt() {
        var machine = Machine()
        #expect(machine.attach(self.one, account: "a", window: 10) == [.load(account: "a", after: 0, limit: 5_000)])
        #expect(machine.loaded(account: "a", self.deliveries(1...3)) == [.send(self.deliveries(1...3), to: self.one)])
        #expect(machine.completed(self.delivery(1), target: self.one, ok: true, now: 0) == [.acknowledged(self.delivery(1))])
        // Stored later: straight out (the load read everything there was).
        #expect(machine.enqueue([self.delivery(4)]) == [.send([self.delivery(4)], to: self.one)])
        // A delivery for an account with no receiver stays in the store only.
        #expect(machine.enqueue([self.delivery(5, account: "b")]).isEmpty)
    }

    @Test func noReceiverGetsMoreThanItsWindow() {
        var machine = Machine()
        _ = machine.attach(self.one, account: "a", window: 2)
        #expect(machine.loaded(account: "a", self.deliveries(1...5)) == [.send(self.deliveries(1...2), to: self.one)])
        #expect(machine.enqueue([self.delivery(6)]).isEmpty)  // the window is full
        #expect(machine.completed(self.delivery(1), target: self.one, ok: true, now: 0) == [
            .acknowledged(self.delivery(1)), .send([self.delivery(3)], to: self.one),
        ])
    }

    @Test func receiversOfOneAccountTakeTurns() {
        var machine = Machine()
        _ = machine.attach(self.one, account: "a", window: 10)
        #expect(machine.loaded(account: "a", []).isEmpty)
        #expect(machine.attach(self.two, account: "a", window: 10).isEmpty)  // nothing left in the store
        #expect(machine.enqueue(self.deliveries(1...4)) == [
            .send([self.delivery(1), self.delivery(3)], to: self.one), .send([self.delivery(2), self.delivery(4)], to: self.two),
        ])
    }

    @Test func aRefusedDeliveryIsTriedAgainAfterTheDelay() {
        var machine = Machine(retryDelayMilliseconds: 2_000)
        _ = machine.attach(self.one, account: "a", window: 10)
        _ = machine.loaded(account: "a", [self.delivery(1)])
        #expect(machine.completed(self.delivery(1), target: self.one, ok: false, now: 1_000).isEmpty)
        #expect(machine.sweep(now: 2_999).isEmpty)
        var again = self.delivery(1)
        again.attempts = 1
        #expect(machine.sweep(now: 3_000) == [.send([again], to: self.one)])
    }

    @Test func deliveriesStoredWhileALoadReadsFollowItOnce() {
        var machine = Machine()
        _ = machine.attach(self.one, account: "a", window: 10)  // a load is under way
        #expect(machine.enqueue(self.deliveries(3...4)).isEmpty)  // held until the load is in
        // The load saw 3 but not 4: each goes out once, in order.
        #expect(machine.loaded(account: "a", self.deliveries(1...3)) == [.send(self.deliveries(1...4), to: self.one)])
    }

    @Test func memoryHoldsABoundedPartAndRefillsFromTheStore() {
        var machine = Machine(capacity: 4, pageSize: 2)
        _ = machine.attach(self.one, account: "a", window: 1)
        // A full page: more may be stored; the next load comes once memory runs low.
        #expect(machine.loaded(account: "a", self.deliveries(1...2)) == [
            .send([self.delivery(1)], to: self.one), .load(account: "a", after: 2, limit: 2),
        ])
        #expect(machine.enqueue(self.deliveries(5...9)).isEmpty)  // arrivals while loading: 4 kept, the rest overflow
        // The page was full, and arrivals overflowed: the store is read again rather than trusted to memory.
        #expect(machine.loaded(account: "a", self.deliveries(3...4)).isEmpty)
        #expect(machine.queues["a"]?.pending.map(\.sequence) == [2, 3, 4])
        #expect(machine.queues["a"]?.incomplete == true)
        #expect(machine.completed(self.delivery(1), target: self.one, ok: true, now: 0) == [
            .acknowledged(self.delivery(1)), .send([self.delivery(2)], to: self.one),
        ])
        #expect(machine.sweep(now: 0).isEmpty)  // still 2 pending: not below half the capacity
        // Below half: the next page is asked for as soon as one more goes out.
        #expect(machine.completed(self.delivery(2), target: self.one, ok: true, now: 0) == [
            .acknowledged(self.delivery(2)), .send([self.delivery(3)], to: self.one), .load(account: "a", after: 4, limit: 2),
        ])
    }

    @Test func whenTheLastReceiverGoesTheStoreKeepsWhatIsOwed() {
        var machine = Machine()
        _ = machine.attach(self.one, account: "a", window: 1)
        _ = machine.loaded(account: "a", self.deliveries(1...3))
        #expect(machine.detach(self.one, account: "a").isEmpty)
        #expect(machine.queues["a"]?.pending.isEmpty == true)
        // What was in flight is not retried (nobody to send to; the store still has it).
        #expect(machine.completed(self.delivery(1), target: self.one, ok: false, now: 0).isEmpty)
        #expect(machine.sweep(now: .max).isEmpty)
        // A new receiver starts from the store again.
        #expect(machine.attach(self.two, account: "a", window: 10) == [.load(account: "a", after: 0, limit: 5_000)])
    }

    @Test func aFailedLoadIsTriedAgainByTheSweep() {
        var machine = Machine()
        _ = machine.attach(self.one, account: "a", window: 10)
        #expect(machine.loaded(account: "a", nil).isEmpty)
        #expect(machine.sweep(now: 0) == [.load(account: "a", after: 0, limit: 5_000)])
        #expect(machine.sweep(now: 0).isEmpty)  // one load at a time
    }
}
