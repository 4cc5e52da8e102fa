import ArgumentParser
import Metrics
import Prometheus
import Foundation
import Glibc
import GatewayApp
import GatewayCore
import Logging

/// `shortwave serve`: the gateway, with embedded defaults and no configuration needed.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway: SMPP on 2775, SMPP over TLS on 2776, HTTP on 8080 (127.0.0.1 until told otherwise), data in ./shortwave-data.",
        discussion: """
            With no configuration it creates ./shortwave-data/ (an SQLite database and a self-signed \
            TLS certificate), a demo account whose credentials and API key it prints once, an admin \
            token (printed once too; the admin API is /admin/v1 on the HTTP port), and routes every \
            message to the built-in carrier simulator, which delivers it and sends a receipt.

            Settings come from the defaults, then a JSON file (--config), then SHORTWAVE_* \
            environment variables (SHORTWAVE_DATA_DIR, SHORTWAVE_SMPP_PORT, SHORTWAVE_SMPP_TLS_PORT, \
            SHORTWAVE_HTTP_PORT, SHORTWAVE_SMPP_HOST, SHORTWAVE_NODE_ID, SHORTWAVE_LOG_LEVEL, SHORTWAVE_ADMIN_TOKEN, \
            SHORTWAVE_FULL_SYNC, SHORTWAVE_SIMULATOR_DELAY_MS…), then these flags.
            """
    )

    @Option(help: "A JSON configuration file.")
    var config: String?

    @Option(help: "Where the database and certificate live (default ./shortwave-data).")
    var dataDir: String?

    @Option(help: "Address the SMPP listeners bind to (default 127.0.0.1: this machine only; 0.0.0.0 for every interface).")
    var smppHost: String?

    @Option(help: "SMPP port (default 2775; 0 picks a free one).")
    var smppPort: Int?

    @Option(parsing: .unconditional, help: "SMPP over TLS port (default 2776; -1 turns the TLS listener off).")
    var smppTlsPort: Int?

    @Option(help: "HTTP API port (default 8080).")
    var httpPort: Int?

    @Option(help: "Serve the admin API (and /metrics) on this port of 127.0.0.1 (or http.adminHost) only, not on the HTTP API's.")
    var adminPort: Int?

    @Option(help: "Address the HTTP API (and the admin API) listens on (default 127.0.0.1: this machine only; 0.0.0.0 for every interface).")
    var httpHost: String?

    @Option(help: "An upstream carrier, smpp://system_id:password@host:port?binds=4&window=100 (smpps:// for TLS): every message goes there instead of the simulator.")
    var upstream: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical (default info).")
    var logLevel: String?

    @Option(help: "Event-loop threads (default: the CPUs this process may use — its affinity mask and cgroup CPU quota).")
    var threads: Int?

    func run() async throws {
        var configuration = GatewayConfiguration()
        do {
            if let config { configuration = try GatewayConfiguration.load(file: config) }
            try configuration.applyEnvironment(ProcessInfo.processInfo.environment)
        } catch let error as ConfigurationError {
            // serve's mistake, said as such (a ValidationError here printed the top-level usage).
            FileHandle.standardError.write("error: \(error.description)\n")
            throw ExitCode(1)
        }
        if let dataDir { configuration.dataDirectory = dataDir }
        if let smppHost { configuration.smpp.host = smppHost }
        if let smppPort { configuration.smpp.port = smppPort }
        if let smppTlsPort { configuration.smpp.tlsPort = smppTlsPort }
        if let httpPort { configuration.http.port = httpPort }
        if let adminPort { configuration.http.adminPort = adminPort }
        if let httpHost { configuration.http.host = httpHost }
        if let upstream { configuration.upstream = upstream }
        if let logLevel { configuration.logLevel = logLevel }
        if let threads { configuration.threads = threads }
        do {
            try configuration.validate()
        } catch let error as ConfigurationError {
            FileHandle.standardError.write("error: \(error.description)\n")
            throw ExitCode(1)
        }

        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "shortwave")
        // Before anything starts an event loop: as many as the CPUs this process may use.
        let threads = CPUBudget.apply(threads: configuration.threads)
        logger.info("event loops", metadata: ["threads": "\(threads)", "cpus": "\(CPUBudget.available())"])
        // Counters and timers go to a Prometheus registry, served at /metrics (admin token).
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let application = GatewayApplication(configuration: configuration, logger: logger, metrics: { registry.emitToBuffer() })
        let prepared: GatewayApplication.Prepared
        do {
            prepared = try await application.prepare()
        } catch let error as ConfigurationError {
            FileHandle.standardError.write("error: \(error.description)\n")
            throw ExitCode(1)
        }
        let lines = [prepared.demoAccountLine, prepared.adminTokenLine].compactMap { $0 }
        if !lines.isEmpty {
            // Straight to fd 1 so that a script reading a pipe sees it at once.
            let text = lines.joined(separator: "\n") + "\n"
            var bytes = Array(text.utf8)
            _ = Glibc.write(1, &bytes, bytes.count)
        }
        do {
            try await application.run(prepared)
        } catch {
            FileHandle.standardError.write("error: \(error)\n")
            throw ExitCode(1)
        }
    }
}
