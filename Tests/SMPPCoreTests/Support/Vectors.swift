import Foundation
import NIOCore
import Testing

/// A JSON value from the vector files.
enum JSONValue: Sendable, Hashable, Decodable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    var string: String? { if case .string(let s) = self { s } else { nil } }
    var int: Int? { if case .number(let n) = self { Int(n) } else { nil } }
    var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    var object: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .number(let n): n == n.rounded() ? "\(Int(n))" : "\(n)"
        case .string(let s): "\"\(s)\""
        case .array(let a): "[" + a.map(\.description).joined(separator: ", ") + "]"
        case .object(let o): "{" + o.keys.sorted().map { "\($0): \(o[$0]!)" }.joined(separator: ", ") + "}"
        }
    }
}

/// One entry of a vector file, named for test output.
struct Vector: Sendable, CustomTestStringConvertible {
    let file: String
    let json: JSONValue
    var name: String { self.json["name"]?.string ?? "?" }
    var testDescription: String { "\(self.file):\(self.name)" }
}

enum Vectors {
    /// `Tests/Fixtures/vectors` in this repository (or `$SHORTWAVE_VECTORS`). Tests that need the
    /// vectors fail when they are missing; they never skip.
    static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["SHORTWAVE_VECTORS"] {
            return URL(fileURLWithPath: override)
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent("Tests/Fixtures/vectors")
    }

    /// Every entry of `file`; a missing or unreadable file yields one entry that fails the test.
    static func load(_ file: String) -> [Vector] {
        let url = self.directory.appendingPathComponent(file)
        do {
            let data = try Data(contentsOf: url)
            let entries = try JSONDecoder().decode([JSONValue].self, from: data)
            return entries.map { Vector(file: file, json: $0) }
        } catch {
            return [Vector(file: file, json: .object(["name": .string("MISSING"), "error": .string("\(url.path): \(error)")]))]
        }
    }

    static let pduFiles = [
        "pdu_session.json", "pdu_submit_sm.json", "pdu_submit_multi.json", "pdu_deliver_sm.json", "pdu_data_sm.json",
        "pdu_query_cancel_replace_alert.json",
    ]

    static var pdus: [Vector] { self.pduFiles.flatMap { self.load($0) } }
}

/// Fails the test when a vector could not be loaded.
func requireLoaded(_ vector: Vector, sourceLocation: SourceLocation = #_sourceLocation) throws {
    if let error = vector.json["error"]?.string {
        Issue.record("vector file missing or unreadable: \(error)", sourceLocation: sourceLocation)
        throw VectorMissing()
    }
}

struct VectorMissing: Error {}

extension ByteBuffer {
    init(hex: String) {
        var buffer = ByteBuffer()
        var iterator = hex.utf8.makeIterator()
        func nibble(_ c: UInt8) -> UInt8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: preconditionFailure("bad hex")
            }
        }
        while let high = iterator.next(), let low = iterator.next() { buffer.writeInteger(nibble(high) << 4 | nibble(low)) }
        self = buffer
    }

    var hex: String { self.readableBytesView.map { String(format: "%02x", $0) }.joined() }
}

func hexString(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
