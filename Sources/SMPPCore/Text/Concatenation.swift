public import NIOCore

/// How a message longer than one SMS is carried (3GPP TS 23.040 §9.2.3.24.1/.8, SMPP v3.4 §5.3.2).
public enum Concatenation: Hashable, Sendable {
    /// UDH `05 00 03 ref total seq` in short_message, esm_class UDHI (0x40).
    case udh8(reference: UInt8)
    /// UDH `06 08 04 refHi refLo total seq`.
    case udh16(reference: UInt16)
    /// sar_msg_ref_num / sar_total_segments / sar_segment_seqnum TLVs, no UDH.
    case sar(reference: UInt16)
    /// One PDU with the whole message in message_payload; the SMSC splits it.
    case messagePayload
}

/// One PDU's worth of a message: what goes in short_message, the esm_class bits and TLVs to set.
public struct MessagePart: Hashable, Sendable {
    /// 1-based.
    public var sequence: Int
    public var total: Int
    /// The short_message octets, UDH included when `udhi`.
    public var shortMessage: ByteBuffer
    /// Set esm_class UDHI (0x40).
    public var udhi: Bool
    /// SAR or message_payload TLVs.
    public var tlvs: TLVList
}

/// A text split for sending: its alphabet, data_coding and parts.
public struct SegmentedMessage: Hashable, Sendable {
    public var alphabet: SMSAlphabet
    public var dataCoding: DataCoding
    public var parts: [MessagePart]
    /// What each part says, for logs and billing.
    public var texts: [String]
}

/// Thrown when a message would need more than 255 parts.
public struct MessageTooLongError: Error, Hashable, Sendable, CustomStringConvertible {
    public var segments: Int
    public var description: String { "message needs \(self.segments) parts; at most 255 can be concatenated" }
}

extension EncodedText {
    /// Splits into PDUs under `concatenation`. A text that fits one SMS is one part without UDH or
    /// SAR (and `.messagePayload` uses short_message when it fits 254 octets).
    public func split(_ concatenation: Concatenation) throws(MessageTooLongError) -> SegmentedMessage {
        let ranges = self.segmentRanges(concatenation)
        let texts = ranges.map { self.text(of: $0) }
        let coding = self.alphabet.dataCoding
        if case .messagePayload = concatenation {
            var buffer = ByteBuffer()
            buffer.writeBytes(self.octets)
            let fits = self.octets.count <= SubmitSM.maxShortMessageLength
            var tlvs = TLVList()
            if !fits { tlvs.messagePayload = buffer }
            let part = MessagePart(sequence: 1, total: 1, shortMessage: fits ? buffer : ByteBuffer(), udhi: false, tlvs: tlvs)
            return SegmentedMessage(alphabet: self.alphabet, dataCoding: coding, parts: [part], texts: [texts.joined()])
        }
        guard ranges.count <= 255 else { throw MessageTooLongError(segments: ranges.count) }
        let total = ranges.count
        var parts: [MessagePart] = []
        parts.reserveCapacity(total)
        for (index, range) in ranges.enumerated() {
            var buffer = ByteBuffer()
            var tlvs = TLVList()
            var udhi = false
            let sequence = index + 1
            if total > 1 {
                switch concatenation {
                case .udh8(let reference):
                    buffer.writeBytes([0x05, 0x00, 0x03, reference, UInt8(total), UInt8(sequence)])
                    udhi = true
                case .udh16(let reference):
                    buffer.writeBytes([0x06, 0x08, 0x04])
                    buffer.writeInteger(reference)
                    buffer.writeBytes([UInt8(total), UInt8(sequence)])
                    udhi = true
                case .sar(let reference):
                    tlvs.sarMsgRefNum = reference
                    tlvs.sarTotalSegments = UInt8(total)
                    tlvs.sarSegmentSeqnum = UInt8(sequence)
                case .messagePayload:
                    preconditionFailure("handled above")
                }
            }
            buffer.writeBytes(self.octets[range])
            parts.append(MessagePart(sequence: sequence, total: total, shortMessage: buffer, udhi: udhi, tlvs: tlvs))
        }
        return SegmentedMessage(alphabet: self.alphabet, dataCoding: coding, parts: parts, texts: texts)
    }
}
