import GatewayCore
@testable import GatewayHTTP
import NIOCore
import SMPPCore
import Testing

@Suite struct SendRequestTests {
    let account = Account(id: "a", systemID: "a", password: PasswordHash(password: "p", rounds: 10))

    func parse(_ json: String, shared: String? = nil, hosts: Set<String> = []) -> Result<SendRequest, Problem> {
        SendRequest.parse(
            try! JSONValue.parse(Array(json.utf8)), shared: shared.map { try! JSONValue.parse(Array($0.utf8)) }, account: self.account,
            limits: .init(), webhookTargets: WebhookTargets(hosts: hosts), now: 1_800_000_000_000)
    }

    @Test func aMessageBecomesSubmitFields() throws {
        let request = try self.parse(
            #"{"to":"+447700900123","from":"ACME","body":"Hi €","client_ref":"r","callback_url":"https://h/x","validity_period":60,"schedule_at":"2027-01-15T08:00:00.5Z"}"#
        ).get()
        #expect(request.fields.destination == SMPPAddress(ton: .international, npi: .isdn, "447700900123"))
        #expect(request.fields.source == SMPPAddress(ton: .alphanumeric, npi: .unknown, "ACME"))
        #expect(request.fields.dataCoding == .smscDefault && request.encoding == "gsm7")
        #expect(Array(request.fields.shortMessage.readableBytesView) == GSM7.encode("Hi €"))
        #expect(request.segments == 1 && request.clientReference == "r" && request.callbackURL == "https://h/x")
        #expect(request.fields.validityPeriod.map { SubmitValidation.milliseconds($0, now: 0) } == 1_800_000_060_000)
        // 2027-01-15T08:00:00.5Z, to the tenth of a second SMPP times carry.
        #expect(request.fields.scheduleDeliveryTime.map { SubmitValidation.milliseconds($0, now: 0) } == Timestamp.parse("2027-01-15T08:00:00.5Z"))
    }

    @Test func aLongBodyTravelsAsMessagePayload() throws {
        let request = try self.parse(#"{"to":"+447700900123","from":"ACME","body":"\#(String(repeating: "x", count: 300))"}"#).get()
        #expect(request.fields.shortMessage.readableBytes == 0)
        #expect(request.fields.tlvs.messagePayload?.readableBytes == 300)
        #expect(request.segments == 2)
    }

    @Test func aBatchEntryTakesTheSharedFieldsItLeavesOut() throws {
        let request = try self.parse(#"{"to":"+447700900123","body":"own"}"#, shared: #"{"from":"ACME","body":"shared","encoding":"ucs2"}"#).get()
        #expect(request.encoding == "ucs2")
        #expect(UCS2.decode(Array(request.fields.shortMessage.readableBytesView)) == "own")
    }

    @Test(arguments: [
        ("Shortwave", SMPPAddress(ton: .alphanumeric, npi: .unknown, "Shortwave")),
        ("+447700900123", SMPPAddress(ton: .international, npi: .isdn, "447700900123")),
        ("447700900123", SMPPAddress(ton: .international, npi: .isdn, "447700900123")),
        ("12345", SMPPAddress(ton: .national, npi: .isdn, "12345")),
    ])
    func sendersAreClassified(_ text: String, _ address: SMPPAddress) {
        #expect(SendRequest.sender(text) == address)
    }

    @Test(arguments: ["", "Twelve chars", " lead", "trail ", "12", "+44", "Ünïcode", "a/b"])
    func badSendersAreRefused(_ text: String) {
        #expect(SendRequest.sender(text) == nil)
    }

    @Test func webhookURLsAndTheirHosts() {
        #expect(SendRequest.isWebURL("https://example.com/x?y=1"))
        #expect(!SendRequest.isWebURL("ftp://example.com"))
        #expect(!SendRequest.isWebURL("https://"))
        #expect(!SendRequest.isWebURL("https://user@example.com/"))
        #expect(SendRequest.host(of: "https://Example.com:8443/p") == "Example.com")
        #expect(SendRequest.host(of: "http://[::1]:80/p") == "::1")
        #expect(WebhookTargets().check(url: "https://example.com/p") == .allowed)
        #expect(WebhookTargets(hosts: ["example.com"]).check(url: "https://EXAMPLE.com/p") == .allowed)
        #expect(WebhookTargets(hosts: ["example.com"]).check(url: "https://example.com.evil.net/p") == .hostNotListed)
        if case .failure(let problem) = self.parse(#"{"to":"+447700900123","from":"A","body":"b","callback_url":"http://10.0.0.1/"}"#, hosts: ["h"]) {
            #expect(problem.code == "webhook_host_not_allowed")
        } else {
            Issue.record("a callback to a host not allowed was accepted")
        }
    }

    @Test func aCallbackToAnInternalAddressIsRefused() {
        guard case .failure(let problem) = self.parse(#"{"to":"+447700900123","from":"A","body":"b","callback_url":"http://2130706433:8080/x"}"#) else {
            Issue.record("a callback to 127.0.0.1 (spelt as a number) was accepted")
            return
        }
        #expect(problem.code == "webhook_address_not_allowed" && problem.field == "callback_url")
        #expect(problem.detail.contains("127.0.0.1"))
    }
}
