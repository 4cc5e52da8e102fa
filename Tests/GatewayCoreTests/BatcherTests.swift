@testable import GatewayCore
import Testing

/// The group-commit queue: many producers, one consumer taking batches.
@Suite struct BatcherTests {
    @Test func itemsFromManyProducersComeOutInBatchesNoneLostNoneTwiceEachProducersInOrder() async {
        let batcher = Batcher<(producer: Int, n: Int)>()
        async let taken: [[(producer: Int, n: Int)]] = {
            var batches: [[(producer: Int, n: Int)]] = []
            while let batch = await batcher.next(maximum: 64) { batches.append(batch) }
            return batches
        }()
        await withTaskGroup(of: Void.self) { group in
            for producer in 0..<8 {
                group.addTask { for n in 0..<1_000 { batcher.append((producer, n)) } }
            }
        }
        batcher.close()
        let batches = await taken
        #expect(batches.allSatisfy { !$0.isEmpty && $0.count <= 64 })
        let items = batches.flatMap { $0 }
        #expect(items.count == 8_000)
        for producer in 0..<8 {
            #expect(items.filter { $0.producer == producer }.map(\.n) == Array(0..<1_000))
        }
    }

    @Test func nextWaitsForAnItemAndCloseDrainsThenEnds() async {
        let batcher = Batcher<Int>()
        async let first = batcher.next(maximum: 10)
        batcher.append(contentsOf: [1, 2, 3])
        #expect(await first == [1, 2, 3])
        #expect(batcher.append(4) == 1)  // how many wait
        #expect(batcher.appendIfOpen(5))
        batcher.close()
        #expect(batcher.isClosed)
        #expect(!batcher.appendIfOpen(6))  // refused once closed
        #expect(await batcher.next(maximum: 1) == [4])
        #expect(await batcher.next(maximum: 10) == [5])
        #expect(await batcher.next(maximum: 10) == nil)
    }
}
