public import NIOCore

/// One optional parameter: a tag and its value octets exactly as carried (SMPP v3.4 §3.2.4.1).
public struct TLV: Hashable, Sendable, CustomStringConvertible {
    public var tag: TLVTag
    /// The value field; its length is the TLV's length field.
    public var value: ByteBuffer

    @inlinable
    public init(tag: TLVTag, value: ByteBuffer) {
        self.tag = tag
        self.value = value
    }

    public var description: String {
        var hexValue = ""
        for byte in self.value.readableBytesView.prefix(32) { hexValue += hex(byte, width: 2) }
        let more = self.value.readableBytes > 32 ? "…" : ""
        return "\(self.tag.name)[\(self.value.readableBytes)]=\(hexValue)\(more)"
    }
}

