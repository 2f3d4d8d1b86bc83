// `update`: change a running container's limits (runc's JSON form and flag form).
import CSkiff
import Glibc
import SkiffOCI

/// runc's `update` flags; nil = not given.  Memory sizes accept k/m/g/t suffixes.
public struct UpdateFlags {
    public var blkioWeight: UInt16?
    public var cpuPeriod: UInt64?
    public var cpuQuota: Int64?
    public var cpuShares: UInt64?
    public var cpuRtPeriod: UInt64?
    public var cpuRtRuntime: Int64?
    public var cpusetCpus: String?
    public var cpusetMems: String?
    public var memory: String?
    public var memoryReservation: String?
    public var memorySwap: String?
    public var kernelMemory: String?
    public var kernelMemoryTCP: String?
    public var pidsLimit: Int64?
    public init() {}

    /// "64m" → 67108864; "-1" → -1.
    public static func bytes(_ s: String, flag: String) throws -> Int64 {
        let t = s.lowercased().trimmingCharacters(in: " ")
        if let v = Int64(t) { return v }
        var num = t
        var mult: Int64 = 1
        for (suffix, m) in [("kb", 1 << 10), ("k", 1 << 10), ("mb", 1 << 20), ("m", 1 << 20), ("gb", 1 << 30), ("g", 1 << 30),
                            ("tb", 1 << 40), ("t", 1 << 40), ("b", 1)] as [(String, Int64)] where t.hasSuffix(suffix) {
            num = String(t.dropLast(suffix.count))
            mult = m
            break
        }
        guard let v = Int64(num), v >= 0 else { throw SkiffError("--\(flag): \"\(s)\" is not a size") }
        return v * mult
    }

    public func apply(to r: inout Resources) throws {
        if let v = blkioWeight { r.blockIO = r.blockIO ?? .init(); r.blockIO!.weight = v }
        var cpu = r.cpu ?? Resources.CPU()
        var touchedCPU = false
        if let v = cpuPeriod { cpu.period = v; touchedCPU = true }
        if let v = cpuQuota { cpu.quota = v; touchedCPU = true }
        if let v = cpuShares { cpu.shares = v; touchedCPU = true }
        if let v = cpuRtPeriod { cpu.realtimePeriod = v; touchedCPU = true }
        if let v = cpuRtRuntime { cpu.realtimeRuntime = v; touchedCPU = true }
        if let v = cpusetCpus { cpu.cpus = v; touchedCPU = true }
        if let v = cpusetMems { cpu.mems = v; touchedCPU = true }
        if touchedCPU { r.cpu = cpu }
        var mem = r.memory ?? Resources.Memory()
        var touchedMem = false
        if let v = memory { mem.limit = try UpdateFlags.bytes(v, flag: "memory"); touchedMem = true }
        if let v = memoryReservation { mem.reservation = try UpdateFlags.bytes(v, flag: "memory-reservation"); touchedMem = true }
        if let v = memorySwap { mem.swap = try UpdateFlags.bytes(v, flag: "memory-swap"); touchedMem = true }
        if let v = kernelMemory { mem.kernel = try UpdateFlags.bytes(v, flag: "kernel-memory"); touchedMem = true }
        if let v = kernelMemoryTCP { mem.kernelTCP = try UpdateFlags.bytes(v, flag: "kernel-memory-tcp"); touchedMem = true }
        if touchedMem { r.memory = mem }
        if let v = pidsLimit { r.pids = .init(limit: v) }
    }
}

extension Runtime {
    public func update(id: String, resources: Resources) throws {
        let fd = try store.lock(id, exclusive: true)
        defer { close(fd) }
        let s = try store.load(id)
        if store.liveStatus(s) == .stopped { throw SkiffError("container not running") }
        let cgroups = ContainerCgroups(s)
        var r = resources
        // A swap change alone is relative to the limit already in force.
        if let swap = r.memory?.swap, swap > 0, (r.memory?.limit ?? 0) == 0,
           let l = cgroups.memoryValue(v1: "memory.limit_in_bytes", v2: "memory.max") {
            r.memory?.limit = l
        }
        if r.memory?.checkBeforeUpdate == true, let l = r.memory?.limit, l > 0,
           let usage = cgroups.memoryValue(v1: "memory.usage_in_bytes", v2: "memory.current"), usage > l {
            throw SkiffError.config("linux.resources.memory.limit",
                                    "\(l) is below the current usage \(usage) (checkBeforeUpdate)")
        }
        var rules: [DeviceRule]?
        if let devices = r.devices, !devices.isEmpty {
            var spec = try store.loadConfig(id)
            if spec.linux == nil { spec.linux = Linux() }
            if spec.linux!.resources == nil { spec.linux!.resources = Resources() }
            spec.linux!.resources!.devices = devices
            rules = try DeviceFilter.rules(spec)
        }
        try cgroups.update(r, rules: rules)
    }
}
