@testable import GatewaySMPP
import GatewayApp
import GatewayCore
import NIOCore
import SMPPClient
import SMPPCore
import SMPPSession
import Testing

/// query_sm, cancel_sm and replace_sm are answered from the store off the event loop; a session
/// never has more than its window of them under way (issue 15, item 6).
@Suite(.timeLimit(.minutes(2))) struct RequestFloodTests {
    @Test func aLimitCountsUpToItsMaximumAndRefusesBeyondIt() {
        let limit = RequestLimit(maximum: 3)
        #expect(limit.acquire() && limit.acquire() && limit.acquire())
        #expect(!limit.acquire())
        #expect(limit.current == 3)  // a refusal counts nothing
        limit.release()
        #expect(limit.acquire())
        #expect(!limit.acquire())
    }

    @Test func aFloodOfQueriesIsAnsweredInFullEachOneWithinTheWindowOrThrottled() async throws {
        try await withGateway(configure: { $0.smpp.window = 10 }) { gateway in
            try await gateway.addAccount()
            let connection = try await gateway.connect()
            let stored = try await connection.submit(submit(to: "447700900001"))
            // Far more than the window at once, in one write.
            let queries: [PDU] = (0..<2_000).map { index in
                .querySM(QuerySM(messageID: index % 2 == 0 ? stored.messageID : "ffffffffffff\(index)", source: .sender("ACME")))
            }
            let batch = try await connection.requests(queries)
            let statuses = try batch.results.map { try $0.get().status }
            #expect(statuses.count == 2_000)
            // Each is answered: found, not found, or throttled — never lost, never an error.
            #expect(statuses.allSatisfy { [.ok, .invalidMessageID, .throttled].contains($0) })
            for (index, status) in statuses.enumerated() where status != .throttled {
                #expect(status == (index % 2 == 0 ? .ok : .invalidMessageID))
            }
            #expect(statuses.contains(.ok))
            // 2,000 in one burst against a window of 10: most are turned away at once.
            #expect(statuses.contains(.throttled))
            // And the session is still good.
            #expect(try await connection.request(.querySM(QuerySM(messageID: stored.messageID, source: .sender("ACME")))).status == .ok)
            await connection.close()
        }
    }
}
