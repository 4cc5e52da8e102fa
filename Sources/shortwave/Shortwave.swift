import ArgumentParser

@main
struct Shortwave: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shortwave",
        abstract: "Shortwave SMS gateway: SMPP v3.4 and HTTP in, carriers out.",
        version: "0.1.0-dev",
        subcommands: [Serve.self, Send.self, Bench.self]
    )
}

/// `shortwave serve`: the gateway. Until the SMPP server lands it says so plainly.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway (SMPP on 2775/2776, HTTP on 8080) — not available yet."
    )

    func run() throws {
        print(
            """
            shortwave serve is not available yet: this build has the SMPP codec and the ESME client
            (shortwave send, shortwave bench). The SMPP server, message store and HTTP API land with
            the gateway issue.
            """)
        throw ExitCode(2)
    }
}
