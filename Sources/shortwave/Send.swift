import ArgumentParser
import SMPPClient
import SMPPCore
import SMPPSession

/// `shortwave send`: one text through an SMSC, optionally waiting for its receipts.
struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send one SMS through an SMSC and print its message id(s); --dlr waits for the receipt(s).",
        discussion: """
            The text goes as GSM 03.38 when it can, else UCS-2, split into concatenated parts when long. \
            Exit status: 0 sent (and, with --dlr, every receipt arrived); 1 not sent, or a receipt missing; \
            2 could not connect or bind.

            Example: shortwave send --host smsc.example.net --system-id acme --password secret --from ACME --to +447946000000 --text "Your code is 123456" --dlr --wait 60
            """)

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Sender: a number or an alphanumeric id (up to 11 characters).") var from: String
    @Option(help: "Recipient number, international format (+ optional).") var to: String
    @Option(help: "Message text.") var text: String
    @Flag(help: "Ask for delivery receipts and wait for them.") var dlr = false
    @Option(help: "Seconds to wait for receipts with --dlr.") var wait = 60.0

    func validate() throws {
        guard !self.to.isEmpty, self.to.dropFirst(self.to.hasPrefix("+") ? 1 : 0).allSatisfy(\.isNumber) else {
            throw ValidationError("--to must be a phone number such as +447946000000, not '\(self.to)'")
        }
        guard self.to.utf8.count <= 21, self.from.utf8.count <= 20, !self.from.isEmpty else {
            throw ValidationError("--to is at most 20 digits and --from at most 20 characters")
        }
        guard self.wait > 0 else { throw ValidationError("--wait must be above 0 seconds") }
        guard self.connection.parsedBindType != .receiver else { throw ValidationError("send needs --bind-type trx or tx") }
        if self.dlr, self.connection.parsedBindType == .transmitter {
            throw ValidationError("--dlr needs receipts on the same bind: use --bind-type trx")
        }
    }

    func run() async throws {
        let message = TextMessage(self.text, from: .sender(self.from), to: .recipient(self.to), registeredDelivery: self.dlr ? .receipt : .none)
        do {
            _ = try message.submits()
        } catch {
            FileHandle.standardError.write("shortwave send: \(error)\n")
            throw ExitCode(1)
        }
        let connection: SMPPConnection
        do {
            connection = try await SMPPConnection.connect(self.connection.configuration())
        } catch {
            FileHandle.standardError.write("shortwave send: \(self.connection.explain(error))\n")
            throw ExitCode(2)
        }
        // Receipts are buffered by `inbound` from the bind on, so one that overtakes its own
        // submit_sm_resp is still read below.
        let sent: SentMessage
        do {
            sent = try await connection.send(message)
        } catch {
            FileHandle.standardError.write("shortwave send: \(error)\n")
            await connection.close()
            throw ExitCode(1)
        }
        for (index, id) in sent.messageIDs.enumerated() {
            print(sent.parts == 1 ? "message id \(id)" : "message id \(id) (part \(index + 1) of \(sent.parts))")
        }
        guard self.dlr else {
            await connection.close()
            return
        }
        var matcher = ReceiptMatcher<Int, SMPPReceipt>()
        for (index, id) in sent.messageIDs.enumerated() { _ = matcher.submitted(id, index) }
        let deadline = ContinuousClock.now + .milliseconds(Int64(self.wait * 1000))
        let watcher = Task {
            try await Task.sleep(until: deadline, clock: .continuous)
            await connection.close()
        }
        var printed = Set<Int>()
        for await case .receipt(let receipt) in connection.inbound {
            guard let index = matcher.received(receipt.messageID, receipt), printed.insert(index).inserted else { continue }
            print("receipt \(receipt.messageID): \(receipt.text?.stat ?? receipt.state.map { "\($0)" } ?? "unknown")"
                + (receipt.text?.error.map { " err:\($0)" } ?? ""))
            if printed.count == sent.parts { break }
        }
        watcher.cancel()
        await connection.close()
        if printed.count < sent.parts {
            FileHandle.standardError.write("shortwave send: \(sent.parts - printed.count) receipt(s) did not arrive within \(self.wait) s\n")
            throw ExitCode(1)
        }
    }
}
