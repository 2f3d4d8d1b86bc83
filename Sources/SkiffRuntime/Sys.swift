// Small POSIX helpers for the synchronous runtime paths (no Foundation file APIs: they
// pull in more than we need and some start threads).
import Glibc
import SkiffOCI

public func errnoText(_ e: Int32) -> String {
    String(cString: strerror(e))
}

/// Throws "<what>: <strerror>" when r < 0 (errno, or -r when negative-errno style).
@discardableResult
func check(_ r: Int32, _ what: @autoclosure () -> String, negErrno: Bool = false) throws -> Int32 {
    if r < 0 {
        throw SkiffError("\(what()): \(errnoText(negErrno ? -r : errno))")
    }
    return r
}

public enum FS {
    public static func read(_ path: String) throws -> [UInt8] {
        try FileBytes.read(path)
    }

    public static func readAll(_ fd: Int32, path: String = "input") throws -> [UInt8] {
        try FileBytes.readAll(fd, path: path)
    }

    public static func readString(_ path: String) -> String? {
        guard let b = try? read(path) else { return nil }
        return String(decoding: b, as: UTF8.self)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            off += n
        }
        return true
    }

    /// Write a small file in place (procfs, cgroupfs): one write call matters there.
    public static func write(_ path: String, _ text: String) throws {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        if fd < 0 { throw SkiffError("open \(path): \(errnoText(errno))") }
        defer { close(fd) }
        if !writeAll(fd, Array(text.utf8)) { throw SkiffError("write \(path): \(errnoText(errno))") }
    }

    /// Replace a file atomically: write a temporary beside it, fsync-free rename.
    public static func writeAtomic(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws {
        let tmp = path + ".tmp\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        if fd < 0 { throw SkiffError("create \(tmp): \(errnoText(errno))") }
        let ok = writeAll(fd, bytes)
        let e = errno
        close(fd)
        if !ok {
            unlink(tmp)
            throw SkiffError("write \(tmp): \(errnoText(e))")
        }
        if rename(tmp, path) < 0 {
            let e = errno
            unlink(tmp)
            throw SkiffError("rename \(tmp): \(errnoText(e))")
        }
    }

    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    public static func mkdirAll(_ path: String, mode: mode_t = 0o755) throws {
        if isDirectory(path) { return }
        let parent = dirname(path)
        if parent != path && !parent.isEmpty { try mkdirAll(parent, mode: mode) }
        if mkdir(path, mode) < 0 && errno != EEXIST {
            throw SkiffError("mkdir \(path): \(errnoText(errno))")
        }
    }

    /// Remove a directory tree (the state directory; never follows symlinks).
    public static func removeAll(_ path: String) {
        if let d = opendir(path) {
            while let e = readdir(d) {
                let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                let child = path + "/" + name
                var st = stat()
                if lstat(child, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
                    removeAll(child)
                } else {
                    unlink(child)
                }
            }
            closedir(d)
        }
        rmdir(path)
    }

    public static func listDirectory(_ path: String) -> [String] {
        guard let d = opendir(path) else { return [] }
        defer { closedir(d) }
        var out: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { out.append(name) }
        }
        return out.sorted()
    }

    public static func dirname(_ path: String) -> String {
        guard let i = path.lastIndex(of: "/") else { return "." }
        if i == path.startIndex { return "/" }
        return String(path[..<i])
    }

    public static func cwd() -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buf, buf.count) != nil else { return "/" }
        return String(cString: buf)
    }

    /// Absolute, with "." and ".." folded lexically (as runc's filepath.Abs/Clean).
    public static func absolute(_ path: String, relativeTo base: String? = nil) -> String {
        let joined = path.hasPrefix("/") ? path : (base ?? cwd()) + "/" + path
        return clean(joined)
    }

    public static func clean(_ path: String) -> String {
        var parts: [Substring] = []
        for c in path.split(separator: "/") {
            if c == "." { continue }
            if c == ".." {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(c)
        }
        return "/" + parts.joined(separator: "/")
    }
}

/// Malloc'd C strings and arrays for the plan handed to the C shim.  They live until the
/// process exits (a runtime command is short-lived), which keeps every pointer valid
/// in the cloned child.
enum CMem {
    static func str(_ s: String) -> UnsafeMutablePointer<CChar> {
        strdup(s)!
    }

    static func strOrNil(_ s: String?) -> UnsafeMutablePointer<CChar>? {
        s.map { strdup($0)! }
    }

    static func strArray(_ a: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
        let p = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: a.count + 1)
        for (i, s) in a.enumerated() { p[i] = strdup(s) }
        p[a.count] = nil
        return p
    }

    static func constStrArray(_ a: [String]) -> UnsafePointer<UnsafePointer<CChar>?> {
        let p = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: a.count + 1)
        for (i, s) in a.enumerated() { p[i] = UnsafePointer(strdup(s)) }
        p[a.count] = nil
        return UnsafePointer(p)
    }

    static func array<T>(_ a: [T]) -> UnsafeMutablePointer<T>? {
        if a.isEmpty { return nil }
        let p = UnsafeMutablePointer<T>.allocate(capacity: a.count)
        p.initialize(from: a, count: a.count)
        return p
    }
}
