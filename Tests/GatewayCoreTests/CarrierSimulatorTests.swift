import GatewayCore
import SMPPCore
import Testing

@Suite struct CarrierSimulatorTests {
    func message(to destination: String, text: String = "hello") -> Message {
        Message(
            id: MessageID(rawValue: 1), accountID: "a", source: .init(ton: .alphanumeric, npi: .unknown, "ACME"),
            destination: .init(ton: .international, npi: .isdn, destination), payload: Array(text.utf8), submittedAt: 0)
    }

    @Test func deliversByDefault() {
        let simulator = CarrierSimulator(configuration: .init())
        #expect(simulator.outcome(for: self.message(to: "447700900001")) == .init(status: .delivered))
    }

    @Test func rulesOnTheDestinationChooseTheOutcome() {
        let simulator = CarrierSimulator(
            configuration: .init(rules: [.init(destinationSuffix: "9", status: .undelivered, error: 11), .init(destinationSuffix: "8", status: .rejected)]))
        #expect(simulator.outcome(for: self.message(to: "447700900009")) == .init(status: .undelivered, error: 11))
        #expect(simulator.outcome(for: self.message(to: "447700900008")) == .init(status: .rejected, error: 2))
        #expect(simulator.outcome(for: self.message(to: "447700900001")).status == .delivered)
    }

    @Test func sharesSplitByPercentage() {
        let simulator = CarrierSimulator(configuration: .init(shares: [.init(status: .expired, percent: 10), .init(status: .undelivered, percent: 20)]))
        let message = self.message(to: "1")
        #expect(simulator.outcome(for: message, random: 5).status == .expired)
        #expect(simulator.outcome(for: message, random: 15).status == .undelivered)
        #expect(simulator.outcome(for: message, random: 29.9).status == .undelivered)
        #expect(simulator.outcome(for: message, random: 30).status == .delivered)
    }

    @Test func keywordsGetReplies() {
        let simulator = CarrierSimulator()
        #expect(simulator.reply(to: self.message(to: "1", text: "ping me")) == "PONG")
        #expect(simulator.reply(to: self.message(to: "1", text: "hello")) == nil)
    }
}
