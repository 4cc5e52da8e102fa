import Foundation
import NIOCore
import SMPPCore

/// Maps packets to and from the field conventions of `shared/vectors/README.md`, independently of
/// the codec under test: the encode test builds packets from these fields, the decode test compares
/// against them.
enum PacketJSON {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    // MARK: packet → fields

    static func fields(_ packet: SMPPPacket, commandLength: Int) -> [String: JSONValue] {
        var f: [String: JSONValue] = [
            "command": .string(packet.commandID.name),
            "command_length": .number(Double(commandLength)),
            "command_id": .number(Double(packet.commandID.rawValue)),
            "command_status": .number(Double(packet.status.rawValue)),
            "sequence_number": .number(Double(packet.sequenceNumber)),
        ]
        func set(_ key: String, _ value: String) { f[key] = .string(value) }
        func set(_ key: String, _ value: some BinaryInteger) { f[key] = .number(Double(value)) }
        func address(_ prefix: String, _ name: String, _ a: SMPPAddress) {
            set("\(prefix)_ton", a.ton.rawValue)
            set("\(prefix)_npi", a.npi.rawValue)
            set(name, a.address)
        }
        func tlvs(_ list: TLVList) {
            f["tlvs"] = .array(list.map { tlv in
                .object([
                    "tag": .string("0x" + String(format: "%04x", tlv.tag.rawValue)),
                    "length": .number(Double(tlv.value.readableBytes)), "hex": .string(tlv.value.hex),
                ])
            })
        }
        func message(_ sm: ByteBuffer) {
            set("sm_length", sm.readableBytes)
            set("short_message", sm.hex)
        }
        switch packet.pdu {
        case .bindReceiver(let b), .bindTransmitter(let b), .bindTransceiver(let b):
            set("system_id", b.systemID)
            set("password", b.password)
            set("system_type", b.systemType)
            set("interface_version", b.interfaceVersion)
            address("addr", "address_range", b.addressRange)
        case .bindReceiverResp(let b), .bindTransmitterResp(let b), .bindTransceiverResp(let b):
            set("system_id", b.systemID)
            tlvs(b.tlvs)
        case .outbind(let o):
            set("system_id", o.systemID)
            set("password", o.password)
        case .submitSM(let s), .deliverSM(let s):
            set("service_type", s.serviceType)
            address("source_addr", "source_addr", s.source)
            address("dest_addr", "destination_addr", s.destination)
            set("esm_class", s.esmClass.rawValue)
            set("protocol_id", s.protocolID)
            set("priority_flag", s.priorityFlag.rawValue)
            set("schedule_delivery_time", s.scheduleDeliveryTime?.smppString ?? "")
            set("validity_period", s.validityPeriod?.smppString ?? "")
            set("registered_delivery", s.registeredDelivery.rawValue)
            set("replace_if_present_flag", s.replaceIfPresentFlag)
            set("data_coding", s.dataCoding.rawValue)
            set("sm_default_msg_id", s.smDefaultMsgID)
            message(s.shortMessage)
            tlvs(s.tlvs)
        case .submitSMResp(let r), .deliverSMResp(let r):
            set("message_id", r.messageID)
        case .submitMulti(let s):
            set("service_type", s.serviceType)
            address("source_addr", "source_addr", s.source)
            set("number_of_dests", s.destinations.count)
            f["dest_address"] = .array(s.destinations.map { destination in
                switch destination {
                case .address(let a):
                    .object([
                        "dest_flag": .number(1), "dest_addr_ton": .number(Double(a.ton.rawValue)),
                        "dest_addr_npi": .number(Double(a.npi.rawValue)), "destination_addr": .string(a.address),
                    ])
                case .distributionList(let name):
                    .object(["dest_flag": .number(2), "dl_name": .string(name)])
                }
            })
            set("esm_class", s.esmClass.rawValue)
            set("protocol_id", s.protocolID)
            set("priority_flag", s.priorityFlag.rawValue)
            set("schedule_delivery_time", s.scheduleDeliveryTime?.smppString ?? "")
            set("validity_period", s.validityPeriod?.smppString ?? "")
            set("registered_delivery", s.registeredDelivery.rawValue)
            set("replace_if_present_flag", s.replaceIfPresentFlag)
            set("data_coding", s.dataCoding.rawValue)
            set("sm_default_msg_id", s.smDefaultMsgID)
            message(s.shortMessage)
            tlvs(s.tlvs)
        case .submitMultiResp(let r):
            set("message_id", r.messageID)
            set("no_unsuccess", r.unsuccessful.count)
            f["unsuccess_sme"] = .array(r.unsuccessful.map { failure in
                .object([
                    "dest_addr_ton": .number(Double(failure.destination.ton.rawValue)),
                    "dest_addr_npi": .number(Double(failure.destination.npi.rawValue)),
                    "destination_addr": .string(failure.destination.address),
                    "error_status_code": .number(Double(failure.status.rawValue)),
                ])
            })
        case .dataSM(let d):
            set("service_type", d.serviceType)
            address("source_addr", "source_addr", d.source)
            address("dest_addr", "destination_addr", d.destination)
            set("esm_class", d.esmClass.rawValue)
            set("registered_delivery", d.registeredDelivery.rawValue)
            set("data_coding", d.dataCoding.rawValue)
            tlvs(d.tlvs)
        case .dataSMResp(let r):
            set("message_id", r.messageID)
            tlvs(r.tlvs)
        case .querySM(let q):
            set("message_id", q.messageID)
            address("source_addr", "source_addr", q.source)
        case .querySMResp(let r):
            set("message_id", r.messageID)
            set("final_date", r.finalDate?.smppString ?? "")
            set("message_state", r.messageState.rawValue)
            set("error_code", r.errorCode)
        case .cancelSM(let c):
            set("service_type", c.serviceType)
            set("message_id", c.messageID)
            address("source_addr", "source_addr", c.source)
            address("dest_addr", "destination_addr", c.destination)
        case .replaceSM(let r):
            set("message_id", r.messageID)
            address("source_addr", "source_addr", r.source)
            set("schedule_delivery_time", r.scheduleDeliveryTime?.smppString ?? "")
            set("validity_period", r.validityPeriod?.smppString ?? "")
            set("registered_delivery", r.registeredDelivery.rawValue)
            set("sm_default_msg_id", r.smDefaultMsgID)
            message(r.shortMessage)
        case .alertNotification(let a):
            address("source_addr", "source_addr", a.source)
            address("esme_addr", "esme_addr", a.esmeAddress)
            tlvs(a.tlvs)
        case .genericNack, .unbind, .unbindResp, .enquireLink, .enquireLinkResp, .cancelSMResp, .replaceSMResp:
            break
        }
        return f
    }

    /// The differences between a vector's `pdu` and what was decoded: every key of the vector must
    /// be present and equal (TLVs compared by tag, length and value octets, in order).
    static func differences(expected: JSONValue, actual: [String: JSONValue]) -> [String] {
        guard let expected = expected.object else { return ["vector pdu is not an object"] }
        var problems: [String] = []
        for (key, value) in expected {
            guard let got = actual[key] else {
                problems.append("\(key): missing (expected \(value))")
                continue
            }
            if key == "tlvs" {
                let want = (value.array ?? []).map { [$0["tag"]?.string?.lowercased(), $0["length"]?.description, $0["hex"]?.string] }
                let have = (got.array ?? []).map { [$0["tag"]?.string, $0["length"]?.description, $0["hex"]?.string] }
                if want != have { problems.append("tlvs: expected \(want) got \(have)") }
            } else if value != got {
                problems.append("\(key): expected \(value) got \(got)")
            }
        }
        return problems
    }

    // MARK: fields → packet

    static func packet(from pdu: JSONValue) throws -> SMPPPacket {
        func str(_ key: String) throws -> String {
            guard let value = pdu[key]?.string else { throw Malformed(description: "missing string \(key)") }
            return value
        }
        func int(_ key: String) throws -> Int {
            guard let value = pdu[key]?.int else { throw Malformed(description: "missing number \(key)") }
            return value
        }
        func u8(_ key: String) throws -> UInt8 { UInt8(try int(key)) }
        func address(_ prefix: String, _ name: String) throws -> SMPPAddress {
            SMPPAddress(ton: TypeOfNumber(rawValue: try u8("\(prefix)_ton")), npi: NumberingPlan(rawValue: try u8("\(prefix)_npi")), try str(name))
        }
        func time(_ key: String) throws -> SMPPTime? {
            let text = try str(key)
            if text.isEmpty { return nil }
            guard let time = SMPPTime.parse(text) else { throw Malformed(description: "bad time \(text)") }
            return time
        }
        func tlvs() -> TLVList {
            TLVList((pdu["tlvs"]?.array ?? []).map { tlv in
                TLV(tag: TLVTag(UInt16(tlv["tag"]!.string!.dropFirst(2), radix: 16)!), value: ByteBuffer(hex: tlv["hex"]!.string!))
            })
        }
        func submit() throws -> SubmitSM {
            SubmitSM(
                serviceType: try str("service_type"), source: try address("source_addr", "source_addr"),
                destination: try address("dest_addr", "destination_addr"), esmClass: ESMClass(rawValue: try u8("esm_class")),
                protocolID: try u8("protocol_id"), priorityFlag: Priority(rawValue: try u8("priority_flag")),
                scheduleDeliveryTime: try time("schedule_delivery_time"), validityPeriod: try time("validity_period"),
                registeredDelivery: RegisteredDelivery(rawValue: try u8("registered_delivery")),
                replaceIfPresentFlag: try u8("replace_if_present_flag"), dataCoding: DataCoding(rawValue: try u8("data_coding")),
                smDefaultMsgID: try u8("sm_default_msg_id"), shortMessage: ByteBuffer(hex: try str("short_message")), tlvs: tlvs())
        }
        func bind() throws -> Bind {
            Bind(
                systemID: try str("system_id"), password: try str("password"), systemType: try str("system_type"),
                interfaceVersion: try u8("interface_version"), addressRange: try address("addr", "address_range"))
        }
        func bindResp() -> BindResp { BindResp(systemID: pdu["system_id"]?.string ?? "", tlvs: tlvs()) }
        func messageID() -> MessageIDResponse { MessageIDResponse(messageID: pdu["message_id"]?.string ?? "") }

        let body: PDU
        switch try str("command") {
        case "generic_nack": body = .genericNack
        case "bind_receiver": body = .bindReceiver(try bind())
        case "bind_transmitter": body = .bindTransmitter(try bind())
        case "bind_transceiver": body = .bindTransceiver(try bind())
        case "bind_receiver_resp": body = .bindReceiverResp(bindResp())
        case "bind_transmitter_resp": body = .bindTransmitterResp(bindResp())
        case "bind_transceiver_resp": body = .bindTransceiverResp(bindResp())
        case "outbind": body = .outbind(Outbind(systemID: try str("system_id"), password: try str("password")))
        case "unbind": body = .unbind
        case "unbind_resp": body = .unbindResp
        case "enquire_link": body = .enquireLink
        case "enquire_link_resp": body = .enquireLinkResp
        case "submit_sm": body = .submitSM(try submit())
        case "deliver_sm": body = .deliverSM(try submit())
        case "submit_sm_resp": body = .submitSMResp(messageID())
        case "deliver_sm_resp": body = .deliverSMResp(messageID())
        case "submit_multi":
            let destinations: [SubmitMulti.Destination] = try (pdu["dest_address"]?.array ?? []).map { d in
                switch d["dest_flag"]?.int {
                case 1:
                    .address(SMPPAddress(ton: TypeOfNumber(rawValue: UInt8(d["dest_addr_ton"]!.int!)), npi: NumberingPlan(rawValue: UInt8(d["dest_addr_npi"]!.int!)), d["destination_addr"]!.string!))
                case 2: .distributionList(d["dl_name"]!.string!)
                default: throw Malformed(description: "dest_flag")
                }
            }
            let s = try submit_multi_fields()
            body = .submitMulti(SubmitMulti(
                serviceType: s.serviceType, source: s.source, destinations: destinations, esmClass: s.esmClass,
                protocolID: s.protocolID, priorityFlag: s.priorityFlag, scheduleDeliveryTime: s.scheduleDeliveryTime,
                validityPeriod: s.validityPeriod, registeredDelivery: s.registeredDelivery,
                replaceIfPresentFlag: s.replaceIfPresentFlag, dataCoding: s.dataCoding, smDefaultMsgID: s.smDefaultMsgID,
                shortMessage: s.shortMessage, tlvs: s.tlvs))
        case "submit_multi_resp":
            let failures = (pdu["unsuccess_sme"]?.array ?? []).map { u in
                SubmitMultiResp.Failure(
                    destination: SMPPAddress(ton: TypeOfNumber(rawValue: UInt8(u["dest_addr_ton"]!.int!)), npi: NumberingPlan(rawValue: UInt8(u["dest_addr_npi"]!.int!)), u["destination_addr"]!.string!),
                    status: CommandStatus(rawValue: UInt32(u["error_status_code"]!.int!)))
            }
            body = .submitMultiResp(SubmitMultiResp(messageID: pdu["message_id"]?.string ?? "", unsuccessful: failures))
        case "data_sm":
            body = .dataSM(DataSM(
                serviceType: try str("service_type"), source: try address("source_addr", "source_addr"),
                destination: try address("dest_addr", "destination_addr"), esmClass: ESMClass(rawValue: try u8("esm_class")),
                registeredDelivery: RegisteredDelivery(rawValue: try u8("registered_delivery")),
                dataCoding: DataCoding(rawValue: try u8("data_coding")), tlvs: tlvs()))
        case "data_sm_resp": body = .dataSMResp(DataSMResp(messageID: try str("message_id"), tlvs: tlvs()))
        case "query_sm": body = .querySM(QuerySM(messageID: try str("message_id"), source: try address("source_addr", "source_addr")))
        case "query_sm_resp":
            body = .querySMResp(QuerySMResp(
                messageID: try str("message_id"), finalDate: try time("final_date"),
                messageState: MessageState(rawValue: try u8("message_state")), errorCode: try u8("error_code")))
        case "cancel_sm":
            body = .cancelSM(CancelSM(
                serviceType: try str("service_type"), messageID: try str("message_id"),
                source: try address("source_addr", "source_addr"), destination: try address("dest_addr", "destination_addr")))
        case "cancel_sm_resp": body = .cancelSMResp
        case "replace_sm":
            body = .replaceSM(ReplaceSM(
                messageID: try str("message_id"), source: try address("source_addr", "source_addr"),
                scheduleDeliveryTime: try time("schedule_delivery_time"), validityPeriod: try time("validity_period"),
                registeredDelivery: RegisteredDelivery(rawValue: try u8("registered_delivery")),
                smDefaultMsgID: try u8("sm_default_msg_id"), shortMessage: ByteBuffer(hex: try str("short_message"))))
        case "replace_sm_resp": body = .replaceSMResp
        case "alert_notification":
            body = .alertNotification(AlertNotification(
                source: try address("source_addr", "source_addr"), esmeAddress: try address("esme_addr", "esme_addr"), tlvs: tlvs()))
        case let other:
            throw Malformed(description: "unknown command \(other)")
        }
        return SMPPPacket(sequenceNumber: UInt32(try int("sequence_number")), status: CommandStatus(rawValue: UInt32(try int("command_status"))), pdu: body)

        /// submit_multi shares submit_sm's trailing fields but has no destination address of its own.
        func submit_multi_fields() throws -> SubmitSM {
            SubmitSM(
                serviceType: try str("service_type"), source: try address("source_addr", "source_addr"),
                destination: SMPPAddress(), esmClass: ESMClass(rawValue: try u8("esm_class")),
                protocolID: try u8("protocol_id"), priorityFlag: Priority(rawValue: try u8("priority_flag")),
                scheduleDeliveryTime: try time("schedule_delivery_time"), validityPeriod: try time("validity_period"),
                registeredDelivery: RegisteredDelivery(rawValue: try u8("registered_delivery")),
                replaceIfPresentFlag: try u8("replace_if_present_flag"), dataCoding: DataCoding(rawValue: try u8("data_coding")),
                smDefaultMsgID: try u8("sm_default_msg_id"), shortMessage: ByteBuffer(hex: try str("short_message")), tlvs: tlvs())
        }
    }
}
