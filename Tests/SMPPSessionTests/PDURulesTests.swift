import SMPPCore
import SMPPSession
import Testing

@Suite("PDU legality by session state (SMPP v3.4 Table 2-1)")
struct PDURulesTests {
    typealias V = PDURules.Verdict
    static let states: [SessionState] = [.open, .bound(.transmitter), .bound(.receiver), .bound(.transceiver), .unbound, .closed]

    /// Expected verdicts for requests an SMSC receives from an ESME, per state in `states` order.
    static let smscReceives: [(CommandID, [V])] = [
        (.bindTransmitter, [.allowed, .rejected(.alreadyBound), .rejected(.alreadyBound), .rejected(.alreadyBound), .rejected(.invalidBindStatus), .rejected(.invalidBindStatus)]),
        (.bindTransceiver, [.allowed, .rejected(.alreadyBound), .rejected(.alreadyBound), .rejected(.alreadyBound), .rejected(.invalidBindStatus), .rejected(.invalidBindStatus)]),
        (.submitSM, [.rejected(.invalidBindStatus), .allowed, .rejected(.invalidBindStatus), .allowed, .rejected(.invalidBindStatus), .rejected(.invalidBindStatus)]),
        (.submitMulti, [.rejected(.invalidBindStatus), .allowed, .rejected(.invalidBindStatus), .allowed, .rejected(.invalidBindStatus), .rejected(.invalidBindStatus)]),
        (.querySM, [.rejected(.invalidBindStatus), .allowed, .rejected(.invalidBindStatus), .allowed, .rejected(.invalidBindStatus), .rejected(.invalidBindStatus)]),
        (.cancelSM, [.rejected(.invalidBindStatus), .allowed, .rejected(.invalidBindStatus), .allowed, .rejected(.invalidBindStatus), .rejected(.invalidBindStatus)]),
        (.replaceSM, [.rejected(.invalidBindStatus), .allowed, .rejected(.invalidBindStatus), .allowed, .rejected(.invalidBindStatus), .rejected(.invalidBindStatus)]),
        (.dataSM, [.rejected(.invalidBindStatus), .allowed, .allowed, .allowed, .rejected(.invalidBindStatus), .rejected(.invalidBindStatus)]),
        (.unbind, [.rejected(.invalidBindStatus), .allowed, .allowed, .allowed, .rejected(.invalidBindStatus), .rejected(.invalidBindStatus)]),
        (.enquireLink, [.allowed, .allowed, .allowed, .allowed, .rejected(.invalidBindStatus), .rejected(.invalidBindStatus)]),
        // An ESME never sends these.
        (.deliverSM, Array(repeating: .rejected(.invalidBindStatus), count: 6)),
        (.alertNotification, Array(repeating: .rejected(.invalidBindStatus), count: 6)),
        (.outbind, Array(repeating: .rejected(.invalidBindStatus), count: 6)),
    ]

    /// Expected verdicts for requests an ESME receives from an SMSC.
    static let esmeReceives: [(CommandID, [V])] = [
        (.outbind, [.allowed] + Array(repeating: .rejected(.invalidBindStatus), count: 5)),
        (.deliverSM, [.rejected(.invalidBindStatus), .rejected(.invalidBindStatus), .allowed, .allowed, .rejected(.invalidBindStatus), .rejected(.invalidBindStatus)]),
        (.alertNotification, [.rejected(.invalidBindStatus), .rejected(.invalidBindStatus), .allowed, .allowed, .rejected(.invalidBindStatus), .rejected(.invalidBindStatus)]),
        (.dataSM, [.rejected(.invalidBindStatus), .allowed, .allowed, .allowed, .rejected(.invalidBindStatus), .rejected(.invalidBindStatus)]),
        (.unbind, [.rejected(.invalidBindStatus), .allowed, .allowed, .allowed, .rejected(.invalidBindStatus), .rejected(.invalidBindStatus)]),
        (.enquireLink, [.allowed, .allowed, .allowed, .allowed, .rejected(.invalidBindStatus), .rejected(.invalidBindStatus)]),
        (.submitSM, Array(repeating: .rejected(.invalidBindStatus), count: 6)),
        (.bindTransmitter, Array(repeating: .rejected(.invalidBindStatus), count: 6)),
    ]

    @Test("an SMSC accepts from an ESME exactly what the table allows")
    func smsc() {
        for (id, expected) in Self.smscReceives {
            let got = Self.states.map { PDURules.inbound(id, state: $0, receiver: .smsc) }
            #expect(got == expected, "\(id)")
        }
    }

    @Test("an ESME accepts from an SMSC exactly what the table allows")
    func esme() {
        for (id, expected) in Self.esmeReceives {
            let got = Self.states.map { PDURules.inbound(id, state: $0, receiver: .esme) }
            #expect(got == expected, "\(id)")
        }
    }

    @Test("a side never sends what its peer would reject")
    func outboundMirrorsInbound() {
        for (id, _) in Self.smscReceives + Self.esmeReceives {
            for state in Self.states {
                #expect(PDURules.outbound(id, state: state, sender: .esme) == PDURules.inbound(id, state: state, receiver: .smsc))
                #expect(PDURules.outbound(id, state: state, sender: .smsc) == PDURules.inbound(id, state: state, receiver: .esme))
            }
        }
    }

    @Test("responses and unknown ids are not requests this table rules on")
    func notRequests() {
        #expect(PDURules.inbound(.submitSMResp, state: .bound(.transceiver), receiver: .smsc) == .rejected(.invalidCommandID))
        #expect(PDURules.inbound(CommandID(rawValue: 0x99), state: .bound(.transceiver), receiver: .smsc) == .rejected(.invalidCommandID))
    }

    @Test("bind types map to their command ids, responses and directions")
    func bindTypes() {
        for type in BindType.allCases {
            #expect(BindType(type.commandID) == type)
            #expect(BindType(type.commandID.response) == type)
            #expect(type.request(Bind(systemID: "a", password: "b")).commandID == type.commandID)
            #expect(type.response(BindResp()).commandID == type.commandID.response)
        }
        #expect(BindType.transmitter.canTransmit && !BindType.transmitter.canReceive)
        #expect(!BindType.receiver.canTransmit && BindType.receiver.canReceive)
        #expect(BindType.transceiver.canTransmit && BindType.transceiver.canReceive)
        #expect(SessionState.bound(.transceiver).description == "BOUND_TRX")
    }
}
