import ArgumentParser
import GatewayApp
import GatewayCore
import Logging
import ServiceLifecycle
import SMSCSimulator
import UnixSignals

/// `shortwave smsc-sim`: a standalone SMSC simulator (thin: the work is in `SMSCSimulator`).
struct SMSCSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smsc-sim",
        abstract: "Run an SMSC simulator for testing SMPP clients and gateways.",
        discussion: """
            Accepts binds (any credentials, or the --account ones), answers submit_sm with ids of its \
            own and sends a delivery receipt after --delay-ms, with outcomes from --rule and --share. \
            Throttles above --rate (ESME_RTHROTTLED), drops sessions at random (--disconnect), and \
            injects MO from POST /mo on --mo-http-port. Stops on SIGTERM/SIGINT.
            """
    )

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "SMPP port.") var port = 2775
    @Option(help: "An account as system_id:password (repeatable); none: any credentials bind.") var account: [String] = []
    @Option(name: .customLong("delay-ms"), help: "Milliseconds from submit to receipt.") var delayMilliseconds = 0
    @Option(help: "An outcome by destination suffix: SUFFIX=STATUS[:ERROR] (repeatable), e.g. 9=undelivered:11.") var rule: [String] = []
    @Option(help: "A share of other messages: STATUS=PERCENT (repeatable), e.g. expired=5.") var share: [String] = []
    @Option(help: "Submits per second per system_id before ESME_RTHROTTLED.") var rate: Int?
    @Option(help: "Probability each second that a session is dropped (0–1).") var disconnect: Double = 0
    @Option(name: .customLong("id-format"), help: "Message ids: hex or decimal.") var idFormat = "hex"
    @Option(help: "deliver_sm window towards each receiver.") var window = 100
    @Option(name: .customLong("mo-http-port"), help: "Port of the POST /mo endpoint (off without it).") var moHTTPPort: Int?

    func run() async throws {
        CPUBudget.apply(threads: nil)  // event loops for the CPUs this process may use
        var accounts: [String: String] = [:]
        for entry in self.account {
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { throw ValidationError("--account is system_id:password, not \(entry)") }
            accounts[parts[0]] = parts[1]
        }
        var outcomes = CarrierSimulator.Configuration(delayMilliseconds: self.delayMilliseconds)
        for entry in self.rule {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            let outcome = parts.count == 2 ? parts[1].split(separator: ":").map(String.init) : []
            guard parts.count == 2, let status = MessageStatus(rawValue: outcome.first ?? ""), status.isFinal else {
                throw ValidationError("--rule is SUFFIX=STATUS[:ERROR] with a final status (delivered, undelivered, expired, rejected…), not \(entry)")
            }
            outcomes.rules.append(.init(destinationSuffix: parts[0], status: status, error: outcome.count > 1 ? Int(outcome[1]) : nil))
        }
        for entry in self.share {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let status = MessageStatus(rawValue: parts[0]), let percent = Double(parts[1]), (0...100).contains(percent) else {
                throw ValidationError("--share is STATUS=PERCENT, not \(entry)")
            }
            outcomes.shares.append(.init(status: status, percent: percent))
        }
        guard let format = SMSCSimulator.IDFormat(rawValue: self.idFormat) else { throw ValidationError("--id-format is hex or decimal") }
        guard (0...1).contains(self.disconnect) else { throw ValidationError("--disconnect is a probability from 0 to 1") }
        guard (1...65535).contains(self.port) else { throw ValidationError("--port is 1–65535") }

        let logger = Logger(label: "smsc-sim")
        let simulator = SMSCSimulator(
            configuration: .init(
                host: self.host, port: self.port, accounts: accounts, outcomes: outcomes, messagesPerSecond: self.rate,
                disconnectProbability: self.disconnect, idFormat: format, window: self.window),
            logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: simulator)]
        if let moHTTPPort { services.append(.init(service: simulator.moApplication(host: self.host, port: moHTTPPort))) }
        print("smsc-sim: SMPP on \(self.host):\(self.port)" + (self.moHTTPPort.map { ", MO endpoint http://\(self.host):\($0)/mo" } ?? ""))
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger))
        try await group.run()
    }
}
