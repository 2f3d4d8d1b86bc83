// A small JSON parser, Codable decoder and encoder.  skiff needs JSON only for
// config.json, process.json and its own state; linking Foundation's JSON (and its
// protocol-conformance tables, scanned at every first cast) cost more start-up time
// than everything else the runtime does, so this replaces it.

public indirect enum JSON: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSON])
    case object([String: JSON], order: [String])

    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

// MARK: parsing

public struct JSONParseError: Error, CustomStringConvertible {
    public var offset: Int
    public var reason: String
    public var description: String { "not valid JSON at byte \(offset): \(reason)" }
}

public struct JSONParser {
    let b: [UInt8]
    var i = 0
    var depth = 0

    public static func parse(_ bytes: [UInt8]) throws -> JSON {
        var p = JSONParser(b: bytes)
        p.skipSpace()
        let v = try p.value()
        p.skipSpace()
        if p.i != p.b.count { throw p.error("unexpected data after the value") }
        return v
    }

    func error(_ r: String) -> JSONParseError { JSONParseError(offset: i, reason: r) }

    mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
    }

    mutating func literal(_ word: String, _ v: JSON) throws -> JSON {
        for c in word.utf8 {
            guard i < b.count, b[i] == c else { throw error("expected \(word)") }
            i += 1
        }
        return v
    }

    mutating func value() throws -> JSON {
        guard i < b.count else { throw error("unexpected end") }
        switch b[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return try number()
        }
    }

    mutating func nest() throws {
        depth += 1
        if depth > 512 { throw error("nested too deeply") }
    }

    mutating func object() throws -> JSON {
        try nest()
        defer { depth -= 1 }
        i += 1
        var d: [String: JSON] = [:]
        var order: [String] = []
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: "}") {
            i += 1
            return .object(d, order: order)
        }
        while true {
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw error("expected a key") }
            let k = try string()
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { throw error("expected ':'") }
            i += 1
            skipSpace()
            let v = try value()
            if d.updateValue(v, forKey: k) == nil { order.append(k) }
            skipSpace()
            guard i < b.count else { throw error("unexpected end in an object") }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "}") { i += 1; return .object(d, order: order) }
            throw error("expected ',' or '}'")
        }
    }

    mutating func array() throws -> JSON {
        try nest()
        defer { depth -= 1 }
        i += 1
        var a: [JSON] = []
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: "]") {
            i += 1
            return .array(a)
        }
        while true {
            skipSpace()
            a.append(try value())
            skipSpace()
            guard i < b.count else { throw error("unexpected end in an array") }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
            throw error("expected ',' or ']'")
        }
    }

    mutating func hex4() throws -> UInt32 {
        guard i + 4 <= b.count else { throw error("short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[i]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw error("bad \\u escape")
            }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }

    mutating func string() throws -> String {
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < b.count, b[i] != UInt8(ascii: "\""), b[i] != UInt8(ascii: "\\"), b[i] >= 0x20 { i += 1 }
        if i < b.count, b[i] == UInt8(ascii: "\"") {
            let s = String(decoding: b[start..<i], as: UTF8.self)
            i += 1
            return s
        }
        var out = Array(b[start..<i])
        while true {
            guard i < b.count else { throw error("unterminated string") }
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c < 0x20 { throw error("control character in a string") }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < b.count else { throw error("unterminated escape") }
            let e = b[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if scalar >= 0xD800 && scalar < 0xDC00, i + 6 <= b.count, b[i] == UInt8(ascii: "\\"),
                   b[i + 1] == UInt8(ascii: "u") {
                    i += 2
                    let low = try hex4()
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low &- 0xDC00)
                }
                let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default:
                throw error("bad escape")
            }
        }
    }

    mutating func number() throws -> JSON {
        let start = i
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        var digits = 0
        while i < b.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) || b[i] == UInt8(ascii: ".")
            || b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") || b[i] == UInt8(ascii: "+")
            || (b[i] == UInt8(ascii: "-") && i > start) {
            i += 1
            digits += 1
        }
        if digits == 0 { throw error("unexpected character") }
        return .number(String(decoding: b[start..<i], as: UTF8.self))
    }
}

// MARK: decoding

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        stringValue = "\(intValue)"
        self.intValue = intValue
    }
}

public enum JSONDecoding {
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let v: JSON
        do {
            v = try JSONParser.parse(bytes)
        } catch let e as JSONParseError {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: e.description))
        }
        return try T(from: ValueDecoder(value: v, codingPath: []))
    }
}

struct ValueDecoder: Decoder {
    let value: JSON
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let d, _) = value else {
            throw DecodingError.typeMismatch([String: JSON].self, .init(codingPath: codingPath, debugDescription: "expected an object, found \(value.kind)"))
        }
        return KeyedDecodingContainer(KeyedReader<Key>(dict: d, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case .array(let a) = value else {
            throw DecodingError.typeMismatch([JSON].self, .init(codingPath: codingPath, debugDescription: "expected an array, found \(value.kind)"))
        }
        return UnkeyedReader(items: a, codingPath: codingPath)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { self }
}

extension ValueDecoder: SingleValueDecodingContainer {
    func decodeNil() -> Bool { value == .null }

    func mismatch<T>(_ t: T.Type) -> DecodingError {
        if value == .null {
            return DecodingError.valueNotFound(t, .init(codingPath: codingPath, debugDescription: "found null"))
        }
        return DecodingError.typeMismatch(t, .init(codingPath: codingPath, debugDescription: "found \(value.kind)"))
    }

    func decode(_ t: Bool.Type) throws -> Bool {
        guard case .bool(let v) = value else { throw mismatch(t) }
        return v
    }

    func decode(_ t: String.Type) throws -> String {
        guard case .string(let v) = value else { throw mismatch(t) }
        return v
    }

    func integer<T: FixedWidthInteger>(_ t: T.Type) throws -> T {
        guard case .number(let s) = value else { throw mismatch(t) }
        if let v = T(s) { return v }
        // 1e3 or 5.0 are integers too; anything else does not fit.
        if let d = Double(s), d.rounded() == d, let v = T(exactly: d) { return v }
        throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "\(s) does not fit in \(T.self)"))
    }

    func decode(_ t: Double.Type) throws -> Double {
        guard case .number(let s) = value, let v = Double(s) else { throw mismatch(t) }
        return v
    }

    func decode(_ t: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    func decode(_ t: Int.Type) throws -> Int { try integer(t) }
    func decode(_ t: Int8.Type) throws -> Int8 { try integer(t) }
    func decode(_ t: Int16.Type) throws -> Int16 { try integer(t) }
    func decode(_ t: Int32.Type) throws -> Int32 { try integer(t) }
    func decode(_ t: Int64.Type) throws -> Int64 { try integer(t) }
    func decode(_ t: UInt.Type) throws -> UInt { try integer(t) }
    func decode(_ t: UInt8.Type) throws -> UInt8 { try integer(t) }
    func decode(_ t: UInt16.Type) throws -> UInt16 { try integer(t) }
    func decode(_ t: UInt32.Type) throws -> UInt32 { try integer(t) }
    func decode(_ t: UInt64.Type) throws -> UInt64 { try integer(t) }
    func decode<T: Decodable>(_ t: T.Type) throws -> T { try T(from: self) }
}

struct KeyedReader<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let dict: [String: JSON]
    let codingPath: [CodingKey]

    var allKeys: [Key] { dict.keys.compactMap { Key(stringValue: $0) } }
    func contains(_ key: Key) -> Bool { dict[key.stringValue] != nil }

    func child(_ key: Key) throws -> ValueDecoder {
        guard let v = dict[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
        }
        return ValueDecoder(value: v, codingPath: codingPath + [key])
    }

    func decodeNil(forKey key: Key) throws -> Bool { (dict[key.stringValue] ?? .null) == .null }
    func decode(_ t: Bool.Type, forKey k: Key) throws -> Bool { try child(k).decode(t) }
    func decode(_ t: String.Type, forKey k: Key) throws -> String { try child(k).decode(t) }
    func decode(_ t: Double.Type, forKey k: Key) throws -> Double { try child(k).decode(t) }
    func decode(_ t: Float.Type, forKey k: Key) throws -> Float { try child(k).decode(t) }
    func decode(_ t: Int.Type, forKey k: Key) throws -> Int { try child(k).decode(t) }
    func decode(_ t: Int8.Type, forKey k: Key) throws -> Int8 { try child(k).decode(t) }
    func decode(_ t: Int16.Type, forKey k: Key) throws -> Int16 { try child(k).decode(t) }
    func decode(_ t: Int32.Type, forKey k: Key) throws -> Int32 { try child(k).decode(t) }
    func decode(_ t: Int64.Type, forKey k: Key) throws -> Int64 { try child(k).decode(t) }
    func decode(_ t: UInt.Type, forKey k: Key) throws -> UInt { try child(k).decode(t) }
    func decode(_ t: UInt8.Type, forKey k: Key) throws -> UInt8 { try child(k).decode(t) }
    func decode(_ t: UInt16.Type, forKey k: Key) throws -> UInt16 { try child(k).decode(t) }
    func decode(_ t: UInt32.Type, forKey k: Key) throws -> UInt32 { try child(k).decode(t) }
    func decode(_ t: UInt64.Type, forKey k: Key) throws -> UInt64 { try child(k).decode(t) }
    func decode<T: Decodable>(_ t: T.Type, forKey k: Key) throws -> T { try T(from: child(k)) }

    func nestedContainer<N: CodingKey>(keyedBy type: N.Type, forKey k: Key) throws -> KeyedDecodingContainer<N> {
        try child(k).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey k: Key) throws -> UnkeyedDecodingContainer {
        try child(k).unkeyedContainer()
    }

    func superDecoder() throws -> Decoder { ValueDecoder(value: .object(dict, order: []), codingPath: codingPath) }
    func superDecoder(forKey k: Key) throws -> Decoder { try child(k) }
}

struct UnkeyedReader: UnkeyedDecodingContainer {
    let items: [JSON]
    let codingPath: [CodingKey]
    var currentIndex = 0

    init(items: [JSON], codingPath: [CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    mutating func next() throws -> ValueDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(JSON.self, .init(codingPath: codingPath, debugDescription: "array ended"))
        }
        defer { currentIndex += 1 }
        return ValueDecoder(value: items[currentIndex], codingPath: codingPath + [AnyKey(intValue: currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        if !isAtEnd && items[currentIndex] == .null {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode<T: Decodable>(_ t: T.Type) throws -> T { try T(from: next()) }
    mutating func decode(_ t: Bool.Type) throws -> Bool { try next().decode(t) }
    mutating func decode(_ t: String.Type) throws -> String { try next().decode(t) }
    mutating func decode(_ t: Double.Type) throws -> Double { try next().decode(t) }
    mutating func decode(_ t: Float.Type) throws -> Float { try next().decode(t) }
    mutating func decode(_ t: Int.Type) throws -> Int { try next().decode(t) }
    mutating func decode(_ t: Int8.Type) throws -> Int8 { try next().decode(t) }
    mutating func decode(_ t: Int16.Type) throws -> Int16 { try next().decode(t) }
    mutating func decode(_ t: Int32.Type) throws -> Int32 { try next().decode(t) }
    mutating func decode(_ t: Int64.Type) throws -> Int64 { try next().decode(t) }
    mutating func decode(_ t: UInt.Type) throws -> UInt { try next().decode(t) }
    mutating func decode(_ t: UInt8.Type) throws -> UInt8 { try next().decode(t) }
    mutating func decode(_ t: UInt16.Type) throws -> UInt16 { try next().decode(t) }
    mutating func decode(_ t: UInt32.Type) throws -> UInt32 { try next().decode(t) }
    mutating func decode(_ t: UInt64.Type) throws -> UInt64 { try next().decode(t) }

    mutating func nestedContainer<N: CodingKey>(keyedBy type: N.Type) throws -> KeyedDecodingContainer<N> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> Decoder { try next() }
}

// MARK: encoding

/// Encodes to text with sorted keys (stable output), compact or pretty-printed.
public enum JSONEncoding {
    public static func encode<T: Encodable>(_ v: T, pretty: Bool = false) throws -> String {
        let root = Node()
        try v.encode(to: ValueEncoder(node: root, codingPath: []))
        var out = ""
        root.write(into: &out, pretty: pretty, indent: 0)
        return out
    }
}

final class Node {
    enum Kind { case empty, scalar(String), object, array }
    var kind: Kind = .empty
    var fields: [String: Node] = [:]
    var items: [Node] = []

    func write(into out: inout String, pretty: Bool, indent: Int) {
        let pad = pretty ? String(repeating: "  ", count: indent + 1) : ""
        let close = pretty ? String(repeating: "  ", count: indent) : ""
        switch kind {
        case .empty: out += "null"
        case .scalar(let s): out += s
        case .object:
            if fields.isEmpty { out += "{}"; return }
            out += pretty ? "{\n" : "{"
            for (n, k) in fields.keys.sorted().enumerated() {
                if n > 0 { out += pretty ? ",\n" : "," }
                out += pad + quoteJSON(k) + (pretty ? ": " : ":")
                fields[k]!.write(into: &out, pretty: pretty, indent: indent + 1)
            }
            out += pretty ? "\n" + close + "}" : "}"
        case .array:
            if items.isEmpty { out += "[]"; return }
            out += pretty ? "[\n" : "["
            for (n, item) in items.enumerated() {
                if n > 0 { out += pretty ? ",\n" : "," }
                out += pad
                item.write(into: &out, pretty: pretty, indent: indent + 1)
            }
            out += pretty ? "\n" + close + "]" : "]"
        }
    }
}

public func quoteJSON(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if u.value < 0x20 {
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }
    return out + "\""
}

struct ValueEncoder: Encoder {
    let node: Node
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.kind {} else { node.kind = .object }
        return KeyedEncodingContainer(KeyedWriter<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        if case .array = node.kind {} else { node.kind = .array }
        return UnkeyedWriter(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> SingleValueEncodingContainer { self }
}

extension ValueEncoder: SingleValueEncodingContainer {
    func set(_ s: String) { node.kind = .scalar(s) }
    func encodeNil() { set("null") }
    func encode(_ v: Bool) { set(v ? "true" : "false") }
    func encode(_ v: String) { set(quoteJSON(v)) }
    func encode(_ v: Double) throws {
        guard v.isFinite else {
            throw EncodingError.invalidValue(v, .init(codingPath: codingPath, debugDescription: "not finite"))
        }
        set(v.rounded() == v && abs(v) < 1e15 ? String(Int64(v)) : "\(v)")
    }
    func encode(_ v: Float) throws { try encode(Double(v)) }
    func encode(_ v: Int) { set(String(v)) }
    func encode(_ v: Int8) { set(String(v)) }
    func encode(_ v: Int16) { set(String(v)) }
    func encode(_ v: Int32) { set(String(v)) }
    func encode(_ v: Int64) { set(String(v)) }
    func encode(_ v: UInt) { set(String(v)) }
    func encode(_ v: UInt8) { set(String(v)) }
    func encode(_ v: UInt16) { set(String(v)) }
    func encode(_ v: UInt32) { set(String(v)) }
    func encode(_ v: UInt64) { set(String(v)) }
    func encode<T: Encodable>(_ v: T) throws { try v.encode(to: self) }
}

struct KeyedWriter<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    let codingPath: [CodingKey]

    func child(_ k: Key) -> ValueEncoder {
        let n = Node()
        node.fields[k.stringValue] = n
        return ValueEncoder(node: n, codingPath: codingPath + [k])
    }

    mutating func encodeNil(forKey k: Key) { child(k).encodeNil() }
    mutating func encode(_ v: Bool, forKey k: Key) { child(k).encode(v) }
    mutating func encode(_ v: String, forKey k: Key) { child(k).encode(v) }
    mutating func encode(_ v: Double, forKey k: Key) throws { try child(k).encode(v) }
    mutating func encode(_ v: Float, forKey k: Key) throws { try child(k).encode(v) }
    mutating func encode(_ v: Int, forKey k: Key) { child(k).encode(v) }
    mutating func encode(_ v: Int8, forKey k: Key) { child(k).encode(v) }
    mutating func encode(_ v: Int16, forKey k: Key) { child(k).encode(v) }
    mutating func encode(_ v: Int32, forKey k: Key) { child(k).encode(v) }
    mutating func encode(_ v: Int64, forKey k: Key) { child(k).encode(v) }
    mutating func encode(_ v: UInt, forKey k: Key) { child(k).encode(v) }
    mutating func encode(_ v: UInt8, forKey k: Key) { child(k).encode(v) }
    mutating func encode(_ v: UInt16, forKey k: Key) { child(k).encode(v) }
    mutating func encode(_ v: UInt32, forKey k: Key) { child(k).encode(v) }
    mutating func encode(_ v: UInt64, forKey k: Key) { child(k).encode(v) }
    mutating func encode<T: Encodable>(_ v: T, forKey k: Key) throws { try v.encode(to: child(k)) }

    mutating func nestedContainer<N: CodingKey>(keyedBy t: N.Type, forKey k: Key) -> KeyedEncodingContainer<N> {
        child(k).container(keyedBy: t)
    }

    mutating func nestedUnkeyedContainer(forKey k: Key) -> UnkeyedEncodingContainer { child(k).unkeyedContainer() }
    mutating func superEncoder() -> Encoder { ValueEncoder(node: node, codingPath: codingPath) }
    mutating func superEncoder(forKey k: Key) -> Encoder { child(k) }
}

struct UnkeyedWriter: UnkeyedEncodingContainer {
    let node: Node
    let codingPath: [CodingKey]
    var count: Int { node.items.count }

    func next() -> ValueEncoder {
        let n = Node()
        node.items.append(n)
        return ValueEncoder(node: n, codingPath: codingPath + [AnyKey(intValue: node.items.count - 1)])
    }

    mutating func encodeNil() { next().encodeNil() }
    mutating func encode(_ v: Bool) { next().encode(v) }
    mutating func encode(_ v: String) { next().encode(v) }
    mutating func encode(_ v: Double) throws { try next().encode(v) }
    mutating func encode(_ v: Float) throws { try next().encode(v) }
    mutating func encode(_ v: Int) { next().encode(v) }
    mutating func encode(_ v: Int8) { next().encode(v) }
    mutating func encode(_ v: Int16) { next().encode(v) }
    mutating func encode(_ v: Int32) { next().encode(v) }
    mutating func encode(_ v: Int64) { next().encode(v) }
    mutating func encode(_ v: UInt) { next().encode(v) }
    mutating func encode(_ v: UInt8) { next().encode(v) }
    mutating func encode(_ v: UInt16) { next().encode(v) }
    mutating func encode(_ v: UInt32) { next().encode(v) }
    mutating func encode(_ v: UInt64) { next().encode(v) }
    mutating func encode<T: Encodable>(_ v: T) throws { try v.encode(to: next()) }
    mutating func nestedContainer<N: CodingKey>(keyedBy t: N.Type) -> KeyedEncodingContainer<N> { next().container(keyedBy: t) }
    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer { next().unkeyedContainer() }
    mutating func superEncoder() -> Encoder { next() }
}
