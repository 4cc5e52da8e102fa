import Foundation
import GatewayApp
import GatewayCarriers
import GatewayCore
import HTTPTypes
import SMPPClient
import SMPPCore
import SMSCSimulator
import Testing

/// Connectors and routes changed at run time through the admin API, kept across a restart.
@Suite struct ConnectorSetTests {
    typealias Carrier = UpstreamTests.Carrier

    @Test func connectorsAndRoutesChangeAtRunTimeAndSurviveARestart() async throws {
        let carrier = try await Carrier()
        let directory = NSTemporaryDirectory() + "shortwave-runtime-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let gateway = try await TestGateway.start(directory: directory)
        let token = String(try #require(gateway.prepared.adminTokenLine).dropFirst("admin token: ".count))
        try await gateway.addAccount()
        let connection = try await gateway.connect()

        // No connector yet: the simulator is the route.
        #expect((try await live(gateway, .get, "/admin/v1/connectors", key: token).json["data"] as? [[String: Any]])?.isEmpty == true)
        let live1 = #"{"name":"live","port":\#(carrier.port),"systemID":"carrier","password":"secret","reconnectInitialMilliseconds":100}"#
        let added = try await live(gateway, .post, "/admin/v1/connectors", key: token, body: live1)
        #expect(added.status == 201 && added.json["name"] as? String == "live")
        // Refused: a name taken, a key misspelt, no name, a bad window.
        #expect(try await live(gateway, .post, "/admin/v1/connectors", key: token, body: live1).code == "connector_exists")
        let misspelt = try await live(gateway, .post, "/admin/v1/connectors", key: token, body: #"{"name":"x","systemID":"a","windw":5}"#)
        #expect(misspelt.status == 422 && misspelt.code == "invalid_connector_config")
        #expect((misspelt.json["detail"] as? String)?.contains("windw") == true)
        #expect(try await live(gateway, .post, "/admin/v1/connectors", key: token, body: #"{"systemID":"a"}"#).status == 422)
        #expect(try await live(gateway, .post, "/admin/v1/connectors", key: token, body: #"{"name":"x","systemID":"a","window":0}"#).status == 422)
        #expect(await eventually(20) { gateway.prepared.connectorStates["live"] == "up" })

        _ = try await connection.submit(submit(to: "447700900001"))
        _ = await collect(connection.inbound, count: 1, seconds: 20)
        #expect(carrier.simulator.counts.submitted == 0)  // no route names it yet

        // A route to it: messages go there, receipts come back.
        let unknown = try await live(gateway, .put, "/admin/v1/routes", key: token, body: #"{"routes":[{"connectors":["nope"]}]}"#)
        #expect(unknown.status == 422 && (unknown.json["detail"] as? String)?.contains("nope") == true)
        let routed = try await live(gateway, .put, "/admin/v1/routes", key: token, body: #"{"routes":[{"connectors":["live"]}]}"#)
        #expect(routed.status == 200)
        let reply = try await connection.submit(submit(to: "447700900002"))
        let receipt = await collect(connection.inbound, count: 1, seconds: 20).first?.receipt
        #expect(receipt?.messageID == reply.messageID && receipt?.state == .delivered)
        #expect(carrier.simulator.counts.submitted == 1)

        // Removing it: refused while a route names it; then the routes move to a simulator connector.
        #expect(try await live(gateway, .delete, "/admin/v1/connectors/live", key: token).code == "connector_in_use")
        #expect(try await live(gateway, .post, "/admin/v1/connectors", key: token, body: #"{"name":"dev","kind":"simulator"}"#).status == 201)
        #expect(try await live(gateway, .put, "/admin/v1/routes", key: token, body: #"{"routes":[{"connectors":["dev"]}]}"#).status == 200)
        #expect(try await live(gateway, .delete, "/admin/v1/connectors/live", key: token).status == 204)
        #expect(try await live(gateway, .delete, "/admin/v1/connectors/live", key: token).status == 404)
        await connection.close()
        try await gateway.stop()

        // After a restart: the run-time connector and the route table are back.
        let again = try await TestGateway.start(directory: directory)
        let names = (try await live(again, .get, "/admin/v1/connectors", key: token).json["data"] as? [[String: Any]])?.map { $0["name"] as? String }
        #expect(names == ["dev"])
        let routes = try await live(again, .get, "/admin/v1/routes", key: token).json["routes"] as? [[String: Any]]
        #expect(routes?.first?["connectors"] as? [String] == ["dev"])
        try await again.stop()
        await carrier.stop()
    }

    @Test func connectorsFromTheConfigFileCannotBeRemovedAtRunTime() async throws {
        var fixed = GatewayConfiguration.Connector(name: "fixed")
        fixed.kind = "simulator"
        try await withGateway(configure: { $0.connectors = [fixed] }) { gateway in
            let token = String(try #require(gateway.prepared.adminTokenLine).dropFirst("admin token: ".count))
            #expect(try await live(gateway, .put, "/admin/v1/routes", key: token, body: #"{"routes":[{"connectors":["fixed"],"sender":"A"}]}"#).status == 200)
            let refused = try await live(gateway, .delete, "/admin/v1/connectors/fixed", key: token)
            #expect(refused.status == 409 && refused.code == "connector_in_config")
            #expect(try await live(gateway, .put, "/admin/v1/routes", key: token, body: #"{"routes":[]}"#).status == 422)
            #expect(try await live(gateway, .put, "/admin/v1/routes", key: token, body: #"{"rutes":[]}"#).status == 422)
        }
    }
}
