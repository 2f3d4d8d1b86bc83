// The --log / --log-format contract: callers (conmon, containerd's shim) read the last
// `"level":"error"` line's msg from the log file; stderr gets the bare text.
import Glibc
import SkiffOCI

public enum LogFormat: String, Sendable {
    case text, json
}

public enum Log {
    nonisolated(unsafe) public static var path: String?
    nonisolated(unsafe) public static var format: LogFormat = .text
    nonisolated(unsafe) public static var debugEnabled = false

    public static func error(_ msg: String) {
        let line = msg + "\n"
        _ = FS.writeAll(2, Array(line.utf8))
        append(level: "error", msg)
    }

    public static func warn(_ msg: String) {
        let line = "warning: " + msg + "\n"
        if path == nil { _ = FS.writeAll(2, Array(line.utf8)) }
        append(level: "warning", msg)
    }

    public static func debug(_ msg: String) {
        guard debugEnabled else { return }
        if path == nil {
            _ = FS.writeAll(2, Array(("debug: " + msg + "\n").utf8))
        }
        append(level: "debug", msg)
    }

    /// SKIFF_TRACE=FILE: one JSON line per invocation (argv, exit code, error), for
    /// following what an engine asked of skiff when no --log reaches you.
    public static func trace(exit: Int32, error: String?) {
        guard let p = getenv("SKIFF_TRACE") else { return }
        let fd = open(p, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { return }
        defer { close(fd) }
        let argv = CommandLine.arguments.map(quoteJSON).joined(separator: ",")
        var line = "{\"time\":\"\(Time.rfc3339(Time.now()))\",\"argv\":[\(argv)],\"exit\":\(exit)"
        if let error { line += ",\"error\":\(quoteJSON(error))" }
        _ = FS.writeAll(fd, Array((line + "}\n").utf8))
    }

    static func append(level: String, _ msg: String) {
        guard let path else { return }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { return }
        defer { close(fd) }
        let now = Time.rfc3339(Time.now(), nanos: false)
        let line: String
        switch format {
        case .json:
            line = "{\"level\":\"\(level)\",\"msg\":\(quoteJSON(msg)),\"time\":\"\(now)\"}\n"
        case .text:
            line = "time=\"\(now)\" level=\(level) msg=\(quoteJSON(msg))\n"
        }
        _ = FS.writeAll(fd, Array(line.utf8))
    }
}

public enum Time {
    public static func now() -> timespec {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return ts
    }

    /// RFC 3339 in UTC ("2026-11-28T00:47:31.123456789Z"), without Foundation's formatters.
    public static func rfc3339(_ ts: timespec, nanos: Bool = true) -> String {
        var t = ts.tv_sec
        var tm = Glibc.tm()
        gmtime_r(&t, &tm)
        func pad(_ v: Int32, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        var s = "\(pad(tm.tm_year + 1900, 4))-\(pad(tm.tm_mon + 1, 2))-\(pad(tm.tm_mday, 2))T"
        s += "\(pad(tm.tm_hour, 2)):\(pad(tm.tm_min, 2)):\(pad(tm.tm_sec, 2))"
        if nanos { s += "." + pad(Int32(ts.tv_nsec), 9) }
        return s + "Z"
    }
}
