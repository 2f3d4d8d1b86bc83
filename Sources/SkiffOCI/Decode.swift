// Decoding config.json with errors that name the JSON path of the bad field.
import Glibc

public enum ConfigDecoder {
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], what: String = "config.json") throws -> T {
        do {
            return try JSONDecoding.decode(T.self, from: bytes)
        } catch let e as DecodingError {
            throw SkiffError("\(what): \(describe(e))")
        } catch {
            throw SkiffError("\(what): \(error)")
        }
    }

    static func path(_ keys: [CodingKey]) -> String {
        var s = ""
        for k in keys {
            if let i = k.intValue {
                s += "[\(i)]"
            } else {
                s += s.isEmpty ? k.stringValue : "." + k.stringValue
            }
        }
        return s.isEmpty ? "(top level)" : s
    }

    static func describe(_ e: DecodingError) -> String {
        switch e {
        case .typeMismatch(let t, let c):
            return "\(path(c.codingPath)): expected \(typeName(t))"
        case .valueNotFound(let t, let c):
            return "\(path(c.codingPath)): expected \(typeName(t)), found null"
        case .keyNotFound(let k, let c):
            return "\(path(c.codingPath + [k])): is required"
        case .dataCorrupted(let c):
            let p = path(c.codingPath)
            return c.codingPath.isEmpty ? c.debugDescription : "\(p): \(c.debugDescription)"
        @unknown default:
            return "\(e)"
        }
    }

    static func typeName(_ t: Any.Type) -> String {
        switch "\(t)" {
        case "String": return "a string"
        case "Bool": return "a boolean"
        case let n where n.hasPrefix("Int") || n.hasPrefix("UInt"): return "an integer (\(n))"
        case let n where n.hasPrefix("Array"): return "an array"
        case let n where n.hasPrefix("Dictionary"): return "an object"
        default: return "an object"
        }
    }

    public static func load(bundle: String) throws -> Spec {
        try decode(Spec.self, from: read(bundle: bundle))
    }

    public static func read(bundle: String) throws -> [UInt8] {
        try FileBytes.read(bundle + "/config.json")
    }
}

/// Whole-file reads with errors that name the file (the runtime's FS uses these too).
public enum FileBytes {
    public static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw SkiffError("open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        return try readAll(fd, path: path)
    }

    public static func readAll(_ fd: Int32, path: String = "input") throws -> [UInt8] {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SkiffError("read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return out
    }
}
