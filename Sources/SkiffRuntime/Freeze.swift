// pause/resume through cgroup.freeze (waiting for the kernel to report "frozen"), and
// ps from cgroup.procs.
import Glibc
import SkiffOCI

extension Runtime {
    public func freeze(id: String, _ frozen: Bool) throws {
        let fd = try store.lock(id, exclusive: true)
        defer { close(fd) }
        var s = try store.load(id)
        let status = store.liveStatus(s)
        if frozen && status != .running { throw SkiffError("container not running") }
        if !frozen && status != .paused { throw SkiffError("container not paused") }
        if let dir = s.cgroupV1?["freezer"] {
            // Hybrid host: the v1 freezer holds the container's processes.
            try FS.write(dir + "/freezer.state", frozen ? "FROZEN" : "THAWED")
            let want = frozen ? "FROZEN" : "THAWED"
            for _ in 0..<1000 {
                if FS.readString(dir + "/freezer.state")?.hasPrefix(want) == true { break }
                usleep(1000)
            }
            if FS.readString(dir + "/freezer.state")?.hasPrefix(want) != true {
                throw SkiffError("\(frozen ? "freeze" : "thaw") \(dir): the freezer did not reach \(want)")
            }
        } else {
            guard let cg = s.cgroupPath, let full = Cgroup.fullPath(cg) else {
                throw SkiffError.notSupported("pause: the container has no freezer cgroup")
            }
            try FS.write(full + "/cgroup.freeze", frozen ? "1" : "0")
            for _ in 0..<1000 {
                if Cgroup.isFrozen(cg) == frozen { break }
                usleep(1000)
            }
            if Cgroup.isFrozen(cg) != frozen {
                throw SkiffError("\(frozen ? "freeze" : "thaw") \(full): the kernel did not report the new state")
            }
        }
        s.status = frozen ? .paused : .running
        try store.save(s)
    }

    public func processes(id: String) throws -> [Int32] {
        let fd = try store.lock(id, exclusive: false)
        defer { close(fd) }
        let s = try store.load(id)
        if store.liveStatus(s) == .stopped { return [] }
        guard let cg = s.cgroupPath, Cgroup.fullPath(cg) != nil else { return [s.pid] }
        return Cgroup.procs(cg)
    }
}
