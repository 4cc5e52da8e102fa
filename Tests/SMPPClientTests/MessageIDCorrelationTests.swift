@testable import SMPPClient
import Testing

@Suite("Receipt ↔ submit correlation by message id")
struct MessageIDCorrelationTests {
    @Test("hex vs decimal, leading zeros and case all match under .automatic", arguments: [
        ("00B8BE19", "12107289"),  // jasmin#1129: hex in submit_sm_resp, decimal in the receipt
        ("12107289", "b8be19"),
        ("0000000123", "123"),
        ("1A2B3C4D5E6F", "1a2b3c4d5e6f"),
        ("3f2504e0-4f89-11d3-9a0c-0305e82c3301", "3F2504E0-4F89-11D3-9A0C-0305E82C3301"),
    ])
    func automatic(submitted: String, receipted: String) {
        var correlator = MessageIDCorrelator<String>()
        correlator.record(submitted, "msg")
        #expect(correlator.match(receipted) == "msg")
        #expect(correlator.match(receipted) == nil)  // matched once
    }

    @Test("a carrier writing digits only: 10 and 16 are two messages, never one read in another base")
    func digitsOnly() {
        var correlator = MessageIDCorrelator<String>()
        correlator.record("10", "a")
        correlator.record("16", "b")
        #expect(correlator.match("16") == "b")
        #expect(correlator.match("16") == nil)  // a duplicate receipt for 16 is not 0x10's
        #expect(correlator.match("10") == "a")
        // A receipt that overtakes its submit_sm_resp does not take another message's place.
        var matcher = ReceiptMatcher<String, String>()
        #expect(matcher.received("12", "receipt of 12") == nil)  // held: 12 not submitted yet
        #expect(matcher.submitted("18", "submit 18") == nil)  // 0x12 is 18, but 18 is its own message
        #expect(matcher.submitted("12", "submit 12") == "receipt of 12")
        #expect(matcher.received("18", "receipt of 18") == "submit 18")
    }

    @Test("an exact spelling wins over another base's once the carrier has shown hex ids")
    func exactFirst() {
        var correlator = MessageIDCorrelator<String>()
        correlator.record("1a", "hex")
        correlator.record("10", "a")
        correlator.record("16", "b")
        #expect(correlator.match("16") == "b")
        #expect(correlator.match("16") == "a")  // 16 decimal is 0x10: the remaining submit
        #expect(correlator.match("26") == "hex")  // 26 is 0x1a
        #expect(correlator.count == 0)
        // Unrelated ids never match (receipt 10 vs submit 22: 10≠22, 10≠0x22).
        correlator.record("22", "c")
        #expect(correlator.match("10") == nil)
    }

    @Test("once a receipt id with hex letters matched as given, the other base is never tried again")
    func receiptsAsGivenAreLearned() {
        var correlator = MessageIDCorrelator<String>()
        correlator.record("1a", "x")
        #expect(correlator.match("1a") == "x")  // a hex receipt, as given: the carrier writes ids as it answers
        #expect(correlator.receiptsAsGiven)
        // The receipt for 0x26 overtakes the recording of its own submit; 0x1a (= 26 decimal) is
        // another message. Read in the other base it would take 0x1a's place and be lost.
        correlator.record("1a", "another")
        #expect(correlator.match("26") == nil)
        #expect(correlator.spellings("26") == ["26"])
        correlator.record("26", "its own")
        #expect(correlator.match("26") == "its own")
        #expect(correlator.match("1a") == "another")
        // A carrier writing decimal receipts never sends hex letters in them: nothing is learned.
        var decimal = MessageIDCorrelator<String>()
        decimal.record("b8be19", "m")
        #expect(decimal.match("12107289") == "m")
        #expect(!decimal.receiptsAsGiven)
    }

    @Test("the forms: exact compares verbatim, normalized ignores case and zeros only")
    func forms() {
        var exact = MessageIDCorrelator<Int>(form: .exact)
        exact.record("00AB", 1)
        #expect(exact.match("ab") == nil)
        #expect(exact.match("00AB") == 1)
        var normalized = MessageIDCorrelator<Int>(form: .normalized)
        normalized.record("00AB", 1)
        #expect(normalized.match("171") == nil)
        #expect(normalized.match("ab") == 1)
        #expect(messageIDSpellings("000", form: .normalized) == ["0"])
        #expect(messageIDSpellings("255", form: .automatic) == ["255", "597", "ff"])
        #expect(MessageIDCorrelator<Int>().spellings("255") == ["255"])
        #expect(MessageIDCorrelator<Int>().spellings("0FF") == ["ff", "255"])
    }

    @Test("normalised ids: no leading zeros, lower case, otherwise the same string", arguments: [
        ("", ""), ("0", "0"), ("000", "0"), ("00AB", "ab"), ("ab", "ab"), ("AB", "ab"), ("0aB", "ab"), ("12107289", "12107289"),
        ("0012107289", "12107289"), ("3F2504E0-4F89", "3f2504e0-4f89"), ("msg-ID-7", "msg-id-7"),
    ])
    func normalized(id: String, expected: String) {
        #expect(normalizedMessageID(id) == expected)
    }

    @Test("the order of submits stays bounded while receipts keep matching them")
    func orderCompacts() {
        var correlator = MessageIDCorrelator<Int>(capacity: 1_000_000)
        for index in 0..<200_000 {
            correlator.record(String(index, radix: 16), index)
            #expect(correlator.match(String(index, radix: 16)) == index)
        }
        #expect(correlator.count == 0 && correlator.evicted == 0)
        #expect(correlator.order.count <= 4_096 + 1)
    }

    @Test("bounded: the oldest submits are dropped and counted")
    func bounded() {
        var correlator = MessageIDCorrelator<Int>(capacity: 3)
        for index in 0..<5000 { correlator.record("id\(index)", index) }
        #expect(correlator.count == 3)
        #expect(correlator.evicted == 4997)
        #expect(correlator.match("id4999") == 4999)
        #expect(correlator.match("id0") == nil)
    }
}
