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

    @Test func bindsAreCheckedAndCountedAgainstTheLimit() async {
        let account = Account(id: "a", systemID: "acme", password: PasswordHash(password: "pw", rounds: 1_000), allowedBinds: [.transmitter, .transceiver], maxBinds: 2)
        let disabled = Account(id: "d", systemID: "off", password: PasswordHash(password: "pw", rounds: 1_000), enabled: false)
        let registry = AccountRegistry([account, disabled])
        let verifier = PasswordVerifier(concurrency: 1, rounds: 1_000)
        #expect(await registry.bind(systemID: "nobody", password: "pw", kind: .transmitter, verifier: verifier) == .failure(.unknownSystemID))
        #expect(await registry.bind(systemID: "acme", password: "bad", kind: .transmitter, verifier: verifier) == .failure(.wrongPassword))
        #expect(await registry.bind(systemID: "off", password: "pw", kind: .transmitter, verifier: verifier) == .failure(.disabled))
        #expect(await registry.bind(systemID: "acme", password: "pw", kind: .receiver, verifier: verifier) == .failure(.bindTypeNotAllowed))
        #expect((try? await registry.bind(systemID: "acme", password: "pw", kind: .transmitter, verifier: verifier).get())?.id == "a")
        #expect((try? await registry.bind(systemID: "acme", password: "pw", kind: .transceiver, verifier: verifier).get())?.id == "a")
        #expect(await registry.bind(systemID: "acme", password: "pw", kind: .transmitter, verifier: verifier) == .failure(.tooManyBinds))
        registry.unbound(accountID: "a")
        #expect(registry.bindCount(accountID: "a") == 1)
        #expect((try? await registry.bind(systemID: "acme", password: "pw", kind: .transmitter, verifier: verifier).get()) != nil)
        // A wrong password after a right one is still wrong (the cache holds only what verified).
        #expect(await registry.bind(systemID: "acme", password: "bad", kind: .transmitter, verifier: verifier) == .failure(.wrongPassword))
    }

    @Test func anUnknownSystemIDCostsAPasswordCheckLikeAWrongPassword() async {
        let account = Account(id: "a", systemID: "acme", password: PasswordHash(password: "pw", rounds: 1_000), allowedIPs: try! IPAllowList(["10.0.0.0/8"]))
        let registry = AccountRegistry([account])
        let verifier = PasswordVerifier(concurrency: 1, rounds: 1_000)
        #expect(await registry.bind(systemID: "nobody", password: "pw", kind: .transmitter, verifier: verifier) == .failure(.unknownSystemID))
        #expect(verifier.derivations == 1)
        #expect(await registry.bind(systemID: "acme", password: "bad", kind: .transmitter, from: "10.1.1.1", verifier: verifier) == .failure(.wrongPassword))
        #expect(verifier.derivations == 2)
        #expect(await registry.bind(systemID: "acme", password: "pw", kind: .transmitter, from: "192.0.2.1", verifier: verifier) == .failure(.addressNotAllowed))
        #expect(verifier.derivations == 3)
    }

    @Test func passwordChecksBeyondTheQueueAreRefusedAsBusy() async {
        let verifier = PasswordVerifier(concurrency: 1, maximumWaiting: 2, rounds: 1_000_000)
        let hash = PasswordHash(password: "pw", rounds: 1_000_000)
        let results = await withTaskGroup(of: Bool?.self) { group in
            for _ in 0..<8 { group.addTask { await verifier.verify("pw", against: hash) } }
            return await group.reduce(into: [Bool?]()) { $0.append($1) }
        }
        // Never more than two waiting: the others are told "busy" at once.
        #expect(results.contains(nil))
        #expect(results.filter { $0 == true }.count >= 1)
        #expect(results.allSatisfy { $0 != false })
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
