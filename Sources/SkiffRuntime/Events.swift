// `events`: statistics in runc's JSON shape, and a stream of stats, oom and exit
// events (memory.events watched with inotify, the init's exit with a pidfd).
import CSkiff
import Glibc
import SkiffOCI

public struct Stats: Encodable {
    public struct CPUUsage: Encodable { var total: UInt64 = 0; var kernel: UInt64 = 0; var user: UInt64 = 0 }
    public struct Throttling: Encodable { var periods: UInt64 = 0; var throttledPeriods: UInt64 = 0; var throttledTime: UInt64 = 0 }
    public struct CPU: Encodable { var usage = CPUUsage(); var throttling = Throttling() }
    public struct MemoryData: Encodable { var usage: UInt64 = 0; var max: UInt64 = 0; var failcnt: UInt64 = 0; var limit: UInt64 = 0 }
    public struct Memory: Encodable {
        var cache: UInt64 = 0
        var usage = MemoryData()
        var swap = MemoryData()
        var raw: [String: UInt64] = [:]
    }
    public struct Pids: Encodable { var current: UInt64 = 0; var limit: UInt64 = 0 }
    public struct BlkioEntry: Encodable { var major: UInt64; var minor: UInt64; var op: String; var value: UInt64 }
    public struct Blkio: Encodable {
        var ioServiceBytesRecursive: [BlkioEntry] = []
        var ioServicedRecursive: [BlkioEntry] = []
    }
    public struct Hugetlb: Encodable { var usage: UInt64 = 0; var max: UInt64 = 0; var failcnt: UInt64 = 0 }

    var cpu = CPU()
    var memory = Memory()
    var pids = Pids()
    var blkio = Blkio()
    var hugetlb: [String: Hugetlb] = [:]

    /// "key value" lines (cpu.stat, memory.stat, memory.events).
    static func keyed(_ text: String?) -> [String: UInt64] {
        var out: [String: UInt64] = [:]
        for line in (text ?? "").split(separator: "\n") {
            let f = line.split(separator: " ")
            if f.count == 2, let v = UInt64(f[1]) { out[String(f[0])] = v }
        }
        return out
    }

    static func number(_ text: String?) -> UInt64 {
        guard let t = text?.trimmingCharacters(in: " \n") else { return 0 }
        return t == "max" ? UInt64.max : UInt64(t) ?? 0
    }

    /// Read everything the container's cgroup offers; missing files read as zero.
    public static func read(_ dir: String) -> Stats {
        var s = Stats()
        let cpu = keyed(FS.readString(dir + "/cpu.stat"))
        s.cpu.usage = CPUUsage(total: (cpu["usage_usec"] ?? 0) * 1000, kernel: (cpu["system_usec"] ?? 0) * 1000,
                               user: (cpu["user_usec"] ?? 0) * 1000)
        s.cpu.throttling = Throttling(periods: cpu["nr_periods"] ?? 0, throttledPeriods: cpu["nr_throttled"] ?? 0,
                                      throttledTime: (cpu["throttled_usec"] ?? 0) * 1000)
        let raw = keyed(FS.readString(dir + "/memory.stat"))
        let events = keyed(FS.readString(dir + "/memory.events"))
        s.memory.raw = raw
        s.memory.cache = raw["file"] ?? 0
        s.memory.usage = MemoryData(usage: number(FS.readString(dir + "/memory.current")),
                                    max: number(FS.readString(dir + "/memory.peak")), failcnt: events["max"] ?? 0,
                                    limit: number(FS.readString(dir + "/memory.max")))
        s.memory.swap = MemoryData(usage: number(FS.readString(dir + "/memory.swap.current")), max: 0,
                                   failcnt: 0, limit: number(FS.readString(dir + "/memory.swap.max")))
        s.pids = Pids(current: number(FS.readString(dir + "/pids.current")), limit: number(FS.readString(dir + "/pids.max")))
        for line in (FS.readString(dir + "/io.stat") ?? "").split(separator: "\n") {
            let f = line.split(separator: " ")
            guard let dev = f.first else { continue }
            let mm = dev.split(separator: ":").compactMap { UInt64($0) }
            guard mm.count == 2 else { continue }
            let kv = Dictionary(f.dropFirst().compactMap { p -> (String, UInt64)? in
                let x = p.split(separator: "=")
                return x.count == 2 ? (String(x[0]), UInt64(x[1]) ?? 0) : nil
            }, uniquingKeysWith: { a, _ in a })
            s.blkio.ioServiceBytesRecursive += [BlkioEntry(major: mm[0], minor: mm[1], op: "Read", value: kv["rbytes"] ?? 0),
                                                BlkioEntry(major: mm[0], minor: mm[1], op: "Write", value: kv["wbytes"] ?? 0)]
            s.blkio.ioServicedRecursive += [BlkioEntry(major: mm[0], minor: mm[1], op: "Read", value: kv["rios"] ?? 0),
                                            BlkioEntry(major: mm[0], minor: mm[1], op: "Write", value: kv["wios"] ?? 0)]
        }
        for name in FS.listDirectory(dir) where name.hasPrefix("hugetlb.") && name.hasSuffix(".current") {
            let size = String(name.dropFirst(8).dropLast(8))
            s.hugetlb[size] = Hugetlb(usage: number(FS.readString(dir + "/" + name)),
                                      max: number(FS.readString(dir + "/hugetlb.\(size).max")),
                                      failcnt: keyed(FS.readString(dir + "/hugetlb.\(size).events"))["max"] ?? 0)
        }
        return s
    }
}

struct Event<T: Encodable>: Encodable {
    var type: String
    var id: String
    var data: T?
}

struct Empty: Encodable {}

extension Runtime {
    func statsDir(id: String) throws -> (StoredState, String) {
        let fd = try store.lock(id, exclusive: false)
        defer { close(fd) }
        let s = try store.load(id)
        if store.liveStatus(s) == .stopped { throw SkiffError("container not running") }
        guard let rel = s.cgroupPath, let dir = Cgroup.fullPath(rel) else {
            throw SkiffError("events: the container has no cgroup on a cgroup2 hierarchy")
        }
        return (s, dir)
    }

    public func stats(id: String) throws -> String {
        let (_, dir) = try statsDir(id: id)
        return try JSONOut.compact(Event(type: "stats", id: id, data: Stats.read(dir)))
    }

    /// Stream events until the container exits; `emit` prints one JSON line.
    public func events(id: String, intervalMs: Int32, emit: (String) -> Void) throws {
        let (s, dir) = try statsDir(id: id)
        let pidfd = skiff_pidfd_open(s.pid)
        if pidfd < 0 { throw SkiffError("container not running") }
        defer { close(pidfd) }
        let ino = inotify_init1(Int32(IN_CLOEXEC))
        defer { if ino >= 0 { close(ino) } }
        if ino >= 0 && FS.exists(dir + "/memory.events") {
            inotify_add_watch(ino, dir + "/memory.events", UInt32(IN_MODIFY))
        }
        var ooms = Stats.keyed(FS.readString(dir + "/memory.events"))["oom_kill"] ?? 0
        while true {
            var fds = [pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0), pollfd(fd: ino, events: Int16(POLLIN), revents: 0)]
            let n = poll(&fds, 2, intervalMs)
            if n < 0 && errno != EINTR { throw SkiffError("poll: \(errnoText(errno))") }
            if fds[1].revents & Int16(POLLIN) != 0 {
                var buf = [UInt8](repeating: 0, count: 4096)
                _ = buf.withUnsafeMutableBytes { read(ino, $0.baseAddress, $0.count) }
                let now = Stats.keyed(FS.readString(dir + "/memory.events"))["oom_kill"] ?? 0
                if now > ooms { emit(try JSONOut.compact(Event<Empty>(type: "oom", id: id, data: nil))) }
                ooms = now
            }
            if fds[0].revents & Int16(POLLIN) != 0 {
                emit(try JSONOut.compact(Event<Empty>(type: "exit", id: id, data: nil)))
                return
            }
            if n == 0 { emit(try JSONOut.compact(Event(type: "stats", id: id, data: Stats.read(dir)))) }
        }
    }
}
