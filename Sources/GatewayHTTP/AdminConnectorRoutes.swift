import Foundation
import GatewayCore
import Hummingbird
import NIOCore

extension HTTPAPI {
    /// /admin/v1/connectors and /admin/v1/routes: the carrier side at run time.
    func addAdminConnectorRoutes(to group: RouterGroup<APIContext>, admin: AdminAPI) {
        group.get("/connectors") { _, _ in
            var json = JSONWriter()
            json.beginObject()
            json.key("data")
            json.beginArray()
            for connector in admin.connectors?.connectors() ?? [] { Self.write(connector, into: &json) }
            json.endArray()
            json.endObject()
            return Self.json(.ok, json.bytes)
        }
        group.post("/connectors") { request, _ in
            let directory = try Self.directory(admin)
            let (_, body) = try await self.jsonBody(request, limit: 65_536)
            do {
                let info = try await admin.serial.run { try await directory.addConnector(json: Array(body.readableBytesView)) }
                var json = JSONWriter()
                Self.write(info, into: &json)
                return Self.json(.created, json.bytes)
            } catch {
                throw Self.problem(error)
            }
        }
        group.delete("/connectors/:name") { _, context in
            let directory = try Self.directory(admin)
            do {
                try await admin.serial.run { try await directory.removeConnector(name: context.parameters.get("name") ?? "") }
            } catch {
                throw Self.problem(error)
            }
            return Response(status: .noContent)
        }
        group.get("/routes") { _, _ in
            Self.json(.ok, try Self.directory(admin).routes())
        }
        group.put("/routes") { request, _ in
            let directory = try Self.directory(admin)
            let (_, body) = try await self.jsonBody(request, limit: 1_048_576)
            do {
                return Self.json(.ok, try await admin.serial.run { try await directory.setRoutes(json: Array(body.readableBytesView)) })
            } catch {
                throw Self.problem(error)
            }
        }
    }
}

extension HTTPAPI {
    static func directory(_ admin: AdminAPI) throws -> any ConnectorDirectory {
        guard let directory = admin.connectors else { throw Problem.notFound("this gateway has no connector directory") }
        return directory
    }

    /// A refused connector or route change, by its code.
    static func problem(_ error: any Error) -> any Error {
        guard let error = error as? ConnectorChangeError else { return error }
        switch error.code {
        case .invalid: return Problem(.unprocessableContent, "invalid_connector_config", "Not a valid connector or route table", detail: error.message)
        case .exists: return Problem(.conflict, "connector_exists", "A connector has that name", detail: error.message)
        case .notFound: return Problem.notFound(error.message)
        case .inConfig: return Problem(.conflict, "connector_in_config", "Defined in the config file", detail: error.message)
        case .inUse: return Problem(.conflict, "connector_in_use", "A route names this connector", detail: error.message)
        case .storage: return Problem(.serviceUnavailable, "change_not_stored", "The change could not be made now", detail: error.message)
        }
    }

    static func write(_ connector: ConnectorInfo, into json: inout JSONWriter) {
        json.beginObject()
        json.key("name")
        json.string(connector.name)
        json.key("kind")
        json.string(connector.kind)
        json.key("address")
        json.string(connector.address)
        json.key("tls")
        json.bool(connector.tls)
        json.key("state")
        json.string(connector.state)
        json.key("binds_up")
        json.int(connector.bindsUp)
        json.key("binds")
        json.int(connector.binds)
        json.key("accepted")
        json.int(connector.accepted)
        json.key("awaiting_receipts")
        json.int(connector.awaitingReceipts)
        json.endObject()
    }
}
