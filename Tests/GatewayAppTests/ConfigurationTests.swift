import Foundation
import GatewayApp
import GatewayCore
import SMPPClient
import SMPPCore
import Testing

@Suite struct ConfigurationTests {
    func write(_ json: String) throws -> String {
        let path = NSTemporaryDirectory() + "shortwave-config-" + UUID().uuidString + ".json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func defaultsAreWhatANewUserGets() throws {
        let configuration = GatewayConfiguration()
        #expect(configuration.smpp.port == 2775)
        #expect(configuration.smpp.tlsPort == 2776)
        #expect(configuration.http.port == 8080)
        // Loopback until the operator opens it up (the quick start prints demo credentials).
        #expect(configuration.smpp.host == "127.0.0.1" && configuration.http.host == "127.0.0.1")
        #expect(configuration.dataDirectory == "shortwave-data")
        #expect(configuration.storage.fullSync)
        #expect(configuration.simulator.rules.isEmpty && configuration.simulator.shares.isEmpty)
        try configuration.validate()
    }

    @Test func aDuplicateKeyOrATrailingCommaIsRefusedWithItsLineAndColumn() throws {
        let duplicate = try self.write("{\n  \"smpp\": {\"port\": 2775,\n           \"port\": 2776}\n}")
        #expect(throws: ConfigurationError.self) { try GatewayConfiguration.load(file: duplicate) }
        do { _ = try GatewayConfiguration.load(file: duplicate) } catch let error as ConfigurationError {
            #expect(error.description == "\(duplicate):3:12: not valid JSON: duplicate member name \"port\"")
        }
        let trailing = try self.write("{\"smpp\": {\"port\": 2775,}}")
        do {
            _ = try GatewayConfiguration.load(file: trailing)
            Issue.record("a trailing comma was accepted")
        } catch let error as ConfigurationError {
            #expect(error.description == "\(trailing):1:24: not valid JSON: expected a member name in quotes")
        }
    }

    @Test func aFileSetsWhatItNamesAndKeepsTheRest() throws {
        let path = try self.write(
            """
            {"dataDirectory": "/tmp/x", "smpp": {"port": 3775, "window": 50},
             "simulator": {"delayMilliseconds": 20, "rules": [{"destinationSuffix": "9", "status": "undelivered", "error": 11}]}}
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = try GatewayConfiguration.load(file: path)
        #expect(configuration.dataDirectory == "/tmp/x")
        #expect(configuration.smpp.port == 3775)
        #expect(configuration.smpp.window == 50)
        #expect(configuration.smpp.tlsPort == 2776)
        #expect(configuration.simulator.delayMilliseconds == 20)
        #expect(configuration.simulator.rules == [.init(destinationSuffix: "9", status: .undelivered, error: 11)])
        #expect(configuration.simulator.replies == CarrierSimulator.Configuration.standard.replies)  // left out: kept
    }

    @Test func mistakesSayWhatToFix() throws {
        func message(_ json: String) throws -> String {
            let path = try self.write(json)
            defer { try? FileManager.default.removeItem(atPath: path) }
            do {
                _ = try GatewayConfiguration.load(file: path)
                return "accepted"
            } catch let error as ConfigurationError {
                return error.description
            }
        }
        #expect(try message(#"{"smpp": {"prot": 1}}"#).contains(#"unknown key "smpp.prot""#))
        #expect(try message(#"{"colour": 1}"#).contains(#"unknown key "colour""#))
        #expect(try message(#"{"smpp": {"port": "x"}}"#).contains("smpp.port has the wrong type"))
        #expect(try message(#"{"smpp": "#).contains("not valid JSON"))
        #expect(try message(#"[1]"#).contains("must hold a JSON object"))
        #expect(throws: ConfigurationError.self) { try GatewayConfiguration.load(file: "/nonexistent/config.json") }
    }

    @Test func environmentOverridesTheFile() throws {
        var configuration = GatewayConfiguration()
        try configuration.applyEnvironment([
            "SHORTWAVE_SMPP_PORT": "4000", "SHORTWAVE_DATA_DIR": "/srv/sw", "SHORTWAVE_FULL_SYNC": "false", "SHORTWAVE_NODE_ID": "7",
            "SHORTWAVE_SMPP_TLS_PORT": "-1",
        ])
        #expect(configuration.smpp.port == 4000)
        #expect(configuration.dataDirectory == "/srv/sw")
        #expect(!configuration.storage.fullSync)
        #expect(configuration.node == 7)
        #expect(configuration.smpp.tlsPort == -1)
        #expect(throws: ConfigurationError.self) { try configuration.applyEnvironment(["SHORTWAVE_SMPP_PORT": "abc"]) }
        #expect(throws: ConfigurationError.self) { try configuration.applyEnvironment(["SHORTWAVE_FULL_SYNC": "maybe"]) }
    }

    @Test func validationRefusesWhatCannotWork() {
        var configuration = GatewayConfiguration()
        configuration.smpp.port = 70_000
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration = GatewayConfiguration()
        configuration.node = 2_000
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration = GatewayConfiguration()
        configuration.smpp.tlsCertificate = "/etc/cert.pem"
        #expect(throws: ConfigurationError.self) { try configuration.validate() }  // the key is missing
        configuration = GatewayConfiguration()
        configuration.simulator.shares = [.init(status: .expired, percent: 80), .init(status: .rejected, percent: 30)]
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration = GatewayConfiguration()
        configuration.logLevel = "loud"
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        for change in [{ (c: inout GatewayConfiguration) in c.dlt.hours = "ten to nine" }, { $0.dlt.prefixes = ["+91"] }, { $0.adminToken = "short" },
                       { $0.http.maximumBatch = 0 }] as [(inout GatewayConfiguration) -> Void] {
            configuration = GatewayConfiguration()
            change(&configuration)
            #expect(throws: ConfigurationError.self) { try configuration.validate() }
        }
    }

    @Test func dltSettingsBecomeRules() throws {
        let path = try self.write(#"{"dlt": {"prefixes": ["91", "880"], "rejectStatus": 11, "hours": "09:30-20:00"}}"#)
        let rules = try GatewayConfiguration.load(file: path).dlt.rules()
        #expect(rules.prefixes == ["91", "880"] && rules.rejectStatus.rawValue == 11)
        #expect(rules.windowStart == 570 && rules.windowEnd == 1200 && rules.utcOffsetMinutes == 330)
        #expect(throws: ConfigurationError.self) { try GatewayConfiguration.load(file: try self.write(#"{"dlt": {"window": "x"}}"#)) }
    }

    @Test func theOperatorsOwnCertificateIsUsed() async throws {
        // Make a certificate the way the first run does, then name it as the operator's own.
        let first = try await TestGateway.start()
        try await first.stop()
        let certificate = first.directory + "/tls-certificate.pem"
        let key = first.directory + "/tls-key.pem"
        let gateway = try await TestGateway.start {
            $0.smpp.tlsCertificate = certificate
            $0.smpp.tlsKey = key
        }
        defer {
            gateway.removeData()
            first.removeData()
        }
        try await gateway.addAccount()
        #expect(!FileManager.default.fileExists(atPath: gateway.directory + "/tls-certificate.pem"))
        let connection = try await gateway.connect(tls: .trusting(pemFile: certificate))
        #expect(try await connection.submit(submit()).isOK)
        await connection.close()
        try await gateway.stop()
        // A key that does not exist is a clear error, not a crash.
        await #expect(throws: ConfigurationError.self) {
            _ = try await TestGateway.start {
                $0.smpp.tlsCertificate = certificate
                $0.smpp.tlsKey = "/nonexistent/key.pem"
            }
        }
    }
}
