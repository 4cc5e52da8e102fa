import GatewayCore
import Testing

@Suite struct TimestampTests {
    @Test(arguments: [
        ("2026-11-27T17:44:08.123Z", Int64(1_795_801_448_123)),
        ("2026-11-27T17:44:08Z", Int64(1_795_801_448_000)),
        ("2026-11-27t17:44:08z", Int64(1_795_801_448_000)),
        ("2026-11-27T17:44:08.1Z", Int64(1_795_801_448_100)),
        ("2026-11-27T17:44:08.123456789Z", Int64(1_795_801_448_123)),
        ("2026-11-27T18:44:08+01:00", Int64(1_795_801_448_000)),
        ("2026-11-27T12:14:08-05:30", Int64(1_795_801_448_000)),
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("2024-02-29T00:00:00Z", Int64(1_709_164_800_000)),
    ])
    func readsRFC3339(_ text: String, _ milliseconds: Int64) {
        #expect(Timestamp.parse(text) == milliseconds)
    }

    @Test(arguments: [
        "", "tomorrow", "2026-11-27", "2026-11-27T17:44:08", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-11-31T00:00:00Z",
        "2026-11-27T24:00:00Z", "2026-11-27T17:44:08.Z", "2026-11-27T17:44:08+0100", "2026-11-27T17:44:08+25:00", "2026-11-27T17:44:08Zjunk",
        "२०२६-11-27T17:44:08Z",
    ])
    func refusesAnythingElse(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func writesWhatItReads() {
        for milliseconds in [Int64(0), 1_795_801_448_123, 951_782_400_000, 4_102_444_799_999, 1_709_164_800_001] {
            let text = Timestamp.string(milliseconds)
            #expect(text.count == 24 && text.hasSuffix("Z"))
            #expect(Timestamp.parse(text) == milliseconds, "\(text)")
        }
        #expect(Timestamp.string(1_795_801_448_123) == "2026-11-27T17:44:08.123Z")
    }
}

@Suite struct JSONWriterTests {
    @Test func escapesStringsAndNestsValues() {
        var json = JSONWriter()
        json.beginObject()
        json.key("text")
        json.string("a \"quoted\" \\ line\nnext\t\u{01} é 👋")
        json.key("list")
        json.beginArray()
        json.int(1)
        json.null()
        json.bool(false)
        json.timestamp(0)
        json.endArray()
        json.key("none")
        json.string(nil as String?)
        json.endObject()
        #expect(
            String(decoding: json.bytes, as: UTF8.self)
                == #"{"text":"a \"quoted\" \\ line\nnext\t\u0001 é 👋","list":[1,null,false,"1970-01-01T00:00:00.000Z"],"none":null}"#)
    }
}
