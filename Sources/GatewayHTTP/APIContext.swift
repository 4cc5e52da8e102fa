public import GatewayCore
public import Hummingbird

/// The request context of the API: who is calling (set by `Authentication`).
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var account: Account?
    public var key: APIKey?
    /// The caller's IP address (for accounts with an allow-list).
    public var remoteAddress: String?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Bodies are collected by the handlers with their own limits (single vs batch).
    public var maxUploadSize: Int { 16 * 1024 * 1024 }

    /// The caller; routes behind `Authentication` always have one.
    func caller() throws -> (Account, APIKey) {
        guard let account = self.account, let key = self.key else { throw Problem.unauthorized("an API key is required") }
        return (account, key)
    }
}
