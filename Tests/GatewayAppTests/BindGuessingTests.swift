import Foundation
import GatewayApp
import GatewayCore
import GatewaySMPP
import Logging
import SMPPClient
import SMPPCore
import Testing

/// Issue 15, item 2: guessing passwords is slowed, and the answers do not tell which accounts
/// exist.
@Suite struct BindGuessingTests {
    func refusal(_ gateway: TestGateway, _ systemID: String, _ password: String) async -> CommandStatus? {
        do {
            let connection = try await gateway.connect(systemID: systemID, password: password)
            await connection.close()
            return nil
        } catch {
            if case .bindRejected(let status)? = (error as? SMPPClientError)?.code { return status }
            return .unknownError
        }
    }

    @Test func guessingFromOneAddressIsLockedOutAndForgivenLater() async throws {
        let clock = ManualGatewayClock()
        try await withGateway(clock: clock) { gateway in
            try await gateway.addAccount()
            let verifier = gateway.prepared.bindChecks.verifier
            for guess in 0..<6 { #expect(await self.refusal(gateway, "acme", "guess\(guess)") == .invalidPassword) }
            let checked = verifier.derivations
            // Locked out: even the right password is refused, without a check.
            #expect(await self.refusal(gateway, "acme", "secret") == .invalidPassword)
            #expect(await self.refusal(gateway, "other", "secret") == .invalidPassword)
            #expect(verifier.derivations == checked)
            // The lockout (1 s after the sixth failure) passes: the right password binds, and
            // the counts start afresh.
            clock.advance(by: .seconds(2))
            #expect(await self.refusal(gateway, "acme", "secret") == nil)
            #expect(await self.refusal(gateway, "acme", "guess") == .invalidPassword)
            #expect(await self.refusal(gateway, "acme", "secret") == nil)
        }
    }

    @Test func anUnknownSystemIDAndAWrongPasswordAreAnsweredAlike() async throws {
        try await withGateway { gateway in
            try await gateway.addAccount()
            let verifier = gateway.prepared.bindChecks.verifier
            let before = verifier.derivations
            #expect(await self.refusal(gateway, "nobody", "secret") == .invalidPassword)
            #expect(verifier.derivations == before + 1, "an unknown system_id costs a password check, like a wrong password")
            #expect(await self.refusal(gateway, "acme", "wrong") == .invalidPassword)
            #expect(verifier.derivations == before + 2)
        }
    }

    @Test func theOldDistinctStatusesWhenTheOperatorAsks() async throws {
        try await withGateway(configure: { $0.smpp.distinctBindRefusals = true }) { gateway in
            try await gateway.addAccount()
            #expect(await self.refusal(gateway, "nobody", "secret") == .invalidSystemID)
            #expect(await self.refusal(gateway, "acme", "wrong") == .invalidPassword)
        }
    }

    // MARK: the rules (addresses as strings, an injected clock)

    @Test func anAccountsLockoutDoesNotHoldBackAnAddressThatBoundItBefore() {
        let clock = ManualGatewayClock()
        let guard_ = BindGuard(clock: clock, logger: Logger(label: "test"))
        guard_.succeeded(address: "192.0.2.10", systemID: "acme")  // the customer's own address
        // A guesser spread over many addresses: each address stays under its own limit, the
        // account's count goes over.
        for n in 0..<8 { guard_.failed(address: "198.51.100.\(n)", systemID: "acme") }
        #expect(guard_.check(address: "198.51.100.200", systemID: "acme") != .allowed)
        #expect(guard_.check(address: "192.0.2.10", systemID: "acme") == .allowed)
        #expect(guard_.check(address: "198.51.100.200", systemID: "other") == .allowed)
        // The delay doubles with each failure past the free ones, up to the maximum.
        clock.advance(by: .seconds(3_600))
        #expect(guard_.check(address: "198.51.100.200", systemID: "acme") == .allowed)
    }

    @Test func lockoutsDoubleAndAreCapped() {
        let clock = ManualGatewayClock()
        let guard_ = BindGuard(.init(freeFailures: 2, baseDelayMilliseconds: 1_000, maximumDelayMilliseconds: 4_000), clock: clock, logger: Logger(label: "test"))
        func lockout() -> Int64? {
            guard case .lockedOut(let until, _) = guard_.check(address: "a", systemID: "s") else { return nil }
            return until - clock.wallMilliseconds
        }
        guard_.failed(address: "a", systemID: "s")
        guard_.failed(address: "a", systemID: "s")
        #expect(lockout() == nil)
        guard_.failed(address: "a", systemID: "s")
        #expect(lockout() == 1_000)
        guard_.failed(address: "a", systemID: "s")
        #expect(lockout() == 2_000)
        guard_.failed(address: "a", systemID: "s")
        #expect(lockout() == 4_000)
        guard_.failed(address: "a", systemID: "s")
        #expect(lockout() == 4_000)
    }

    @Test func newPasswordsUseAllEightCharacters() {
        #expect(Credentials.passwordProblem("s3cretPw") == nil)
        for bad in ["", "pw", "1234567", "ninechars", "aaaaaaaa", "pass wrd", "pässwrd1"] {
            #expect(Credentials.passwordProblem(bad) != nil, "\(bad)")
        }
        #expect(Credentials.passwordProblem(Credentials.random(length: 8)) == nil)
    }
}
