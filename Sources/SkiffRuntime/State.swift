// Per-container state under --root/ID/: state.json (written atomically), config.json
// (the config as created), exec.sock (the init waits on it until `start`).  A flock on
// the directory serialises commands on one ID; mkdir makes concurrent creates race
// safely (exactly one wins).
import CSkiff
import Glibc
import SkiffOCI

public enum Status: String, Codable, Sendable {
    case creating, created, running, paused, stopped
}

/// What is stored; `state` prints the OCI subset plus skiff's exit record.
public struct StoredState: Codable, Equatable, Sendable {
    public var ociVersion: String = "1.3.0"
    public var id: String
    public var status: Status
    public var pid: Int32
    public var bundle: String
    public var rootfs: String
    public var created: String
    public var owner: String = ""
    public var annotations: [String: String]?
    // skiff's own fields
    public var starttime: UInt64 = 0
    public var cgroupPath: String?
    /// Hybrid hosts: controller → the container's directory in that v1 hierarchy.
    public var cgroupV1: [String: String]?
    public var exitStatus: Int32?
    public var finished: String?
    public var hasProcess: Bool = true
    public var supervised: Bool = false
    /// poststart or poststop hooks exist (start/delete then read config.json back).
    public var hasHooks: Bool = false

    public init(id: String, status: Status, pid: Int32, bundle: String, rootfs: String, created: String) {
        self.id = id
        self.status = status
        self.pid = pid
        self.bundle = bundle
        self.rootfs = rootfs
        self.created = created
    }
}

/// The JSON `state` prints (runtime.md "State"), runc's field set and order.
public struct PrintedState: Codable, Equatable {
    public var ociVersion: String
    public var id: String
    public var pid: Int32
    public var status: Status
    public var bundle: String
    public var rootfs: String
    public var created: String
    public var owner: String
    public var annotations: [String: String]?
    public var exitStatus: Int32?
    public var finished: String?
}

public enum ProcStat {
    /// (state letter, starttime) from /proc/PID/stat, or nil when the pid is gone.
    public static func read(_ pid: Int32) -> (state: Character, starttime: UInt64)? {
        guard pid > 0, let s = FS.readString("/proc/\(pid)/stat") else { return nil }
        return parse(s)
    }

    /// Fields after the last ")" (the comm may contain spaces and parentheses).
    public static func parse(_ s: String) -> (state: Character, starttime: UInt64)? {
        guard let close = s.lastIndex(of: ")") else { return nil }
        let rest = s[s.index(after: close)...].split(separator: " ")
        // rest[0] is field 3 (state); starttime is field 22 → rest[19].
        guard rest.count > 19, let st = rest[0].first, let t = UInt64(rest[19]) else { return nil }
        return (st, t)
    }
}

public struct StateStore {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    public func dir(_ id: String) -> String { root + "/" + id }

    public static func validate(id: String) throws {
        let ok = !id.isEmpty && id != "." && id != ".." && id.utf8.count <= 1024 && id.allSatisfy {
            $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." || $0 == "+")
        }
        if !ok { throw SkiffError("invalid container ID \"\(id)\": use letters, digits, _ + - and .") }
    }

    /// Create --root/ID exclusively and lock it; the caller removes it on failure.
    public func createDirectory(_ id: String) throws -> Int32 {
        try StateStore.validate(id: id)
        try FS.mkdirAll(root, mode: 0o711)
        if mkdir(dir(id), 0o711) < 0 {
            if errno == EEXIST { throw SkiffError("container with id \"\(id)\" already exists") }
            throw SkiffError("mkdir \(dir(id)): \(errnoText(errno))")
        }
        let fd = open(dir(id), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw SkiffError("open \(dir(id)): \(errnoText(errno))") }
        _ = skiff_flock(fd, 1)
        return fd
    }

    /// Open and lock an existing container's directory.
    public func lock(_ id: String, exclusive: Bool) throws -> Int32 {
        try StateStore.validate(id: id)
        let fd = open(dir(id), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { throw SkiffError("container \"\(id)\" does not exist") }
            throw SkiffError("open \(dir(id)): \(errnoText(errno))")
        }
        _ = skiff_flock(fd, exclusive ? 1 : 0)
        // A create that failed removes the directory while we waited on the lock.
        if !FS.exists(dir(id) + "/state.json") {
            close(fd)
            throw SkiffError("container \"\(id)\" does not exist")
        }
        return fd
    }

    public func load(_ id: String) throws -> StoredState {
        let bytes: [UInt8]
        do {
            bytes = try FS.read(dir(id) + "/state.json")
        } catch {
            throw SkiffError("container \"\(id)\" does not exist")
        }
        return try ConfigDecoder.decode(StoredState.self, from: bytes, what: "state of \(id)")
    }

    public func save(_ s: StoredState) throws {
        try FS.writeAtomic(dir(s.id) + "/state.json", Array(try JSONEncoding.encode(s).utf8), mode: 0o600)
    }

    /// The config exactly as `create` read it (exec and poststop read it back).
    public func saveConfig(_ id: String, _ bytes: [UInt8]) throws {
        // Written once, before state.json exists: no reader can see it half-written.
        let path = dir(id) + "/config.json"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 { throw SkiffError("create \(path): \(errnoText(errno))") }
        defer { close(fd) }
        if !FS.writeAll(fd, bytes) { throw SkiffError("write \(path): \(errnoText(errno))") }
    }

    public func loadConfig(_ id: String) throws -> Spec {
        try ConfigDecoder.decode(Spec.self, from: try FS.read(dir(id) + "/config.json"))
    }

    public func ids() -> [String] {
        FS.listDirectory(root).filter { FS.exists(dir($0) + "/state.json") }
    }

    /// The status from the real process: gone, a zombie or a reused pid means stopped.
    public func liveStatus(_ s: StoredState) -> Status {
        guard s.status != .stopped, let st = ProcStat.read(s.pid) else { return .stopped }
        if st.starttime != s.starttime || st.state == "Z" || st.state == "X" { return .stopped }
        if s.status == .running || s.status == .paused, Cgroup.isFrozen(s) {
            return .paused
        }
        return s.status
    }

    public func printed(_ s: StoredState) -> PrintedState {
        let status = liveStatus(s)
        return PrintedState(ociVersion: s.ociVersion, id: s.id, pid: status == .stopped ? 0 : s.pid, status: status,
                            bundle: s.bundle, rootfs: s.rootfs, created: s.created, owner: s.owner,
                            annotations: s.annotations, exitStatus: s.exitStatus, finished: s.finished)
    }
}

public enum JSONOut {
    public static func pretty<T: Encodable>(_ v: T) throws -> String {
        try JSONEncoding.encode(v, pretty: true)
    }

    public static func compact<T: Encodable>(_ v: T) throws -> String {
        try JSONEncoding.encode(v)
    }
}
