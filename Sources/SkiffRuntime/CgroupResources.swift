// linux.resources → cgroup v2 files, with runc's conversions.  A pure translation
// (tested against scratch directories); CgroupManager applies it.
import Glibc
import SkiffOCI

public struct CgroupWrite: Equatable, CustomStringConvertible {
    /// The file, relative to the container's cgroup directory.
    public var file: String
    public var value: String
    /// The config field it comes from (for errors).
    public var field: String
    /// Written instead when `file` does not exist (io.bfq.weight → io.weight).
    public var fallback: (file: String, value: String)?

    public init(_ file: String, _ value: String, field: String, fallback: (file: String, value: String)? = nil) {
        self.file = file
        self.value = value
        self.field = field
        self.fallback = fallback
    }

    public static func == (a: CgroupWrite, b: CgroupWrite) -> Bool {
        a.file == b.file && a.value == b.value && a.field == b.field && a.fallback?.file == b.fallback?.file
            && a.fallback?.value == b.fallback?.value
    }

    public var description: String { "\(file)=\(value)" }

    /// The controller owning the file ("memory" for memory.max; "cgroup" for core files).
    public var controller: String { String(file.prefix { $0 != "." }) }
}

extension Resources.BlockIO {
    /// The four throttle lists: field name, devices, io.max key (v2), file (v1).
    var throttles: [(field: String, devices: [ThrottleDevice], v2Key: String, v1File: String)] {
        [("throttleReadBpsDevice", throttleReadBpsDevice ?? [], "rbps", "blkio.throttle.read_bps_device"),
         ("throttleWriteBpsDevice", throttleWriteBpsDevice ?? [], "wbps", "blkio.throttle.write_bps_device"),
         ("throttleReadIOPSDevice", throttleReadIOPSDevice ?? [], "riops", "blkio.throttle.read_iops_device"),
         ("throttleWriteIOPSDevice", throttleWriteIOPSDevice ?? [], "wiops", "blkio.throttle.write_iops_device")]
    }
}

public enum CgroupV2 {
    /// runc's cpu.shares (2…262144) → cpu.weight (1…10000).
    public static func weight(fromShares shares: UInt64) -> UInt64 {
        let s = min(max(shares, 2), 262_144)
        return 1 + ((s - 2) * 9999) / 262_142
    }

    /// blkio weight (10…1000) → io.weight (1…10000).
    public static func ioWeight(fromBlkio w: UInt16) -> UInt64 {
        let v = UInt64(min(max(w, 10), 1000))
        return 1 + (v - 10) * 9999 / 990
    }

    /// OCI memory.swap is memory+swap; cgroup v2 memory.swap.max is swap alone.
    public static func swapMax(swap: Int64, limit: Int64?) throws -> String? {
        if swap == 0 { return nil }
        if swap == -1 { return "max" }
        guard let limit, limit != 0, limit != -1 else {
            throw SkiffError.config("linux.resources.memory.swap", "a swap limit needs a memory limit")
        }
        if swap < limit {
            throw SkiffError.config("linux.resources.memory.swap",
                                    "must be at least linux.resources.memory.limit (it counts memory plus swap)")
        }
        return String(swap - limit)
    }

    /// The files to write for `r`.  Zero means "unset" (docker sends zeros for fields it
    /// does not change); -1 means "no limit".  Devices are not files: see DeviceFilter.
    public static func writes(_ r: Resources) throws -> [CgroupWrite] {
        var w: [CgroupWrite] = []
        if let m = r.memory {
            let f = "linux.resources.memory"
            if let l = m.limit, l != 0 { w.append(CgroupWrite("memory.max", l < 0 ? "max" : String(l), field: "\(f).limit")) }
            if let r = m.reservation, r != 0 {
                w.append(CgroupWrite("memory.low", r < 0 ? "max" : String(r), field: "\(f).reservation"))
            }
            if let s = m.swap, let v = try swapMax(swap: s, limit: m.limit) {
                w.append(CgroupWrite("memory.swap.max", v, field: "\(f).swap"))
            }
            if let k = m.kernel, k != 0 { Log.warn("\(f).kernel ignored: cgroup v2 has no kernel memory limit") }
            if let k = m.kernelTCP, k != 0 { Log.warn("\(f).kernelTCP ignored: cgroup v2 has no kernel TCP limit") }
            if m.swappiness != nil {
                throw SkiffError.config("\(f).swappiness", "not supported: cgroup v2 has no per-cgroup swappiness")
            }
            if m.disableOOMKiller == true {
                throw SkiffError.config("\(f).disableOOMKiller", "not supported: cgroup v2 cannot disable the OOM killer")
            }
        }
        if let c = r.cpu {
            let f = "linux.resources.cpu"
            if let s = c.shares, s != 0 { w.append(CgroupWrite("cpu.weight", String(weight(fromShares: s)), field: "\(f).shares")) }
            let quota = c.quota ?? 0
            let period = c.period ?? 0
            if quota != 0 || period != 0 {
                let q = quota > 0 ? String(quota) : "max"
                w.append(CgroupWrite("cpu.max", "\(q) \(period != 0 ? period : 100_000)", field: "\(f).quota"))
            }
            if let b = c.burst { w.append(CgroupWrite("cpu.max.burst", String(b), field: "\(f).burst")) }
            if let cpus = c.cpus, !cpus.isEmpty { w.append(CgroupWrite("cpuset.cpus", cpus, field: "\(f).cpus")) }
            if let mems = c.mems, !mems.isEmpty { w.append(CgroupWrite("cpuset.mems", mems, field: "\(f).mems")) }
            if let i = c.idle { w.append(CgroupWrite("cpu.idle", String(i), field: "\(f).idle")) }
            if (c.realtimeRuntime ?? 0) != 0 || (c.realtimePeriod ?? 0) != 0 {
                throw SkiffError.config("\(f).realtimeRuntime", "not supported: cgroup v2 has no realtime CPU limits")
            }
        }
        if let p = r.pids, let l = p.limit, l != 0 {
            w.append(CgroupWrite("pids.max", l < 0 ? "max" : String(l), field: "linux.resources.pids.limit"))
        }
        if let b = r.blockIO {
            let f = "linux.resources.blockIO"
            if let v = b.weight, v != 0 {
                w.append(CgroupWrite("io.bfq.weight", String(v), field: "\(f).weight",
                                     fallback: ("io.weight", "default \(ioWeight(fromBlkio: v))")))
            }
            if let v = b.leafWeight, v != 0 {
                throw SkiffError.config("\(f).leafWeight", "not supported: cgroup v2 has no leaf weight")
            }
            for (i, d) in (b.weightDevice ?? []).enumerated() {
                if let v = d.weight {
                    w.append(CgroupWrite("io.bfq.weight", "\(d.major):\(d.minor) \(v)", field: "\(f).weightDevice[\(i)]",
                                         fallback: ("io.weight", "\(d.major):\(d.minor) \(ioWeight(fromBlkio: v))")))
                }
            }
            for (name, list, key, _) in b.throttles {
                for (i, d) in list.enumerated() {
                    let rate = d.rate == 0 ? "max" : String(d.rate)
                    w.append(CgroupWrite("io.max", "\(d.major):\(d.minor) \(key)=\(rate)", field: "\(f).\(name)[\(i)]"))
                }
            }
        }
        for (i, h) in (r.hugepageLimits ?? []).enumerated() {
            w.append(CgroupWrite("hugetlb.\(h.pageSize).max", String(h.limit), field: "linux.resources.hugepageLimits[\(i)]"))
        }
        for dev in (r.rdma ?? [:]).keys.sorted() {
            let x = r.rdma![dev]!
            var parts = [dev]
            if let h = x.hcaHandles { parts.append("hca_handle=\(h)") }
            if let o = x.hcaObjects { parts.append("hca_object=\(o)") }
            w.append(CgroupWrite("rdma.max", parts.joined(separator: " "), field: "linux.resources.rdma.\(dev)"))
        }
        if let n = r.network, n.classID != nil || !(n.priorities ?? []).isEmpty {
            throw SkiffError.config("linux.resources.network", "not supported: cgroup v2 has no net_cls or net_prio")
        }
        for key in (r.unified ?? [:]).keys.sorted() {
            if key.contains("/") || key.hasPrefix(".") || !key.contains(".") {
                throw SkiffError.config("linux.resources.unified.\(key)", "not a cgroup v2 file name")
            }
            w.append(CgroupWrite(key, r.unified![key]!, field: "linux.resources.unified.\(key)"))
        }
        return w
    }
}
