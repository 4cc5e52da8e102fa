import GatewayCore
import NIOCore
import SMPPCore
import Testing

@Suite struct DLTTemplateTests {
    @Test func placeholdersStandForUpToThirtyCharacters() throws {
        let template = try DLTTemplate("Dear {#var#}, your OTP is {#var#}. Do not share it.")
        #expect(template.matches("Dear Asha, your OTP is 123456. Do not share it."))
        #expect(template.matches("Dear , your OTP is . Do not share it."))
        #expect(template.matches("Dear \(String(repeating: "x", count: 30)), your OTP is 1. Do not share it."))
        #expect(!template.matches("Dear \(String(repeating: "x", count: 31)), your OTP is 1. Do not share it."))
        #expect(!template.matches("Dear Asha, your OTP is 123456. Do not share it!"))  // one character off
        #expect(!template.matches("Dear Asha, your OTP is 123456. Do not share it. "))
        #expect(!template.matches("dear Asha, your OTP is 123456. Do not share it."))
        #expect(try DLTTemplate("{#var#}").matches("anything up to thirty chars"))
        #expect(try DLTTemplate("Fixed text").matches("Fixed text"))
        #expect(try DLTTemplate("₹{#var#} credited").matches("₹500 credited"))
    }

    @Test(arguments: ["", "Hi {#var}", "Hi {#name#}", "Hi var#}", "Hi {#VAR#}", "{# var #}"])
    func brokenPlaceholdersAreNamed(_ text: String) {
        #expect(throws: DLTTemplate.Broken.self) { try DLTTemplate(text) }
    }
}

@Suite struct DLTRulesTests {
    static let entity = "1101456789012345678"
    static let registration = DLTRegistration(
        entities: [entity, "1101000000000000001"],
        headers: [.init(header: "SHRTWV", entityID: entity), .init(header: "OTHERS", entityID: "1101000000000000001")],
        templates: [
            .init(id: "1107000000000000001", entityID: entity, text: "Your OTP is {#var#}", headers: ["SHRTWV"], category: .transactional),
            .init(id: "1107000000000000002", entityID: entity, text: "Sale! {#var#} off today", category: .promotional),
            .init(id: "1107000000000000003", entityID: "1101000000000000001", text: "Hello {#var#}", category: .serviceImplicit),
        ])

    func message(to: String = "919812345678", from: String = "SHRTWV", text: String = "Your OTP is 1234", entity: String? = entity,
                 template: String? = "1107000000000000001") -> Message {
        var tlvs = TLVList()
        tlvs.dltPrincipalEntityID = entity
        tlvs.dltContentTemplateID = template
        return Message(
            id: MessageID(rawValue: 1), accountID: "a", source: SMPPAddress(ton: .alphanumeric, npi: .unknown, from),
            destination: SMPPAddress(ton: .international, npi: .isdn, to), payload: Array(text.utf8), tlvs: tlvs, submittedAt: 0)
    }

    /// 2026-11-27 at `hour`:00 IST, in milliseconds since 1970.
    func ist(_ hour: Int) -> Int64 { Timestamp.parse("2026-11-27T\(hour < 10 ? "0" : "")\(hour):00:00+05:30")! }

    @Test func aCompliantMessagePassesAndOtherCountriesAreNotScrubbed() throws {
        try Self.registration.validate()
        let rules = DLTRules()
        #expect(rules.check(self.message(), registration: Self.registration, now: self.ist(3)) == nil)
        #expect(rules.check(self.message(to: "447700900123", entity: nil, template: nil), registration: .init(), now: 0) == nil)
        #expect(rules.check(self.message(to: "+919812345678"), registration: Self.registration, now: self.ist(3)) == nil)
    }

    @Test(arguments: [
        (DLTViolation.missingEntityID, "entity"), (.missingTemplateID, "template"), (.malformedID, "malformed"), (.unknownEntity, "unknownEntity"),
        (.headerNotRegistered, "header"), (.unknownTemplate, "unknownTemplate"), (.templateOfAnotherEntity, "otherEntity"),
        (.headerNotLinked, "notLinked"), (.bodyMismatch, "body"),
    ])
    func eachRuleIsNamed(_ violation: DLTViolation, _ case: String) {
        let message: Message =
            switch `case` {
            case "entity": self.message(entity: nil)
            case "template": self.message(template: nil)
            case "malformed": self.message(entity: "11014567890ABC")
            case "unknownEntity": self.message(entity: "1101999999999999999")
            case "header": self.message(from: "NOTREG")
            case "unknownTemplate": self.message(template: "1107999999999999999")
            case "otherEntity": self.message(template: "1107000000000000003")
            case "notLinked": self.message(from: "OTHERS", entity: "1101000000000000001", template: "1107000000000000001")
            default: self.message(text: "Your PIN is 1234")
            }
        let found = DLTRules().check(message, registration: Self.registration, now: self.ist(12))
        // "notLinked" sends from OTHERS (entity …001) a template of the other entity: the entity rule comes first.
        #expect(found == (`case` == "notLinked" ? .templateOfAnotherEntity : violation))
    }

    @Test func aTemplateLinkedToOtherHeadersIsRefusedFromThisOne() {
        var registration = Self.registration
        registration.headers.append(.init(header: "SECOND", entityID: Self.entity))
        #expect(DLTRules().check(self.message(from: "SECOND"), registration: registration, now: self.ist(12)) == .headerNotLinked)
    }

    @Test func promotionalTrafficOnlyInsideTheHours() {
        let promotional = self.message(text: "Sale! 50% off today", template: "1107000000000000002")
        let rules = DLTRules()
        #expect(rules.check(promotional, registration: Self.registration, now: self.ist(9)) == .outsideHours)
        #expect(rules.check(promotional, registration: Self.registration, now: self.ist(10)) == nil)
        #expect(rules.check(promotional, registration: Self.registration, now: self.ist(20)) == nil)
        #expect(rules.check(promotional, registration: Self.registration, now: self.ist(21)) == .outsideHours)
        #expect(rules.check(promotional, registration: Self.registration, now: self.ist(23)) == .outsideHours)
        // Transactional traffic goes at any hour.
        #expect(rules.check(self.message(), registration: Self.registration, now: self.ist(23)) == nil)
    }

    @Test func theChainHashIsSHA256OfTheCommaJoinedIDs() {
        // python3 -c 'import hashlib; print(hashlib.sha256(b"1101456789012345678,1702123456789012345").hexdigest())'
        #expect(
            DLTRules.chainHash(entityID: Self.entity, telemarketerIDs: ["1702123456789012345"])
                == "de792e1107e43e267e9fbe04ef541bcaed470b264506b5097ff6dce629619160")
        let message = self.message()
        let towards = DLTRules.carrierTLVs(message.tlvs, telemarketerIDs: ["1702123456789012345"])
        #expect(towards.dltPrincipalEntityID == Self.entity && towards.dltContentTemplateID == "1107000000000000001")
        #expect(towards.dltTelemarketerChainHash == "de792e1107e43e267e9fbe04ef541bcaed470b264506b5097ff6dce629619160")
        #expect(DLTRules.carrierTLVs(message.tlvs, telemarketerIDs: []).dltTelemarketerChainHash == nil)
    }

    @Test func registrationsThatDoNotHoldTogetherAreRefused() {
        func fault(_ change: (inout DLTRegistration) -> Void) -> String? {
            var registration = Self.registration
            change(&registration)
            do {
                try registration.validate()
                return nil
            } catch {
                return error.field
            }
        }
        #expect(fault { $0.entities.append("12ab") } == "entities[2]")
        #expect(fault { $0.entities.append(Self.entity) } == "entities[2]")
        #expect(fault { $0.headers.append(.init(header: "TOO-LONG-HEADER", entityID: Self.entity)) } == "headers[2].header")
        #expect(fault { $0.headers.append(.init(header: "NEWONE", entityID: "1")) } == "headers[2].entity_id")
        #expect(fault { $0.templates[0].text = "Your OTP is {#otp#}" } == "templates[0].text")
        #expect(fault { $0.templates[0].headers = ["OTHERS"] } == "templates[0].headers[0]")
        #expect(fault { $0.templates.append($0.templates[0]) } == "templates[3].id")
    }
}
