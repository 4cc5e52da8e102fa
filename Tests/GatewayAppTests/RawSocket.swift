import Foundation
import Glibc
import NIOCore
import SMPPCore

/// A plain blocking TCP client for feeding a server exact octets (malformed PDUs, floods) and
/// reading whole PDUs back. Every read has a timeout.
/// Sending and receiving may run on two threads at once (a socket is full duplex); only
/// `receive` touches the read buffer.
final class RawSocket: @unchecked Sendable {
    let fd: Int32
    private var buffer: [UInt8] = []

    /// `receiveBuffer`: a small SO_RCVBUF makes a client that does not read push back at once.
    init(port: Int, receiveBuffer: Int32? = nil) throws {
        self.fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard self.fd >= 0 else { throw RawSocketError("socket failed") }
        if var size = receiveBuffer {
            setsockopt(self.fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(self.fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(self.fd)
            throw RawSocketError("connect failed")
        }
    }

    deinit { close(self.fd) }

    /// Ends the connection now (both directions), without an unbind: the peer sees it drop.
    func shutdown() { _ = Glibc.shutdown(self.fd, Int32(SHUT_RDWR)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(self.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw RawSocketError("send failed") }
            offset += written
        }
    }

    func send(hex: String) throws { try self.send(Self.bytes(hex: hex)) }

    func send(_ packet: SMPPPacket) throws {
        var buffer = ByteBuffer()
        try packet.encode(into: &buffer)
        try self.send(buffer.readBytes(length: buffer.readableBytes) ?? [])
    }

    /// The next whole PDU, or `nil` if none came within `seconds` or the peer closed.
    func receive(seconds: Double = 5) -> SMPPPacket? {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if self.buffer.count >= 4 {
                let length = Int(self.buffer[0]) << 24 | Int(self.buffer[1]) << 16 | Int(self.buffer[2]) << 8 | Int(self.buffer[3])
                if length >= 16, self.buffer.count >= length {
                    let frame = Array(self.buffer[0..<length])
                    self.buffer.removeFirst(length)
                    return try? SMPPPacket.decode(frame: ByteBuffer(bytes: frame))
                }
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0, self.readSome(timeout: remaining) else { return nil }
        }
    }

    /// Whether the peer closed the connection within `seconds` (reading and dropping what comes).
    func closedByPeer(within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while deadline.timeIntervalSinceNow > 0 {
            var poll = pollfd(fd: self.fd, events: Int16(POLLIN), revents: 0)
            guard Glibc.poll(&poll, 1, Int32(max(1, deadline.timeIntervalSinceNow * 1000))) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = recv(self.fd, &chunk, chunk.count, 0)
            if count <= 0 { return true }
        }
        return false
    }

    private func readSome(timeout: Double) -> Bool {
        var poll = pollfd(fd: self.fd, events: Int16(POLLIN), revents: 0)
        guard Glibc.poll(&poll, 1, Int32(max(1, timeout * 1000))) > 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = recv(self.fd, &chunk, chunk.count, 0)
        guard count > 0 else { return false }
        self.buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    static func bytes(hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var iterator = hex.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            bytes.append(UInt8(String([high, low]), radix: 16)!)
        }
        return bytes
    }

    /// Binds with a real bind PDU and checks the answer.
    func bind(_ type: PDU, sequence: UInt32 = 1) throws {
        try self.send(SMPPPacket(sequenceNumber: sequence, pdu: type))
        let response = self.receive()
        guard let response, response.status == .ok else { throw RawSocketError("bind failed: \(response.map { "\($0)" } ?? "no answer")") }
    }
}

struct RawSocketError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs blocking socket work on a thread of its own, never on the cooperative pool that the
/// in-process server needs (a blocked pool thread would stall the server under test).
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue(label: "raw-socket").async { continuation.resume(with: Result { try body() }) }
    }
}
