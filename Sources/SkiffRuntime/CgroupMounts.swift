// A `"type": "cgroup"` mount, as runc reads it: on a pure v2 host, cgroup2; on a
// hybrid or v1 host, a tmpfs with the container's own cgroup in each hierarchy bound
// below it (/sys/fs/cgroup/memory, …, /sys/fs/cgroup/unified), with the mount's flags.
import Glibc
import SkiffOCI

enum CgroupMounts {
    static func expand(_ m: PlannedMount, _ cg: ContainerCgroups) throws -> [PlannedMount] {
        guard m.fstype == "cgroup" else { return [m] }
        var v2 = m
        v2.fstype = "cgroup2"
        v2.source = "cgroup2"
        v2.data = nil
        if cg.v1.isEmpty { return [v2] }
        let keep = m.flags & (2 | 4 | 8 | 1)  // nosuid, nodev, noexec, ro for the binds
        var tmpfs = m
        tmpfs.fstype = "tmpfs"
        tmpfs.source = "tmpfs"
        tmpfs.data = "mode=755"
        tmpfs.flags = m.flags & ~1  // the binds go in after it, so it stays writable
        var out = [tmpfs]
        var dirs = cg.v1.map { ($0.key, $0.value) }
        if let rel = cg.rel, let full = Cgroup.fullPath(rel) { dirs.append(("unified", full)) }
        for (name, dir) in dirs.sorted(by: { $0.0 < $1.0 }) {
            out.append(PlannedMount(source: dir, destination: m.destination + "/" + name, fstype: nil, data: nil,
                                    flags: MS_BIND | keep, propagation: 0, isBind: true, sourceIsDir: true,
                                    remount: keep != 0, recursiveReadonly: false, idmap: false))
        }
        return out
    }
}
