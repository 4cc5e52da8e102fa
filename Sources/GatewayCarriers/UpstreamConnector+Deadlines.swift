import GatewayCore
import Logging
import Metrics
import Synchronization

// Receipt deadlines (issue 15, item 12): what the connector awaits is given up when its
// carrier's receipt has not come in time, and the memory goes with it.
extension UpstreamConnector {
    /// The receipt deadline of `message`, sent now: `receiptTimeoutHours` after now (never with
    /// 0), else 15 minutes after its validity period ends.
    func receiptDeadline(_ message: Message) -> Int64 {
        if let hours = self.configuration.receiptTimeoutHours {
            return hours > 0 ? self.gateway.clock.wallMilliseconds + Int64(hours) * 3_600_000 : .max
        }
        return (message.expiresAt ?? self.gateway.clock.wallMilliseconds + 48 * 3_600_000) + 15 * 60_000
    }

    /// Starts awaiting `messages`' receipts (`parts` each).
    func startAwaiting(_ messages: some Sequence<Message>, parts: Int) {
        var earliest = Int64.max
        self.awaiting.withLock { awaiting in
            for message in messages {
                let deadline = self.receiptDeadline(message)
                earliest = min(earliest, deadline)
                awaiting[message.id] = Pending(message: message, remaining: parts, deadline: deadline)
            }
        }
        self.nextDeadline.withLock { $0 = min($0, earliest) }
    }

    /// Messages whose receipt deadline passed are given up (`expired`, error 904) and forgotten.
    /// A full look only when the earliest deadline has come.
    func giveUpOverdue() {
        let now = self.gateway.clock.wallMilliseconds
        guard self.nextDeadline.withLock({ $0 }) <= now else { return }
        let overdue = self.awaiting.withLock { awaiting -> [Message] in
            var overdue: [Message] = []
            var next = Int64.max
            for (id, pending) in awaiting {
                if pending.deadline <= now {
                    overdue.append(pending.message)
                    awaiting[id] = nil
                } else {
                    next = min(next, pending.deadline)
                }
            }
            self.nextDeadline.withLock { $0 = next }
            return overdue
        }
        guard !overdue.isEmpty else { return }
        self.metrics.givenUp.increment(by: Int64(overdue.count))
        self.logger.warning(
            "no receipt from the carrier by the deadline: messages end expired (error 904)",
            metadata: [
                "messages": "\(overdue.count)",
                "deadline": "\(self.configuration.receiptTimeoutHours.map { "\($0) h after sending" } ?? "15 min after the validity period")",
            ])
        self.gateway.carriers.noReceipt(overdue)
    }
}
