import Foundation
import NIOCore
import SMPPCore
import Testing

/// Replays every input kept in `FuzzRegressions/` (crashes the fuzzer found, and inputs it found
/// interesting) through the fuzz target's property: no crash, an encodable answer for every
/// malformed PDU, and a stable round trip for every accepted one.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("FuzzRegressions")
    }

    /// One kept input: a raw file (a crash the fuzzer found), or a line of a `.hexlines` file
    /// (the coverage-minimised corpus).
    struct Input: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var testDescription: String { self.name }
    }

    static var inputs: [Input] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        return files.flatMap { file -> [Input] in
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(file).path) else { return [] }
            guard file.hasSuffix(".hexlines") else { return [Input(name: file, bytes: Array(data))] }
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("#") }
            return lines.enumerated().map { Input(name: "\(file):\($0.offset + 1)", bytes: Array(ByteBuffer(hex: String($0.element)).readableBytesView)) }
        }
    }

    @Test("the regression corpus is there")
    func corpusPresent() {
        #expect(Self.inputs.count > 100, "expected the kept corpus in \(Self.directory.path)")
    }

    @Test("each kept input survives the fuzz property", arguments: inputs)
    func replay(input: Input) throws {
        let data = input.bytes
        var stream = ByteBuffer(bytes: data)
        let framing = SMPPFraming(maximumCommandLength: 8192)
        while true {
            let frame: ByteBuffer?
            do {
                frame = try framing.nextFrame(from: &stream)
            } catch {
                #expect(error.closesSession)
                #expect(throws: Never.self) { try error.replyPacket?.encoded() }
                return
            }
            guard let frame else { return }
            do {
                let packet = try SMPPPacket.decode(frame: frame)
                let again = try SMPPPacket.decode(frame: try packet.encoded())
                if packet.status.isOK { #expect(again == packet) }
                if case .deliverSM(let deliver) = packet.pdu {
                    _ = SMSText.decode(deliver.payload, dataCoding: deliver.dataCoding)
                    _ = DeliveryReceipt.parse(Latin1.decode(deliver.payload.readableBytesView))
                    if let part = ConcatenationInfo(shortMessage: deliver.shortMessage, esmClass: deliver.esmClass, tlvs: deliver.tlvs) {
                        var reassembler = ConcatenationReassembler<Int>()
                        _ = reassembler.add(part, key: 0)
                    }
                }
            } catch let error as SMPPDecodingError {
                #expect(throws: Never.self) { try error.replyPacket?.encoded() }
            }
        }
    }
}
