@testable import GatewayHTTP
import Testing

/// The request parser of the HTTP API: exact values, exact faults, and no crash on any input.
@Suite struct JSONValueTests {
    @Test func readsDocuments() throws {
        let value = try JSONValue.parse(Array(#" {"a": [1, -2.5e3, true, false, null], "b": "x\"\\\/\n\u00e9\ud83d\udc4b", "c": {}} "#.utf8))
        #expect(value["a"] == .array([.number(1), .number(-2500), .bool(true), .bool(false), .null]))
        #expect(value["b"] == .string("x\"\\/\né👋"))
        #expect(value["c"] == .object([]))
    }

    @Test(arguments: [
        ("", 0), ("{", 1), (#"{"a" 1}"#, 5), (#"{"a":1,}"#, 7), ("[1 2]", 3), ("01", 0), ("1.", 2), ("-", 1), (#""\x""#, 3),
        (#""\ud800""#, 7), ("\"a\u{01}\"", 2), ("nul", 0), ("{} {}", 3), (String(repeating: "[", count: 40), 32),
        (#"{"to":"1","body":"a","to":"2"}"#, 21),  // a duplicate name: which one counts is not for us to guess
    ])
    func namesTheFaultAndWhere(_ text: String, _ offset: Int) {
        #expect(throws: JSONValue.SyntaxError.self) { try JSONValue.parse(Array(text.utf8)) }
        do {
            _ = try JSONValue.parse(Array(text.utf8))
        } catch {
            #expect(error.offset == offset, "\(text): \(error.description)")
        }
    }

    @Test func survivesRandomDamage() {
        let seed = Array(#"{"to":"+447700900123","from":"Shortwave","body":"Hi \u00e9","messages":[{"to":"1"},{"n":1.5e2}]}"#.utf8)
        var generator = SystemRandomNumberGenerator()
        var parsed = 0
        for _ in 0..<20_000 {
            var bytes = seed
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                switch Int.random(in: 0...2, using: &generator) {
                case 0: bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes.remove(at: Int.random(in: 0..<bytes.count, using: &generator))
                default: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: Int.random(in: 0...bytes.count, using: &generator))
                }
                if bytes.isEmpty { bytes = [0x20] }
            }
            if (try? JSONValue.parse(bytes)) != nil { parsed += 1 }
        }
        #expect(parsed < 20_000)
    }
}
