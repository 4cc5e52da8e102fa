// SMPPCore codec benchmark: encode and decode of submit_sm and deliver_sm, with and without
// TLVs, on one core. Prints operations per second and heap allocations per operation.
//
//   swift run -c release smppcore-bench [--seconds 2]
//
// Figures, not assertions: tests never time anything.
import CAllocationCounter
import Dispatch
import Foundation
import NIOCore
import SMPPCore

struct Case {
    let name: String
    let packet: SMPPPacket
}

func makeCases() -> [Case] {
    let otp = ByteBuffer(string: "Your OTP is 123456. Do not share it with anyone.")
    var submit = SubmitSM(
        source: .alphanumeric("MYBANK"), destination: .international("919812345678"),
        registeredDelivery: .receipt, shortMessage: otp)
    var submitTLVs = submit
    submitTLVs.tlvs.dltPrincipalEntityID = "1101456789012345678"
    submitTLVs.tlvs.dltContentTemplateID = "1107161234567890123"
    submitTLVs.tlvs.userMessageReference = 7
    submit.tlvs = []
    let receiptText = "id:0123456789abcdef sub:001 dlvrd:001 submit date:2512241030 done date:2512241031 stat:DELIVRD err:000 Text:Your OTP is 123456"
    var deliver = DeliverSM(
        source: .international("919812345678"), destination: .alphanumeric("MYBANK"),
        esmClass: ESMClass(type: .smscDeliveryReceipt), shortMessage: ByteBuffer(string: receiptText))
    var deliverTLVs = deliver
    deliverTLVs.tlvs.receiptedMessageID = "0123456789abcdef"
    deliverTLVs.tlvs.messageState = .delivered
    deliverTLVs.tlvs.networkErrorCode = NetworkErrorCode(networkType: 3, errorCode: 0)
    deliver.tlvs = []
    return [
        Case(name: "submit_sm", packet: SMPPPacket(sequenceNumber: 42, pdu: .submitSM(submit))),
        Case(name: "submit_sm+tlvs", packet: SMPPPacket(sequenceNumber: 42, pdu: .submitSM(submitTLVs))),
        Case(name: "deliver_sm", packet: SMPPPacket(sequenceNumber: 42, pdu: .deliverSM(deliver))),
        Case(name: "deliver_sm+tlvs", packet: SMPPPacket(sequenceNumber: 42, pdu: .deliverSM(deliverTLVs))),
    ]
}

@inline(never)
func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }

struct Measurement {
    /// Operations per second of the median and of the fastest batch (the machine's noise shows
    /// as the gap between them).
    var medianRate: Double
    var bestRate: Double
    var allocationsPerOperation: Double
}

/// Runs `body` in batches of 20,000 until `seconds` pass.
func measure(seconds: Double, _ body: () throws -> Void) rethrows -> Measurement {
    for _ in 0..<10_000 { try body() }  // warm up
    let batch = 20_000
    var batchNanoseconds: [UInt64] = []
    batchNanoseconds.reserveCapacity(10_000)
    var operations = 0
    shortwave_allocation_counting(1)
    let allocationsBefore = shortwave_allocation_count()
    let start = DispatchTime.now().uptimeNanoseconds
    var now = start
    repeat {
        let batchStart = now
        for _ in 0..<batch { try body() }
        operations += batch
        now = DispatchTime.now().uptimeNanoseconds
        batchNanoseconds.append(now - batchStart)
    } while Double(now - start) < seconds * 1e9
    let allocations = shortwave_allocation_count() - allocationsBefore
    shortwave_allocation_counting(0)
    batchNanoseconds.sort()
    let median = Double(batchNanoseconds[batchNanoseconds.count / 2])
    let best = Double(batchNanoseconds[0])
    return Measurement(
        medianRate: Double(batch) / (median / 1e9), bestRate: Double(batch) / (best / 1e9),
        allocationsPerOperation: Double(allocations) / Double(operations))
}

var seconds = 2.0
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--seconds": seconds = Double(arguments.popFirst() ?? "") ?? seconds
    case "--help", "-h":
        print("usage: smppcore-bench [--seconds N]   (build with -c release)")
        exit(0)
    default:
        print("unknown option \(argument); try --help")
        exit(2)
    }
}

#if DEBUG
print("warning: debug build; run `swift run -c release smppcore-bench` for real figures")
#endif
print("SMPPCore codec benchmark, one core, \(seconds) s per case")
print("case              op       bytes   ops/s (median)  ns/op   ops/s (best)  allocs/op")
for benchmark in makeCases() {
    let encoded = try benchmark.packet.encoded()
    var output = ByteBuffer()
    output.reserveCapacity(512)
    let encode = try measure(seconds: seconds) {
        output.clear()
        try benchmark.packet.encode(into: &output)
    }
    blackHole(output)
    let decode = try measure(seconds: seconds) {
        blackHole(try SMPPPacket.decode(frame: encoded))
    }
    for (op, m) in [("encode", encode), ("decode", decode)] {
        let line = benchmark.name.padding(17) + " " + op.padding(8) + " " + String(encoded.readableBytes).padding(7) + " "
            + String(Int(m.medianRate)).padding(15) + " " + String(Int(1e9 / m.medianRate)).padding(7) + " "
            + String(Int(m.bestRate)).padding(13) + " " + m.allocationsPerOperation.rounded(toPlaces: 2)
        print(line)
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

extension Double {
    func rounded(toPlaces places: Int) -> String {
        var factor = 1.0
        for _ in 0..<places { factor *= 10 }
        return String((self * factor).rounded() / factor)
    }
}
