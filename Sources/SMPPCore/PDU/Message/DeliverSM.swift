/// deliver_sm (SMPP v3.4 §4.6.1): an SMSC delivers a mobile-originated message or a delivery
/// receipt. Its layout is submit_sm's; schedule_delivery_time, validity_period,
/// replace_if_present_flag and sm_default_msg_id are unused and sent as NULL.
public typealias DeliverSM = SubmitSM

extension SubmitSM {
    /// Whether this deliver_sm carries a delivery receipt or intermediate notification
    /// (esm_class message type 0x04 / 0x08 / 0x10 / 0x20) rather than a mobile-originated message.
    public var isReceipt: Bool { self.esmClass.isReceipt }
}
