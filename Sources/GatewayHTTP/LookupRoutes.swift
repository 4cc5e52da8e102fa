import Foundation
import HTTPTypes
import GatewayCore
import Hummingbird
import NIOCore
import SMPPCore

extension HTTPAPI {
    // MARK: GET /v2/lookup/{number}

    func lookup(_ request: Request, _ context: APIContext) throws -> Response {
        _ = try context.caller()
        let input = context.parameters.get("number")?.removingPercentEncoding ?? ""
        guard let number = PhoneNumber(input) else { throw Problem.invalidNumber("number", input) }
        var json = JSONWriter()
        json.beginObject()
        json.key("input")
        json.string(input)
        json.key("valid")
        json.bool(true)
        json.key("e164")
        json.string(number.e164)
        json.key("calling_code")
        json.string(number.callingCode)
        json.key("country")
        json.string(number.country)
        json.key("national_number")
        json.string(number.nationalNumber)
        if let text = request.uri.queryParameters["text"] {
            let text = String(text)
            let encoded = EncodedText(text) ?? EncodedText(text, alphabet: .ucs2)!
            json.key("text")
            json.beginObject()
            json.key("encoding")
            json.string(encoded.alphabet == .ucs2 ? "ucs2" : "gsm7")
            json.key("characters")
            json.int(text.count)
            json.key("units")
            json.int(encoded.units)
            json.key("segments")
            json.int(text.isEmpty ? 1 : encoded.segmentCount())
            json.endObject()
        }
        json.endObject()
        return Self.json(.ok, json.bytes)
    }
}
