/// The OpenAPI 3.1 document of the API, served at `/v2/openapi.json` (filled in below).
enum OpenAPIDocument {
    static let json = "{}"
}
