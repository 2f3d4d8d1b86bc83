// Hooks the runtime runs itself (prestart, createRuntime, poststart, poststop), through
// the same allocation-free C runner the child uses for createContainer/startContainer.
import CSkiff
import Glibc
import SkiffOCI

public struct HookState: Codable {
    public var ociVersion: String = "1.3.0"
    public var id: String
    public var status: Status
    public var pid: Int32?
    public var bundle: String
    public var annotations: [String: String]?
}

public enum HookRunner {
    /// A memfd holding the state JSON, for hook stdin.
    public static func stateFd(_ state: HookState) throws -> Int32 {
        let fd = skiff_memfd("skiff-state")
        if fd < 0 { throw SkiffError("memfd_create: \(errnoText(-fd))") }
        try fill(fd, state)
        return fd
    }

    public static func fill(_ fd: Int32, _ state: HookState) throws {
        let text = try JSONOut.compact(state)
        ftruncate(fd, 0)
        lseek(fd, 0, SEEK_SET)
        _ = FS.writeAll(fd, Array(text.utf8))
    }

    static func cHook(_ h: Hook) -> skiff_hook {
        skiff_hook(path: UnsafePointer(CMem.str(h.path)),
                   argv: UnsafePointer(CMem.strArray(h.args ?? [h.path])),
                   envp: UnsafePointer(CMem.strArray(h.env ?? [])),
                   timeout: Int32(h.timeout ?? 0))
    }

    static func cHooks(_ hs: [Hook]) -> UnsafeMutablePointer<skiff_hook>? {
        CMem.array(hs.map(cHook))
    }

    /// Run hooks in order; the first failure throws (the spec's rule for all but poststop).
    public static func run(_ kind: String, _ hooks: [Hook], state: HookState) throws {
        if hooks.isEmpty { return }
        let fd = try stateFd(state)
        defer { close(fd) }
        for (i, h) in hooks.enumerated() {
            var c = cHook(h)
            var status: Int32 = 0
            var timedOut: Int32 = 0
            if skiff_run_hook(&c, fd, &status, &timedOut) < 0 {
                if timedOut != 0 { throw SkiffError("\(kind) hook #\(i) (\(h.path)) timed out after \(h.timeout ?? 0)s") }
                throw SkiffError("\(kind) hook #\(i) (\(h.path)) \(ChildError.hookStatus(status))")
            }
        }
    }

    /// poststop: a failure is a warning and the remaining hooks still run.
    public static func runAll(_ kind: String, _ hooks: [Hook], state: HookState) {
        for (i, h) in hooks.enumerated() {
            do {
                try run(kind, [h], state: state)
            } catch {
                Log.warn("\(kind) hook #\(i): \(error)")
            }
        }
    }
}
