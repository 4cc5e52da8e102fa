public import SMPPCore

extension Gateway {
    public struct Configuration: Sendable {
        /// This node's id in message ids (0…1023), distinct per node of a cluster.
        public var node: Int
        public var validation: SubmitValidation.Limits
        public var simulator: CarrierSimulator.Configuration
        /// How long a receipt or MO waits for a receiver before it is dropped.
        public var deliveryExpiry: Duration
        /// Submits waiting for their commit beyond which new ones get ESME_RMSGQFUL.
        public var maximumPendingSubmits: Int
        /// Status changes, receipts and acknowledgements waiting for the outbox writer beyond which
        /// new messages get ESME_RMSGQFUL (the outbox must keep up with what is accepted).
        public var maximumPendingOutbox: Int
        /// Most messages per transaction.
        public var commitBatch: Int
        /// India DLT scrubbing of messages to DLT destinations.
        public var dlt: DLTRules
        /// The SMPP status of a prepaid message the balance does not cover (0x45 ESME_RSUBMITFAIL).
        public var insufficientBalanceStatus: CommandStatus
        /// Final statuses that give a message's price back: it never reached a carrier.
        public var refundOn: Set<MessageStatus>

        public init(
            node: Int = Int.random(in: 0...1023), validation: SubmitValidation.Limits = .init(),
            simulator: CarrierSimulator.Configuration = .standard, deliveryExpiry: Duration = .seconds(72 * 3600),
            maximumPendingSubmits: Int = 100_000, maximumPendingOutbox: Int = 200_000, commitBatch: Int = 8_192,
            dlt: DLTRules = DLTRules(), insufficientBalanceStatus: CommandStatus = CommandStatus(rawValue: 0x45),
            refundOn: Set<MessageStatus> = [.rejected, .failed, .expired, .deleted]
        ) {
            self.insufficientBalanceStatus = insufficientBalanceStatus
            self.refundOn = refundOn
            self.dlt = dlt
            self.maximumPendingOutbox = maximumPendingOutbox
            self.node = node
            self.validation = validation
            self.simulator = simulator
            self.deliveryExpiry = deliveryExpiry
            self.maximumPendingSubmits = maximumPendingSubmits
            self.commitBatch = commitBatch
        }
    }
}
