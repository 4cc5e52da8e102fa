import GatewayCore
import Testing

@Suite struct MessageIDTests {
    @Test func textFormIsSixteenLowercaseHexDigitsAndParsesBack() {
        let generator = MessageIDGenerator(node: 5, clock: { MessageID.epochMilliseconds + 1_000 })
        let id = generator.next()
        #expect(id.description.count == 16)
        #expect(id.description == id.description.lowercased())
        #expect(MessageID(id.description) == id)
        #expect(MessageID(id.description.uppercased()) == id)
        #expect(id.node == 5)
        #expect(id.milliseconds == MessageID.epochMilliseconds + 1_000)
    }

    @Test func rejectsWhatIsNotAnID() {
        #expect(MessageID("") == nil)
        #expect(MessageID("xyz") == nil)
        #expect(MessageID("00000000000000001") == nil)  // 17 digits
    }

    @Test func idsIncreaseAndNeverRepeatEvenPastFourThousandInOneMillisecond() {
        let generator = MessageIDGenerator(node: 1, clock: { MessageID.epochMilliseconds + 42 })
        var previous = generator.next()
        for _ in 0..<10_000 {
            let id = generator.next()
            #expect(id > previous)
            previous = id
        }
        #expect(previous.milliseconds > MessageID.epochMilliseconds + 42)  // borrowed later milliseconds
    }

    @Test func uniqueAcrossThreadsAndNodes() async {
        let a = MessageIDGenerator(node: 1)
        let b = MessageIDGenerator(node: 2)
        let seen = await withTaskGroup(of: [MessageID].self) { group in
            for index in 0..<8 {
                group.addTask {
                    let generator = index % 2 == 0 ? a : b
                    return (0..<5_000).map { _ in generator.next() }
                }
            }
            var all = Set<MessageID>()
            for await ids in group { all.formUnion(ids) }
            return all
        }
        #expect(seen.count == 40_000)
    }
}
