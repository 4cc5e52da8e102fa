import SMPPCore
import SMPPSession
import Testing

@Suite("Window of outstanding requests")
struct SessionWindowTests {
    @Test("responses complete their requests in any order; the window refuses past capacity")
    func outOfOrder() {
        var window = SessionWindow<Int, String>(capacity: 3)
        let a = window.add(.submitSM, deadline: 10, context: "a")
        let b = window.add(.submitSM, deadline: 11, context: "b")
        let c = window.add(.querySM, deadline: 12, context: "c")
        #expect([a, b, c] == [1, 2, 3])
        #expect(window.isFull)
        #expect(window.add(.submitSM, deadline: 13, context: "d") == nil)
        guard case .matched(let second) = window.complete(.submitSMResp, sequenceNumber: 2) else {
            Issue.record("not matched")
            return
        }
        #expect(second.context == "b")
        guard case .matched(let third) = window.complete(.genericNack, sequenceNumber: 3) else {
            Issue.record("generic_nack answers any request")
            return
        }
        #expect(third.context == "c")
        #expect(window.count == 1 && !window.isFull)
    }

    @Test("unknown and mismatched responses are reported, and a mismatch frees the slot")
    func strayResponses() {
        var window = SessionWindow<Int, Int>(capacity: 2)
        let sequence = window.add(.submitSM, deadline: 5, context: 0)!
        guard case .unknownSequenceNumber = window.complete(.submitSMResp, sequenceNumber: 99) else {
            Issue.record("expected unknown")
            return
        }
        guard case .mismatched(let entry) = window.complete(.deliverSMResp, sequenceNumber: sequence) else {
            Issue.record("expected mismatch")
            return
        }
        #expect(entry.commandID == .submitSM)
        #expect(window.isEmpty)
        guard case .unknownSequenceNumber = window.complete(.submitSMResp, sequenceNumber: sequence) else {
            Issue.record("a completed request cannot complete twice")
            return
        }
    }

    @Test("sequence numbers wrap at 0x7FFFFFFF to 1 and skip numbers still pending")
    func wrapping() {
        var window = SessionWindow<Int, Void>(capacity: 10, firstSequenceNumber: 0x7FFF_FFFE)
        let first = window.add(.enquireLink, deadline: 0, context: ())
        let second = window.add(.enquireLink, deadline: 0, context: ())
        let third = window.add(.enquireLink, deadline: 0, context: ())
        #expect([first, second, third] == [0x7FFF_FFFE, 0x7FFF_FFFF, 1])

        // A request still pending when the numbers come round again is skipped.
        var lapped = SessionWindow<Int, Void>(capacity: 2, firstSequenceNumber: 0x7FFF_FFFF)
        #expect(lapped.add(.submitSM, deadline: 0, context: ()) == 0x7FFF_FFFF)
        #expect(lapped.nextUnrecordedSequenceNumber() == 1)
        #expect(lapped.add(.submitSM, deadline: 0, context: ()) == 2)
        _ = lapped.complete(.submitSMResp, sequenceNumber: 2)
        // Next is 3; after a full lap 0x7FFFFFFF is still pending and is skipped.
        #expect(lapped.add(.submitSM, deadline: 0, context: ()) == 3)
    }

    @Test("one timer: the earliest deadline; expiry takes out exactly the late requests")
    func deadlines() {
        var window = SessionWindow<Int, String>(capacity: 10)
        #expect(window.earliestDeadline == nil)
        _ = window.add(.submitSM, deadline: 30, context: "slow")
        _ = window.add(.bindTransceiver, deadline: 10, context: "bind")
        _ = window.add(.submitSM, deadline: 20, context: "mid")
        #expect(window.earliestDeadline == 10)
        #expect(window.expire(now: 9).isEmpty)
        #expect(window.expire(now: 20).map(\.entry.context) == ["bind", "mid"])
        #expect(window.earliestDeadline == 30)
        #expect(window.removeAll().map(\.sequenceNumber) == [1])
        #expect(window.isEmpty && window.earliestDeadline == nil)
    }
}
