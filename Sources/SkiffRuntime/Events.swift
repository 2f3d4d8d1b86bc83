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

    /// On a hybrid host the v1 hierarchies hold memory, cpu, pids and blkio: read them there.
    public static func read(_ cg: ContainerCgroups) -> Stats {
        var s = cg.rel.flatMap(Cgroup.fullPath).map(read) ?? Stats()
        if let d = cg.v1["memory"] {
            let raw = keyed(FS.readString(d + "/memory.stat"))
            func data(_ p: String) -> MemoryData {
                MemoryData(usage: number(FS.readString(d + "/\(p)usage_in_bytes")),
                           max: number(FS.readString(d + "/\(p)max_usage_in_bytes")),
                           failcnt: number(FS.readString(d + "/\(p)failcnt")),
                           limit: number(FS.readString(d + "/\(p)limit_in_bytes")))
            }
            s.memory = Memory(cache: raw["cache"] ?? 0, usage: data("memory."), swap: data("memory.memsw."), raw: raw)
        }
        if let d = cg.v1["cpuacct"] {
            let st = keyed(FS.readString(d + "/cpuacct.stat"))  // USER_HZ ticks
            s.cpu.usage = CPUUsage(total: number(FS.readString(d + "/cpuacct.usage")),
                                   kernel: (st["system"] ?? 0) * 10_000_000, user: (st["user"] ?? 0) * 10_000_000)
        }
        if let d = cg.v1["cpu"] {
            let st = keyed(FS.readString(d + "/cpu.stat"))
            s.cpu.throttling = Throttling(periods: st["nr_periods"] ?? 0, throttledPeriods: st["nr_throttled"] ?? 0,
                                          throttledTime: st["throttled_time"] ?? 0)
        }
        if let d = cg.v1["pids"] {
            s.pids = Pids(current: number(FS.readString(d + "/pids.current")), limit: number(FS.readString(d + "/pids.max")))
        }
        if let d = cg.v1["blkio"] {
            func entries(_ file: String) -> [BlkioEntry] {
                (FS.readString(d + "/" + file) ?? "").split(separator: "\n").compactMap { line in
                    let f = line.split(separator: " ")
                    let mm = f.first?.split(separator: ":").compactMap { UInt64($0) } ?? []
                    guard f.count == 3, mm.count == 2, let v = UInt64(f[2]) else { return nil }
                    return BlkioEntry(major: mm[0], minor: mm[1], op: String(f[1]), value: v)
                }
            }
            s.blkio = Blkio(ioServiceBytesRecursive: entries("blkio.throttle.io_service_bytes_recursive"),
                            ioServicedRecursive: entries("blkio.throttle.io_serviced_recursive"))
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
    func statsCgroups(id: String) throws -> (StoredState, ContainerCgroups) {
        let fd = try store.lock(id, exclusive: false)
        defer { close(fd) }
        let s = try store.load(id)
        if store.liveStatus(s) == .stopped { throw SkiffError("container not running") }
        let cg = ContainerCgroups(s)
        if cg.rel == nil && cg.v1.isEmpty { throw SkiffError("events: the container has no cgroup") }
        return (s, cg)
    }

    public func stats(id: String) throws -> String {
        let (_, cg) = try statsCgroups(id: id)
        return try JSONOut.compact(Event(type: "stats", id: id, data: Stats.read(cg)))
    }

    /// Stream events until the container exits; `emit` prints one JSON line.
    public func events(id: String, intervalMs: Int32, emit: (String) -> Void) throws {
        let (s, cg) = try statsCgroups(id: id)
        let dir = cg.rel.flatMap(Cgroup.fullPath) ?? "/nonexistent"
        let pidfd = skiff_pidfd_open(s.pid)
        if pidfd < 0 { throw SkiffError("container not running") }
        defer { close(pidfd) }
        // OOM: memory.events through inotify on v2, an eventfd on memory.oom_control on v1.
        var ino: Int32 = -1
        if let mem = cg.v1["memory"] {
            ino = skiff_v1_oom_eventfd(mem)
        } else {
            ino = inotify_init1(Int32(IN_CLOEXEC))
            if ino >= 0 && FS.exists(dir + "/memory.events") {
                inotify_add_watch(ino, dir + "/memory.events", UInt32(IN_MODIFY))
            }
        }
        defer { if ino >= 0 { close(ino) } }
        // The kernel notifies asynchronously, so the count is read again at exit too.
        func oomCount() -> UInt64 {
            if let mem = cg.v1["memory"] { return Stats.keyed(FS.readString(mem + "/memory.oom_control"))["oom_kill"] ?? 0 }
            return Stats.keyed(FS.readString(dir + "/memory.events"))["oom_kill"] ?? 0
        }
        var ooms = oomCount()
        func checkOOM() throws {
            let now = oomCount()
            if now > ooms { emit(try JSONOut.compact(Event<Empty>(type: "oom", id: id, data: nil))) }
            ooms = max(ooms, now)
        }
        while true {
            var fds = [pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0), pollfd(fd: ino, events: Int16(POLLIN), revents: 0)]
            let n = poll(&fds, 2, intervalMs)
            if n < 0 && errno != EINTR { throw SkiffError("poll: \(errnoText(errno))") }
            if fds[1].revents & Int16(POLLIN) != 0 {
                var buf = [UInt8](repeating: 0, count: 4096)
                _ = buf.withUnsafeMutableBytes { read(ino, $0.baseAddress, $0.count) }
                try checkOOM()
            }
            if fds[0].revents & Int16(POLLIN) != 0 {
                try checkOOM()
                emit(try JSONOut.compact(Event<Empty>(type: "exit", id: id, data: nil)))
                return
            }
            if n == 0 { emit(try JSONOut.compact(Event(type: "stats", id: id, data: Stats.read(cg)))) }
        }
    }
}
