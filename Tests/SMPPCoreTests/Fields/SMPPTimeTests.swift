import NIOCore
import Foundation
import SMPPCore
import Testing

@Suite("SMPP time format")
struct SMPPTimeTests {
    @Test("absolute times parse with quarter-hour offsets and give the right instant", arguments: [
        ("251224103000004+", "2025-12-24T09:30:00Z"),
        ("260101083015212-", "2026-01-01T11:30:15Z"),
        ("251231235959900+", "2025-12-31T23:59:59Z"),
        ("000229120000048+", "2000-02-29T00:00:00Z"),
        ("991231235959048-", "2000-01-01T11:59:59Z"),
    ])
    func absolute(text: String, utc: String) throws {
        let time = try #require(SMPPTime.parse(text))
        guard case .absolute(let absolute) = time else {
            Issue.record("not absolute")
            return
        }
        let expected = try #require(ISO8601DateFormatter().date(from: utc))
        #expect(absolute.secondsSince1970 == Int64(expected.timeIntervalSince1970))
        #expect(time.smppString == text)
        let again = SMPPTime.AbsoluteTime(secondsSince1970: absolute.secondsSince1970, tenths: absolute.tenths, utcOffsetQuarterHours: absolute.utcOffsetQuarterHours)
        #expect(again == absolute)
    }

    @Test("relative times parse, print and add on the calendar")
    func relative() throws {
        let time = try #require(SMPPTime.parse("020610233429000R"))
        #expect(time == .relative(SMPPTime.RelativeTime(years: 2, months: 6, days: 10, hours: 23, minutes: 34, seconds: 29)))
        #expect(time.smppString == "020610233429000R")
        let start = SMPPTime.AbsoluteTime(year: 2025, month: 1, day: 31, hour: 12, minute: 0, second: 0)
        let oneMonth = SMPPTime.RelativeTime(months: 1).added(to: start)
        #expect((oneMonth.year, oneMonth.month, oneMonth.day) == (2025, 2, 28))
        let thirty = SMPPTime.RelativeTime(minutes: 30).added(to: start)
        #expect(thirty.secondsSince1970 - start.secondsSince1970 == 1800)
    }

    @Test("malformed times are refused", arguments: [
        "", "25122410300000+", "2512241030000049+", "251324103000000+", "250230103000000+", "251224103000049+",
        "25122410300000x+", "000000003000100R", "000000003000001R", "251224246000000+", "251224103000004*",
    ])
    func malformed(text: String) {
        #expect(SMPPTime.parse(text) == nil)
    }

    @Test("the Y2K pivot is configurable")
    func pivot() throws {
        guard case .absolute(let early) = try #require(SMPPTime.parse("380101000000000+")),
            case .absolute(let late) = try #require(SMPPTime.parse("380101000000000+", centuryPivot: 50))
        else { return }
        #expect(early.year == 1938)
        #expect(late.year == 2038)
    }

    @Test("a submit_sm with an unparseable time gets ESME_RINVSCHED / ESME_RINVEXPIRY")
    func decodeStatus() throws {
        for (schedule, validity, status) in [("2513241030000004+", "", CommandStatus.invalidScheduledDeliveryTime), ("", "999999999999999R", .invalidExpiryTime)] {
            var body = ByteBuffer()
            body.writeBytes([0, 1, 1] + Array("447700900001".utf8) + [0, 1, 1] + Array("447700900002".utf8) + [0, 0, 0, 0])
            body.writeString(schedule)
            body.writeInteger(UInt8(0))
            body.writeString(validity)
            body.writeBytes([0, 0, 0, 0, 0, 0])
            var frame = ByteBuffer()
            frame.writeMultipleIntegers(UInt32(16 + body.readableBytes), UInt32(4), UInt32(0), UInt32(3))
            frame.writeImmutableBuffer(body)
            #expect(throws: SMPPDecodingError.self) { try SMPPPacket.decode(frame: frame) }
            do { _ = try SMPPPacket.decode(frame: frame) } catch { #expect(error.commandStatus == status) }
        }
    }
}
