@testable import GatewayHTTP
import Testing

@Suite struct PhoneNumberTests {
    @Test(arguments: [
        ("+447700900123", "447700900123", "44", "GB"),
        ("+44 7700 900123", "447700900123", "44", "GB"),
        ("0044 (7700) 900-123", "447700900123", "44", "GB"),
        ("447700900123", "447700900123", "44", "GB"),
        ("+1 416 555 0123", "14165550123", "1", "CA"),
        ("+1 (212) 555-0123", "12125550123", "1", "US"),
        ("+1 876 555 0123", "18765550123", "1", "JM"),
        ("+7 701 123 4567", "77011234567", "7", "KZ"),
        ("+7 912 123 4567", "79121234567", "7", "RU"),
        ("+91 98123 45678", "919812345678", "91", "IN"),
        ("+352 621 123 456", "352621123456", "352", "LU"),
        ("+882 1234 5678", "88212345678", "882", nil),
    ] as [(String, String, String, String?)])
    func normalises(_ text: String, _ digits: String, _ code: String, _ country: String?) throws {
        let number = try #require(PhoneNumber(text))
        #expect(number.digits == digits)
        #expect(number.e164 == "+" + digits)
        #expect(number.callingCode == code)
        #expect(number.country == country)
        #expect(number.nationalNumber == String(digits.dropFirst(code.count)))
    }

    @Test(arguments: ["", "+", "+44", "+441234", "call me", "+44 7700 900123 ext 4", "++447700900123", "+0447700900123", "+1234567890123456",
                      "+999 123 456 789", "44-7700-900123+"])
    func refuses(_ text: String) {
        #expect(PhoneNumber(text) == nil)
    }
}
