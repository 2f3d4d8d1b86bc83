// Hybrid hosts: controllers the host binds to cgroup v1 (memory, pids, cpu, cpuset,
// blkio, devices, freezer, …) get the container's cgroup at the same relative path in
// their v1 hierarchy, with runc's v1 file mapping.  cgroup v2 stays the design: the
// unified cgroup still tracks every process (kill, ps, events, the BPF device filter).
import CSkiff
import Glibc
import SkiffOCI

public struct V1Write: Equatable, CustomStringConvertible {
    public var controller: String
    public var file: String
    public var value: String
    public var field: String
    public init(_ controller: String, _ file: String, _ value: String, field: String) {
        self.controller = controller
        self.file = file
        self.value = value
        self.field = field
    }
    public var description: String { "\(controller)/\(file)=\(value)" }
}

public enum CgroupV1 {
    /// controller → mount point, from mountinfo ("cgroup" filesystems; "cpu,cpuacct"
    /// mounts list each controller).
    public static func mounts(_ mountinfo: String? = FS.readString("/proc/self/mountinfo")) -> [String: String] {
        var out: [String: String] = [:]
        for line in (mountinfo ?? "").split(separator: "\n") {
            // id parent maj:min root mountpoint options [optional…] - fstype source superopts
            let f = line.split(separator: " ")
            guard let dash = f.firstIndex(of: "-"), dash >= 5, f.count > dash + 3, f[dash + 1] == "cgroup" else { continue }
            for opt in f[dash + 3].split(separator: ",") where !opt.hasPrefix("name=") && opt != "rw" && opt != "ro" {
                out[String(opt)] = String(f[4])
            }
        }
        return out
    }

    /// controller → our own path in its hierarchy ("4:memory:/a/b").
    public static func ownPaths(_ procSelfCgroup: String? = FS.readString("/proc/self/cgroup")) -> [String: String] {
        var out: [String: String] = [:]
        for line in (procSelfCgroup ?? "").split(separator: "\n") {
            let f = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard f.count == 3, !f[1].isEmpty else { continue }
            for c in f[1].split(separator: ",") { out[String(c)] = String(f[2]) }
        }
        return out
    }

    /// runc's path rules, per hierarchy: absolute as given, else under our own cgroup.
    public static func paths(cgroupsPath: String?, id: String, mounts: [String: String] = mounts(),
                             own: [String: String] = ownPaths()) throws -> [String: String] {
        var out: [String: String] = [:]
        for (ctrl, mount) in mounts {
            let rel = try Cgroup.resolve(cgroupsPath: cgroupsPath, id: id, own: own[ctrl] ?? "/")
            out[ctrl] = mount + rel
        }
        return out
    }

    /// linux.resources in v1 form, for the controllers in `v1` (the rest go to v2).
    public static func writes(_ r: Resources, v1: Set<String>) throws -> [V1Write] {
        var w: [V1Write] = []
        if let m = r.memory, v1.contains("memory") {
            let f = "linux.resources.memory"
            if let l = m.limit, l != 0 { w.append(V1Write("memory", "memory.limit_in_bytes", String(l), field: "\(f).limit")) }
            if let s = m.swap, s != 0 { w.append(V1Write("memory", "memory.memsw.limit_in_bytes", String(s), field: "\(f).swap")) }
            if let r = m.reservation, r != 0 {
                w.append(V1Write("memory", "memory.soft_limit_in_bytes", String(r), field: "\(f).reservation"))
            }
            if let k = m.kernel, k != 0 { Log.warn("\(f).kernel ignored: kernel memory limits are deprecated") }
            if let k = m.kernelTCP, k != 0 {
                w.append(V1Write("memory", "memory.kmem.tcp.limit_in_bytes", String(k), field: "\(f).kernelTCP"))
            }
            if let s = m.swappiness, s <= 100 { w.append(V1Write("memory", "memory.swappiness", String(s), field: "\(f).swappiness")) }
            if m.disableOOMKiller == true { w.append(V1Write("memory", "memory.oom_control", "1", field: "\(f).disableOOMKiller")) }
        }
        if let c = r.cpu {
            let f = "linux.resources.cpu"
            if v1.contains("cpu") {
                if let s = c.shares, s != 0 { w.append(V1Write("cpu", "cpu.shares", String(s), field: "\(f).shares")) }
                if let p = c.period, p != 0 { w.append(V1Write("cpu", "cpu.cfs_period_us", String(p), field: "\(f).period")) }
                if let q = c.quota, q != 0 { w.append(V1Write("cpu", "cpu.cfs_quota_us", String(q < 0 ? -1 : q), field: "\(f).quota")) }
                if let b = c.burst { w.append(V1Write("cpu", "cpu.cfs_burst_us", String(b), field: "\(f).burst")) }
                if let p = c.realtimePeriod, p != 0 { w.append(V1Write("cpu", "cpu.rt_period_us", String(p), field: "\(f).realtimePeriod")) }
                if let r = c.realtimeRuntime, r != 0 {
                    w.append(V1Write("cpu", "cpu.rt_runtime_us", String(r), field: "\(f).realtimeRuntime"))
                }
                if let i = c.idle { w.append(V1Write("cpu", "cpu.idle", String(i), field: "\(f).idle")) }
            }
            if v1.contains("cpuset") {
                if let s = c.cpus, !s.isEmpty { w.append(V1Write("cpuset", "cpuset.cpus", s, field: "\(f).cpus")) }
                if let s = c.mems, !s.isEmpty { w.append(V1Write("cpuset", "cpuset.mems", s, field: "\(f).mems")) }
            }
        }
        if let p = r.pids, let l = p.limit, l != 0, v1.contains("pids") {
            w.append(V1Write("pids", "pids.max", l < 0 ? "max" : String(l), field: "linux.resources.pids.limit"))
        }
        if let b = r.blockIO, v1.contains("blkio") {
            let f = "linux.resources.blockIO"
            if let v = b.weight, v != 0 { w.append(V1Write("blkio", "blkio.weight", String(v), field: "\(f).weight")) }
            if let v = b.leafWeight, v != 0 { w.append(V1Write("blkio", "blkio.leaf_weight", String(v), field: "\(f).leafWeight")) }
            for (i, d) in (b.weightDevice ?? []).enumerated() {
                if let v = d.weight {
                    w.append(V1Write("blkio", "blkio.weight_device", "\(d.major):\(d.minor) \(v)", field: "\(f).weightDevice[\(i)]"))
                }
            }
            for (name, list, _, file) in b.throttles {
                for (i, d) in list.enumerated() {
                    w.append(V1Write("blkio", file, "\(d.major):\(d.minor) \(d.rate)", field: "\(f).\(name)[\(i)]"))
                }
            }
        }
        if let n = r.network {
            if let id = n.classID, v1.contains("net_cls") {
                w.append(V1Write("net_cls", "net_cls.classid", String(id), field: "linux.resources.network.classID"))
            }
            if v1.contains("net_prio") {
                for (i, p) in (n.priorities ?? []).enumerated() {
                    w.append(V1Write("net_prio", "net_prio.ifpriomap", "\(p.name) \(p.priority)",
                                     field: "linux.resources.network.priorities[\(i)]"))
                }
            }
        }
        return w
    }

    /// The v1 devices controller, in order: the config's rules, then linux.devices, then
    /// runc's defaults (the same list the BPF program gets).
    public static func deviceWrites(_ rules: [DeviceRule]) -> [V1Write] {
        rules.map { r in
            let t = r.type == "a" ? "a" : "\(r.type) \(r.major < 0 ? "*" : String(r.major)):\(r.minor < 0 ? "*" : String(r.minor)) \(r.access)"
            return V1Write("devices", r.allow ? "devices.allow" : "devices.deny", t, field: "linux.resources.devices")
        }
    }

    /// The parts of `r` left for the unified hierarchy once v1 took its controllers.
    public static func remainder(_ r: Resources, v1: Set<String>) -> Resources {
        var x = r
        if v1.contains("memory") { x.memory = nil }
        if v1.contains("cpu") {
            x.cpu?.shares = nil; x.cpu?.quota = nil; x.cpu?.period = nil; x.cpu?.burst = nil
            x.cpu?.realtimeRuntime = nil; x.cpu?.realtimePeriod = nil; x.cpu?.idle = nil
        }
        if v1.contains("cpuset") { x.cpu?.cpus = nil; x.cpu?.mems = nil }
        if v1.contains("pids") { x.pids = nil }
        if v1.contains("blkio") { x.blockIO = nil }
        if v1.contains("net_cls") || v1.contains("net_prio") { x.network = nil }
        x.devices = nil
        return x
    }

    /// Create the container's directory in each hierarchy (cpuset: cpus/mems copied from
    /// the parent first, or no task could join it).
    public static func create(_ dirs: [String: String]) throws {
        for (ctrl, dir) in dirs.sorted(by: { $0.key < $1.key }) {
            if ctrl == "cpuset" {
                try mkdirCpuset(dir)
            } else {
                try FS.mkdirAll(dir)
            }
        }
    }

    static func mkdirCpuset(_ dir: String) throws {
        if FS.isDirectory(dir) { return }
        let parent = FS.dirname(dir)
        try mkdirCpuset(parent)
        try FS.mkdirAll(dir)
        for f in ["cpuset.cpus", "cpuset.mems"] {
            let mine = FS.readString(dir + "/" + f)?.trimmingCharacters(in: " \n") ?? ""
            if mine.isEmpty, let p = FS.readString(parent + "/" + f)?.trimmingCharacters(in: " \n"), !p.isEmpty {
                try FS.write(dir + "/" + f, p)
            }
        }
    }

    public static func apply(_ writes: [V1Write], dirs: [String: String]) throws {
        // memory+swap must stay >= memory: when raising, memsw goes first.
        var ordered = writes
        if let l = writes.firstIndex(where: { $0.file == "memory.limit_in_bytes" }),
           let s = writes.firstIndex(where: { $0.file == "memory.memsw.limit_in_bytes" }), let dir = dirs["memory"],
           let cur = FS.readString(dir + "/memory.limit_in_bytes").flatMap({ Int64($0.trimmingCharacters(in: " \n")) }),
           let new = Int64(writes[l].value), new > cur || new == -1 {
            ordered.swapAt(l, s)
        }
        for w in ordered {
            guard let dir = dirs[w.controller] else {
                throw SkiffError.config(w.field, "the \(w.controller) controller is mounted in no hierarchy on this host")
            }
            do {
                try FS.write(dir + "/" + w.file, w.value)
            } catch {
                throw SkiffError.config(w.field, "\(error)")
            }
        }
    }

    public static func join(_ dirs: [String: String], pid: Int32) throws {
        for (_, dir) in dirs.sorted(by: { $0.key < $1.key }) {
            try FS.write(dir + "/cgroup.procs", "\(pid)")
        }
    }

    public static func remove(_ dirs: [String: String]) {
        for (_, dir) in dirs where FS.isDirectory(dir) {
            _ = Cgroup.rmdirWaiting(dir)
        }
    }
}
