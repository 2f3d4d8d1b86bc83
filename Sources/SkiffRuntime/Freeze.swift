// pause/resume through the freezer (waiting for the kernel to report the new state), and
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
        // The v1 freezer on a hybrid host, else cgroup.freeze; either way wait until the
        // kernel reports the new state (Cgroup.isFrozen reads the same place).
        let file: String
        if let dir = s.cgroupV1?["freezer"] {
            file = dir + "/freezer.state"
        } else if let cg = s.cgroupPath, let full = Cgroup.fullPath(cg) {
            file = full + "/cgroup.freeze"
        } else {
            throw SkiffError.notSupported("pause: the container has no freezer cgroup")
        }
        try FS.write(file, file.hasSuffix("freezer.state") ? (frozen ? "FROZEN" : "THAWED") : (frozen ? "1" : "0"))
        for _ in 0..<1000 where Cgroup.isFrozen(s) != frozen {
            usleep(1000)
        }
        if Cgroup.isFrozen(s) != frozen {
            throw SkiffError("\(frozen ? "freeze" : "thaw") \(file): the kernel did not report the new state")
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
