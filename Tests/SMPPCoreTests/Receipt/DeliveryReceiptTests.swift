import SMPPCore
import Testing

@Suite("Delivery receipts")
struct DeliveryReceiptTests {
    static let vectors = Vectors.load("delivery_receipts.json")

    @Test("each receipt vector parses to its fields and normalised values", arguments: vectors)
    func parse(vector: Vector) throws {
        try requireLoaded(vector)
        let receipt = try #require(DeliveryReceipt.parse(vector.json["text"]!.string!))
        let fields = vector.json["fields"]!
        let normalized = vector.json["normalized"]!
        #expect(receipt.id == fields["id"]?.string)
        #expect(receipt.stat == fields["stat"]?.string)
        #expect(receipt.error == fields["err"]?.string)
        #expect(receipt.text == fields["text"]?.string)
        #expect(receipt.submitted == normalized["sub"]?.int)
        #expect(receipt.delivered == normalized["dlvrd"]?.int)
        #expect(receipt.submitDate?.smppString == fields["submit date"]?.string)
        #expect(receipt.doneDate?.smppString == fields["done date"]?.string)
        #expect(receipt.submitDate?.iso8601 == normalized["submit_date"]?.string)
        #expect(receipt.doneDate?.iso8601 == normalized["done_date"]?.string)
        #expect(receipt.extra.isEmpty == (normalized["extra"] == nil))
        #expect(receipt.state != nil)
    }

    @Test("formatting gives the Appendix B layout and parses back")
    func format() throws {
        let vector = try #require(Self.vectors.first { $0.name == "appendix_b_delivered" })
        let receipt = DeliveryReceipt(
            id: "0123456789", state: .delivered, submitDate: ReceiptDate("2512241030"), doneDate: ReceiptDate("2512241031"),
            text: "Hello World")
        #expect(receipt.formatted == vector.json["text"]!.string!)
        #expect(DeliveryReceipt.parse(receipt.formatted) == receipt)
        let failed = DeliveryReceipt(id: "abc", state: .undeliverable, submitDate: nil, doneDate: nil, error: "006", text: String(repeating: "x", count: 40))
        #expect(failed.formatted == "id:abc sub:001 dlvrd:000 stat:UNDELIV err:006 Text:" + String(repeating: "x", count: 20))
        #expect(DeliveryReceipt.parse(failed.formatted)?.state == .undeliverable)
    }

    @Test("garbage is not a receipt, unknown keys are kept, bad dates are nil")
    func tolerance() {
        #expect(DeliveryReceipt.parse("Hello, this is an ordinary MO message") == nil)
        #expect(DeliveryReceipt.parse("") == nil)
        let odd = DeliveryReceipt.parse("id:42 stat:DELIVRD mccmnc:40410 submit date:2513991200 err:0")
        #expect(odd?.extra == [DeliveryReceipt.Extra(key: "mccmnc", value: "40410")])
        #expect(odd?.submitDate == nil)
        #expect(MessageState(receiptStat: "delivered") == .delivered)
        #expect(MessageState(receiptStat: "BOGUS") == nil)
    }
}
