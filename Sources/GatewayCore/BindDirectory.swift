/// One live SMPP bind, as the admin API lists it.
public struct BindInfo: Sendable, Hashable {
    public var id: UInt64
    public var accountID: String
    public var systemID: String
    public var type: Account.BindKind
    /// The peer's address and port.
    public var peer: String?
    public var tls: Bool
    /// Milliseconds since 1970.
    public var since: Int64
    /// The deliver_sm window towards this bind, and how much of it is in use.
    public var window: Int
    public var windowInUse: Int
    /// Messages submitted on it, and their rate over the bind's life.
    public var submitted: Int
    public var messagesPerSecond: Double

    public init(
        id: UInt64, accountID: String, systemID: String, type: Account.BindKind, peer: String?, tls: Bool, since: Int64, window: Int,
        windowInUse: Int, submitted: Int, messagesPerSecond: Double
    ) {
        self.id = id
        self.accountID = accountID
        self.systemID = systemID
        self.type = type
        self.peer = peer
        self.tls = tls
        self.since = since
        self.window = window
        self.windowInUse = windowInUse
        self.submitted = submitted
        self.messagesPerSecond = messagesPerSecond
    }
}

/// The live binds of this node (the SMPP front end keeps them), for administration.
public protocol BindDirectory: Sendable {
    func binds() -> [BindInfo]
    /// Unbinds one (an unbind, then close); false if there is none.
    func unbind(id: UInt64) -> Bool
    /// Unbinds every bind of an account (suspended or deleted); returns how many.
    @discardableResult func unbindAll(accountID: String) -> Int
}
