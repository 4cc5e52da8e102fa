import NIOCore
import SMPPCore

/// One fuzz input is a byte stream from a hostile peer. Whatever it holds, the codec must not
/// crash, must produce an encodable answer for every malformed PDU, and every PDU it accepts must
/// encode and decode back to itself (responses with an error status aside: their body is dropped
/// on encode, as SMPP says).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSMPPDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var stream = ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: size))
    let framing = SMPPFraming(maximumCommandLength: 8192)
    while true {
        let frame: ByteBuffer?
        do {
            frame = try framing.nextFrame(from: &stream)
        } catch {
            precondition(error.closesSession)
            _ = try! error.replyPacket!.encoded()
            return 0
        }
        guard let frame else { return 0 }
        do {
            let packet = try SMPPPacket.decode(frame: frame)
            let encoded = try! packet.encoded()
            let again = try! SMPPPacket.decode(frame: encoded)
            if packet.status.isOK { precondition(again == packet, "round trip changed \(packet)") }
            _ = packet.description
            exerciseMessageText(packet)
        } catch {
            if let reply = error.replyPacket { _ = try! reply.encoded() }
            _ = error.debugDescription
        }
    }
}

/// What inbound message bytes go through after decoding: receipt parsing, UDH / SAR reading and
/// text decoding. None of it may crash on hostile octets.
func exerciseMessageText(_ packet: SMPPPacket) {
    guard case .deliverSM(let deliver) = packet.pdu else { return }
    let payload = deliver.payload
    _ = SMSText.decode(payload, dataCoding: deliver.dataCoding)
    _ = DeliveryReceipt.parse(Latin1.decode(payload.readableBytesView))
    if let part = ConcatenationInfo(shortMessage: deliver.shortMessage, esmClass: deliver.esmClass, tlvs: deliver.tlvs) {
        var reassembler = ConcatenationReassembler<Int>(maximumPending: 4)
        _ = reassembler.add(part, key: 0)
    }
    _ = SMPPTime.parse(Latin1.decode(payload.readableBytesView.prefix(16)))
}

/// libFuzzer's entry point for programs that keep their own `main` (SwiftPM executables do).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@main
enum FuzzMain {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzSMPPDecoder(data, size) }
        if status != 0 { fatalError("libFuzzer exited with \(status)") }
    }
}
