import NIOCore
import SMPPCore
import Testing

@Suite("PDU golden vectors")
struct PDUVectorTests {
    @Test("decodes to exactly the vector's fields", arguments: Vectors.pdus)
    func decode(vector: Vector) throws {
        try requireLoaded(vector)
        let bytes = ByteBuffer(hex: vector.json["hex"]!.string!)
        let packet = try SMPPPacket.decode(frame: bytes)
        let fields = PacketJSON.fields(packet, commandLength: bytes.readableBytes)
        let problems = PacketJSON.differences(expected: vector.json["pdu"]!, actual: fields)
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test("encodes the vector's fields to exactly its octets", arguments: Vectors.pdus)
    func encode(vector: Vector) throws {
        try requireLoaded(vector)
        let packet = try PacketJSON.packet(from: vector.json["pdu"]!)
        var expected = vector.json["hex"]!.string!
        // Decode-tolerance vectors (an error response with a lone-NUL body): the canonical
        // encoding omits the body, as SMPP v3.4 §4.1.2/§4.4.2 say.
        let notes = vector.json["notes"]?.array?.compactMap(\.string) ?? []
        if notes.contains(where: { $0.hasPrefix("decode-tolerance vector") }) {
            var header = ByteBuffer(hex: String(expected.prefix(32)))
            header.setInteger(UInt32(16), at: 0)
            expected = header.hex
        }
        #expect(try packet.encoded().hex == expected)
    }

    @Test("typed TLV accessors read the vector's values", arguments: Vectors.pdus)
    func typedTLVs(vector: Vector) throws {
        try requireLoaded(vector)
        guard let tlvs = vector.json["pdu"]?["tlvs"]?.array, !tlvs.isEmpty else { return }
        let packet = try SMPPPacket.decode(frame: ByteBuffer(hex: vector.json["hex"]!.string!))
        let list: TLVList
        switch packet.pdu {
        case .submitSM(let s), .deliverSM(let s): list = s.tlvs
        case .dataSM(let d): list = d.tlvs
        case .dataSMResp(let d): list = d.tlvs
        case .bindTransmitterResp(let b), .bindReceiverResp(let b), .bindTransceiverResp(let b): list = b.tlvs
        case .alertNotification(let a): list = a.tlvs
        case .submitMulti(let s): list = s.tlvs
        default:
            Issue.record("TLVs on \(packet.commandID)")
            return
        }
        for tlv in tlvs {
            let value = tlv["value"]
            switch tlv["tag"]!.string! {
            case "0x001e": #expect(list.receiptedMessageID == value?.string)
            case "0x001d": #expect(list.additionalStatusInfoText == value?.string)
            case "0x0427": #expect(list.messageState?.rawValue == value?.int.map(UInt8.init))
            case "0x020c": #expect(list.sarMsgRefNum == value?.int.map(UInt16.init))
            case "0x020e": #expect(list.sarTotalSegments == value?.int.map(UInt8.init))
            case "0x020f": #expect(list.sarSegmentSeqnum == value?.int.map(UInt8.init))
            case "0x0204": #expect(list.userMessageReference == value?.int.map(UInt16.init))
            case "0x020a": #expect(list.sourcePort == value?.int.map(UInt16.init))
            case "0x020b": #expect(list.destinationPort == value?.int.map(UInt16.init))
            case "0x0210": #expect(list.scInterfaceVersion == value?.int.map(UInt8.init))
            case "0x0425": #expect(list.deliveryFailureReason == value?.int.map(UInt8.init))
            case "0x1400": #expect(list.dltPrincipalEntityID == value?.string)
            case "0x1401": #expect(list.dltContentTemplateID == value?.string)
            case "0x0423":
                let hex = tlv["hex"]!.string!
                #expect(list.networkErrorCode == NetworkErrorCode(networkType: UInt8(hex.prefix(2), radix: 16)!, errorCode: UInt16(hex.suffix(4), radix: 16)!))
            case "0x0424": #expect(list.messagePayload?.hex == tlv["hex"]?.string)
            default: #expect(list[TLVTag(UInt16(tlv["tag"]!.string!.dropFirst(2), radix: 16)!)]?.hex == tlv["hex"]?.string)
            }
        }
    }
}
