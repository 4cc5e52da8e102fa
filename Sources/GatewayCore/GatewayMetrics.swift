import CoreMetrics
import Metrics
import SMPPCore
import Synchronization

/// The gateway's counters (swift-metrics; `shortwave serve` exports them for Prometheus at
/// `/metrics`). Handles are made once per label set and cached; every label has a bounded set
/// of values (ingress, status, a refusal's code — never a number or an account).
public final class GatewayMetrics: Sendable {
    public static let shared = GatewayMetrics()

    let counters = Mutex<[String: Counter]>([:])
    /// The per-message counters, made up front: no lock or allocation for each message.
    let acceptedByIngress: [Ingress: Counter]
    let statusChanges: [MessageStatus: Counter]
    let webhooksDelivered = Counter(label: "shortwave_webhooks_total", dimensions: [("outcome", "delivered")])
    let webhooksFailed = Counter(label: "shortwave_webhooks_total", dimensions: [("outcome", "failed")])
    let webhooksRefused = Counter(label: "shortwave_webhooks_refused_total")
    let lateReceipts = Counter(label: "shortwave_receipts_after_deadline_total")
    let deliveries = Counter(label: "shortwave_smpp_deliveries_total")

    init() {
        self.acceptedByIngress = Dictionary(
            uniqueKeysWithValues: [Ingress.smpp, .http].map { ($0, Counter(label: "shortwave_messages_accepted_total", dimensions: [("ingress", $0.rawValue)])) })
        self.statusChanges = Dictionary(
            uniqueKeysWithValues: MessageStatus.allCases.map { ($0, Counter(label: "shortwave_status_changes_total", dimensions: [("status", $0.rawValue)])) })
    }

    func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
        let key = label + dimensions.map { "|\($0.0)=\($0.1)" }.joined()
        return self.counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(label: label, dimensions: dimensions)
            counters[key] = counter
            return counter
        }
    }

    /// Messages stored (acknowledged to the customer).
    public func accepted(_ count: Int, ingress: Ingress) {
        self.acceptedByIngress[ingress]?.increment(by: Int64(count))
    }

    /// Messages refused, by the SMPP status or the rule that refused them (a cached handle per reason).
    public func refused(_ refused: Refused, ingress: Ingress) {
        let reason = refused.code ?? String(refused.status.rawValue, radix: 16)
        self.counter("shortwave_messages_refused_total", [("ingress", ingress.rawValue), ("reason", reason)]).increment()
    }

    /// Status changes written (with their receipts and webhooks).
    public func statusChanged(_ status: MessageStatus) {
        self.statusChanges[status]?.increment()
    }

    /// Webhook POSTs, by outcome: delivered (2xx) or failed (to be retried).
    public func webhook(delivered: Bool) {
        (delivered ? self.webhooksDelivered : self.webhooksFailed).increment()
    }

    /// A carrier's receipt for a message the gateway had stopped waiting for (error 904).
    public func lateReceipt() {
        self.lateReceipts.increment()
    }

    /// A webhook not sent: its host resolved to an address webhooks may not reach.
    public func webhookRefused() {
        self.webhooksRefused.increment()
    }

    /// SMPP deliver_sm (receipts and MO) acknowledged by customers.
    public func deliveryAcknowledged() {
        self.deliveries.increment()
    }
}
