import Foundation
public import Hummingbird
import NIOCore

extension SMSCSimulator {
    /// A small HTTP endpoint to inject MO: `POST /mo {"from", "to", "text", "system_id"?}` → 202.
    public func moApplication(host: String, port: Int, onRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol & Sendable
    {
        let router = Router()
        router.post("/mo") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
                let from = object["from"] as? String, let to = object["to"] as? String, let text = object["text"] as? String, !text.isEmpty
            else {
                return Response(
                    status: .badRequest, headers: [.contentType: "application/json"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"error":"send {\"from\": \"+4477…\", \"to\": \"12345\", \"text\": \"…\", \"system_id\": optional}"}"#)))
            }
            self.inject(from: from, to: to, text: text, systemID: object["system_id"] as? String)
            return Response(
                status: .accepted, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"injected":true}"#)))
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "smsc-sim"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) }, logger: self.logger)
    }
}
