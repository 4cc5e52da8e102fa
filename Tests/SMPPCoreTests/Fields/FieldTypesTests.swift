import NIOCore
import SMPPCore
import Testing

@Suite("Field types")
struct FieldTypesTests {
    @Test("command ids and statuses have their SMPP names, unknown values their hex")
    func names() {
        #expect(CommandID.submitSM.name == "submit_sm")
        #expect(CommandID.submitSM.response == .submitSMResp)
        #expect(CommandID.dataSMResp.isResponse && !CommandID.dataSM.isResponse)
        #expect(CommandID(rawValue: 0x99).name == "0x00000099")
        #expect(CommandStatus.throttled.name == "ESME_RTHROTTLED")
        #expect(CommandStatus.invalidDestinationTON.rawValue == 0x50)
        #expect(CommandStatus(rawValue: 0x402).name == "VENDOR_0x00000402")
        #expect(CommandStatus(rawValue: 0x112).name == "ESME_RINVBCASTCHANIND")
        #expect(CommandStatus.messageQueueFull.isTransient && !CommandStatus.invalidDestinationAddress.isTransient)
    }

    @Test("esm_class, registered_delivery and data_coding bits")
    func flags() {
        var esm = ESMClass(mode: .storeAndForward, type: .smscDeliveryReceipt, udhi: true)
        #expect(esm.rawValue == 0x47)
        #expect(esm.isReceipt && esm.udhi && esm.mode == .storeAndForward)
        esm.udhi = false
        esm.messageType = .intermediateDeliveryNotification
        #expect(esm.rawValue == 0x23 && esm.isReceipt)
        #expect(!ESMClass().isReceipt)

        #expect(RegisteredDelivery.receipt.wantsReceipt(delivered: true))
        #expect(RegisteredDelivery.receipt.wantsReceipt(delivered: false))
        let failureOnly = RegisteredDelivery(receipt: .onFailure)
        #expect(!failureOnly.wantsReceipt(delivered: true) && failureOnly.wantsReceipt(delivered: false))
        #expect(!RegisteredDelivery.none.wantsReceipt(delivered: false))
        #expect(RegisteredDelivery(receipt: .none, intermediateNotification: true).rawValue == 0x10)

        #expect(DataCoding.smscDefault.alphabet == .gsm7)
        #expect(DataCoding.flashGSM7.alphabet == .gsm7)
        #expect(DataCoding.ucs2.alphabet == .ucs2)
        #expect(DataCoding.latin1.alphabet == .latin1)
        #expect(DataCoding.binary.alphabet == .binary)
        #expect(DataCoding.jis.alphabet == nil)
        for alphabet in SMSAlphabet.allCases where alphabet != .binary { #expect(alphabet.dataCoding.alphabet == alphabet) }
    }

    @Test("message_state names, receipt words and finality")
    func states() {
        #expect(MessageState.delivered.receiptStat == "DELIVRD")
        #expect(MessageState.undeliverable.receiptStat == "UNDELIV")
        for raw in UInt8(1)...8 {
            let state = MessageState(rawValue: raw)
            #expect(MessageState(receiptStat: state.receiptStat) == state)
        }
        #expect(MessageState.delivered.isFinal && !MessageState.enroute.isFinal && !MessageState.accepted.isFinal)
    }
}

@Suite("TLV list")
struct TLVListTests {
    @Test("typed setters replace in place, keep order, and nil removes")
    func setters() {
        var list: TLVList = [TLV(tag: TLVTag(0x1500), value: ByteBuffer(bytes: [1, 2]))]
        list.sarMsgRefNum = 42
        list.messageState = .delivered
        list.sarMsgRefNum = 43
        #expect(list.map(\.tag) == [TLVTag(0x1500), .sarMsgRefNum, .messageState])
        #expect(list.sarMsgRefNum == 43)
        list.receiptedMessageID = "abc"
        #expect(list[.receiptedMessageID]?.readableBytesView.elementsEqual([0x61, 0x62, 0x63, 0]) == true)
        list.dltPrincipalEntityID = "1101456789012345678"
        #expect(list[.dltPrincipalEntityID]?.readableBytes == 19)
        list.networkErrorCode = NetworkErrorCode(networkType: 3, errorCode: 0x0102)
        #expect(list.networkErrorCode == NetworkErrorCode(networkType: 3, errorCode: 0x0102))
        list.messageState = nil
        #expect(list.messageState == nil && list.count == 5)
        // A value of the wrong size reads as absent rather than as garbage.
        list[.userMessageReference] = ByteBuffer(bytes: [1, 2, 3])
        #expect(list.userMessageReference == nil)
    }

    @Test("tag names and length rules")
    func tags() {
        #expect(TLVTag.receiptedMessageID.name == "receipted_message_id")
        #expect(TLVTag(0x2001).name == "0x2001" && TLVTag(0x2001).isVendorSpecific)
        #expect(TLVTag.messagePayload.allowedLengths == nil)
        #expect(TLVTag.networkErrorCode.allowedLengths == 3...3)
    }

    @Test("a part whose sequence is beyond its total is refused by the reassembler")
    func invalidPart() {
        var reassembler = ConcatenationReassembler<Int>()
        let outcome = reassembler.add(ConcatenationInfo(reference: 1, total: 2, sequence: 3, content: ByteBuffer()), key: 0)
        #expect({ if case .invalid = outcome { true } else { false } }())
        #expect(reassembler.pending.isEmpty)
    }
}
