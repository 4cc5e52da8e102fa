import Logging
import NIOCore
import SMPPClient
import SMPPCore
import SMPPSession
import SMPPTesting

func configuration(
    _ smsc: FakeSMSC, password: String = "secret", windowSize: Int = 100, responseTimeout: Duration = .seconds(5),
    tls: SMPPConnection.TLS = .disabled
) -> SMPPConnection.Configuration {
    SMPPConnection.Configuration(
        host: "127.0.0.1", port: smsc.port, systemID: "test", password: password, tls: tls,
        session: SessionConfiguration(role: .esme, windowSize: windowSize, responseTimeout: responseTimeout, bindTimeout: .seconds(5)),
        connectTimeout: .seconds(5))
}

func message(to destination: String = "447700900001", text: String = "hello", receipt: Bool = true) -> SubmitSM {
    SubmitSM(
        source: .sender("ACME"), destination: .recipient(destination), registeredDelivery: receipt ? .receipt : .none,
        shortMessage: ByteBuffer(string: text))
}

/// Waits until `condition` holds, for at most `seconds`; every wait in these tests is bounded.
func eventually(_ seconds: Double = 10, _ condition: () async -> Bool) async -> Bool {
    let end = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
    while ContinuousClock.now < end {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}

/// Takes inbound messages until `count` arrived or `seconds` passed.
func collect(_ inbound: InboundMessages, count: Int, seconds: Double = 10) async -> [InboundMessage] {
    await withTaskGroup(of: [InboundMessage].self) { group in
        group.addTask {
            var taken: [InboundMessage] = []
            for await message in inbound {
                taken.append(message)
                if taken.count == count { break }
            }
            return taken
        }
        group.addTask {
            try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            return []
        }
        var result: [InboundMessage] = []
        for await batch in group {
            if !batch.isEmpty || result.isEmpty { result = batch }
            group.cancelAll()
            break
        }
        return result
    }
}

/// The pool logs lost sessions at warning; the tests make them on purpose.
let quiet: Logger = {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    return logger
}()
