// A container's cgroups as one thing: the unified (v2) cgroup, plus on hybrid hosts a
// directory in each v1 hierarchy.  Each limit goes to whichever hierarchy holds its
// controller; a field whose controller is in neither is an error naming it.
import CSkiff
import Glibc
import SkiffOCI

public struct ContainerCgroups {
    /// Path in the unified hierarchy, relative to its mount.
    public var rel: String?
    /// controller → the container's directory in that v1 hierarchy.
    public var v1: [String: String] = [:]

    /// The writes a Resources object turns into, split by hierarchy (nothing written yet).
    static func plan(_ r: Resources, rules: [DeviceRule]?, v1: [String: String]) throws -> ([V1Write], [CgroupWrite]) {
        let v1set = Set(v1.keys)
        var w1 = try CgroupV1.writes(r, v1: v1set)
        if let rules, v1set.contains("devices") { w1 += CgroupV1.deviceWrites(rules) }
        let w2 = try CgroupV2.writes(CgroupV1.remainder(r, v1: v1set))
        try Cgroup.checkAvailable(w2)
        return (w1, w2)
    }

    /// Create every directory and write every limit; on failure nothing is left behind.
    public static func create(spec: Spec, id: String) throws -> ContainerCgroups {
        let linux = spec.linux ?? Linux()
        var cg = ContainerCgroups()
        let v1mounts = CgroupV1.mounts()
        if !v1mounts.isEmpty { cg.v1 = try CgroupV1.paths(cgroupsPath: linux.cgroupsPath, id: id, mounts: v1mounts) }
        let rules = try DeviceFilter.rules(spec)
        let (w1, w2) = try plan(linux.resources ?? Resources(), rules: rules, v1: cg.v1)
        do {
            if Cgroup.unifiedMount() != nil {
                let rel = try Cgroup.resolve(cgroupsPath: linux.cgroupsPath, id: id, own: Cgroup.ownPath())
                let full = try Cgroup.create(rel)
                cg.rel = rel
                try Cgroup.apply(w2, rel: rel)
                if let rules {
                    let dirFd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                    defer { close(dirFd) }
                    try DeviceFilter.attach(rules, cgroupFd: dirFd)
                }
            } else if rules != nil && cg.v1["devices"] == nil {
                throw SkiffError.config("linux.resources.devices", "no cgroup hierarchy can enforce device rules on this host")
            }
            if !cg.v1.isEmpty {
                try CgroupV1.create(cg.v1)
                try CgroupV1.apply(w1, dirs: cg.v1)
            }
        } catch {
            cg.remove()
            throw error
        }
        return cg
    }

    /// O_PATH fd of the unified cgroup, for CLONE_INTO_CGROUP (-1 without one).
    public func openFd() -> Int32 {
        guard let rel, let full = Cgroup.fullPath(rel) else { return -1 }
        return skiff_open_path(full)
    }

    /// Put a process in (v2 unless the clone already did, and every v1 hierarchy).
    public func join(pid: Int32, alreadyInV2: Bool) throws {
        try Cgroup.join(rel, pid: pid, alreadyIn: alreadyInV2)
        try CgroupV1.join(v1, pid: pid)
    }

    /// A frozen task cannot die: after a SIGKILL, thaw so it does (delete/kill of a
    /// paused container).
    public func thaw() {
        if let d = v1["freezer"], FS.readString(d + "/freezer.state")?.hasPrefix("THAWED") == false {
            try? FS.write(d + "/freezer.state", "THAWED")
        }
        if let rel, let full = Cgroup.fullPath(rel), FS.exists(full + "/cgroup.freeze") {
            try? FS.write(full + "/cgroup.freeze", "0")
        }
    }

    /// A number from the memory controller's file, wherever memory lives (v1 or v2).
    func memoryValue(v1 v1File: String, v2 v2File: String) -> Int64? {
        let path: String
        if let d = v1["memory"] {
            path = d + "/" + v1File
        } else if let rel, let full = Cgroup.fullPath(rel) {
            path = full + "/" + v2File
        } else {
            return nil
        }
        return FS.readString(path).flatMap { Int64($0.trimmingCharacters(in: " \n")) }
    }

    public func remove() {
        if let rel { Cgroup.remove(rel) }
        CgroupV1.remove(v1)
    }

    public init(rel: String? = nil, v1: [String: String] = [:]) {
        self.rel = rel
        self.v1 = v1
    }

    public init(_ s: StoredState) {
        rel = s.cgroupPath
        v1 = s.cgroupV1 ?? [:]
    }

    /// `update`: the same split, written into the live cgroups.
    public func update(_ r: Resources, rules: [DeviceRule]?) throws {
        let (w1, w2) = try ContainerCgroups.plan(r, rules: nil, v1: v1)
        if let rel { try Cgroup.apply(w2, rel: rel) }
        try CgroupV1.apply(w1, dirs: v1)
        guard let rules else { return }
        if let rel, let full = Cgroup.fullPath(rel) {
            let dirFd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            defer { close(dirFd) }
            try DeviceFilter.replace(rules, cgroupFd: dirFd)
        }
        // v1: start from nothing, then the new list.
        if v1["devices"] != nil {
            try CgroupV1.apply([V1Write("devices", "devices.deny", "a", field: "linux.resources.devices")]
                               + CgroupV1.deviceWrites(rules), dirs: v1)
        }
    }
}
