import ArgumentParser

@main
struct Shortwave: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shortwave",
        abstract: "Shortwave SMS gateway: SMPP v3.4 and HTTP in, carriers out.",
        version: "0.1.0-dev",
        subcommands: [Serve.self, Send.self, Bench.self, Accounts.self, SMSCSim.self]
    )
}

