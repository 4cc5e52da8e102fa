import GatewayCore
import Testing

@Suite struct AccountRegistryTests {
    @Test func passwordsAreStoredHashedAndVerified() throws {
        let hash = PasswordHash(password: "secret", rounds: 1_000)
        #expect(hash.verify("secret"))
        #expect(!hash.verify("Secret"))
        #expect(!hash.description.contains("secret"))
        let parsed = try #require(PasswordHash(hash.description))
        #expect(parsed == hash)
        #expect(PasswordHash(password: "secret", rounds: 1_000).salt != hash.salt)
    }

    @Test func bindsAreCheckedAndCountedAgainstTheLimit() {
        let account = Account(id: "a", systemID: "acme", password: PasswordHash(password: "pw", rounds: 1_000), allowedBinds: [.transmitter, .transceiver], maxBinds: 2)
        let disabled = Account(id: "d", systemID: "off", password: PasswordHash(password: "pw", rounds: 1_000), enabled: false)
        let registry = AccountRegistry([account, disabled])
        #expect(registry.bind(systemID: "nobody", password: "pw", kind: .transmitter) == .failure(.unknownSystemID))
        #expect(registry.bind(systemID: "acme", password: "bad", kind: .transmitter) == .failure(.wrongPassword))
        #expect(registry.bind(systemID: "off", password: "pw", kind: .transmitter) == .failure(.disabled))
        #expect(registry.bind(systemID: "acme", password: "pw", kind: .receiver) == .failure(.bindTypeNotAllowed))
        #expect((try? registry.bind(systemID: "acme", password: "pw", kind: .transmitter).get())?.id == "a")
        #expect((try? registry.bind(systemID: "acme", password: "pw", kind: .transceiver).get())?.id == "a")
        #expect(registry.bind(systemID: "acme", password: "pw", kind: .transmitter) == .failure(.tooManyBinds))
        registry.unbound(accountID: "a")
        #expect(registry.bindCount(accountID: "a") == 1)
        #expect((try? registry.bind(systemID: "acme", password: "pw", kind: .transmitter).get()) != nil)
        // A wrong password after a right one is still wrong (the cache holds only what verified).
        #expect(registry.bind(systemID: "acme", password: "bad", kind: .transmitter) == .failure(.wrongPassword))
    }

    @Test func messagesPerSecondFollowTheInjectedClock() {
        let clock = ManualGatewayClock()
        let account = Account(
            id: "a", systemID: "acme", password: PasswordHash(password: "pw", rounds: 1_000), messagesPerSecond: 10)
        let registry = AccountRegistry([account], clock: clock)
        #expect(registry.admit(accountID: "a", segments: 10))  // a second's worth at once
        #expect(!registry.admit(accountID: "a", segments: 1))
        clock.advance(by: .milliseconds(100))
        #expect(registry.admit(accountID: "a", segments: 1))  // 100 ms buys one
        #expect(!registry.admit(accountID: "a", segments: 1))
        clock.advance(by: .seconds(60))
        #expect(registry.admit(accountID: "a", segments: 10))  // never more than a second's worth saved
        #expect(!registry.admit(accountID: "a", segments: 1))
        #expect(registry.admit(accountID: "nobody", segments: 1_000))  // no limit, no account
    }

    @Test func numbersRouteMO() {
        let account = Account(id: "a", systemID: "acme", password: PasswordHash(password: "pw", rounds: 1_000), numbers: ["447700900123", "12345"])
        let registry = AccountRegistry([account])
        #expect(registry.owner(of: "+447700900123")?.id == "a")
        #expect(registry.owner(of: "12345")?.id == "a")
        #expect(registry.owner(of: "999") == nil)
    }

    @Test func throughputLimitAdmitsASecondsWorth() {
        let account = Account(id: "a", systemID: "acme", password: PasswordHash(password: "pw", rounds: 1_000), messagesPerSecond: 10)
        let registry = AccountRegistry([account])
        let admitted = (0..<30).filter { _ in registry.admit(accountID: "a", segments: 1) }.count
        #expect(admitted >= 10 && admitted < 15)
        #expect(registry.admit(accountID: "unlimited", segments: 1000))
    }
}
