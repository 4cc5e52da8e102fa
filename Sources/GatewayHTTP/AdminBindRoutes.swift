import Foundation
import GatewayCore
import Hummingbird
import NIOCore

extension HTTPAPI {
    /// /admin/v1/binds: the live SMPP binds, and unbinding one.
    func addAdminBindRoutes(to group: RouterGroup<APIContext>, admin: AdminAPI) {
        group.get("/binds") { request, _ in
            let filter = request.uri.queryParameters["account"].map(String.init)
            var json = JSONWriter()
            json.beginObject()
            json.key("data")
            json.beginArray()
            for bind in admin.binds.binds() where filter == nil || bind.accountID == filter {
                json.beginObject()
                json.key("id")
                json.string(String(bind.id))
                json.key("account_id")
                json.string(bind.accountID)
                json.key("system_id")
                json.string(bind.systemID)
                json.key("type")
                json.string(bind.type.rawValue)
                json.key("peer")
                json.string(bind.peer)
                json.key("tls")
                json.bool(bind.tls)
                json.key("since")
                json.timestamp(bind.since)
                json.key("window")
                json.int(bind.window)
                json.key("window_in_use")
                json.int(bind.windowInUse)
                json.key("submitted")
                json.int(bind.submitted)
                json.key("messages_per_second")
                json.int(Int(bind.messagesPerSecond.rounded()))
                json.endObject()
            }
            json.endArray()
            json.endObject()
            return Self.json(.ok, json.bytes)
        }
        group.delete("/binds/:id") { _, context in
            let text = context.parameters.get("id") ?? ""
            guard let id = UInt64(text), admin.binds.unbind(id: id) else { throw Problem.notFound("no bind \(text)") }
            return Response(status: .noContent)
        }
    }
}
