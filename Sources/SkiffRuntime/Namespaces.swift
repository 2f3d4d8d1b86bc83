// Namespaces the parent itself must enter before the clone: pid and time only change
// the namespace of the *children* (pid_for_children, time_for_children), so the
// runtime can enter them, clone, and step back out.
import CSkiff
import Glibc
import SkiffOCI

let CLONE_NEWPID_FLAG: Int32 = 0x2000_0000
let CLONE_NEWTIME_FLAG: Int32 = 0x80

struct ChildNamespaces {
    private var saved: [(fd: Int32, type: Int32)] = []

    /// Enter `fd`'s namespace of `type` for our future children.
    mutating func enter(fd: Int32, type: Int32, what: String) throws {
        let name = type == CLONE_NEWPID_FLAG ? "pid_for_children" : "time_for_children"
        let own = open("/proc/self/ns/\(name)", O_RDONLY | O_CLOEXEC)
        if own < 0 { throw SkiffError("open /proc/self/ns/\(name): \(errnoText(errno))") }
        let r = skiff_setns(fd, type)
        if r < 0 {
            close(own)
            throw SkiffError("join \(what): \(errnoText(-r))")
        }
        saved.append((own, type))
    }

    /// A new time namespace for our children, with the configured clock offsets.
    mutating func newTime(offsets: [String: Linux.TimeOffset]) throws {
        let own = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC)
        if own < 0 { throw SkiffError("open /proc/self/ns/time_for_children: \(errnoText(errno))") }
        saved.append((own, CLONE_NEWTIME_FLAG))
        try check(skiff_unshare(CLONE_NEWTIME_FLAG), "create time namespace", negErrno: true)
        // Offsets can only be written while no process lives in the namespace yet.
        for clock in offsets.keys.sorted() {
            let o = offsets[clock]!
            try FS.write("/proc/self/timens_offsets", "\(clock) \(o.secs ?? 0) \(o.nanosecs ?? 0)\n")
        }
    }

    mutating func restore() {
        for s in saved.reversed() {
            _ = skiff_setns(s.fd, s.type)
            close(s.fd)
        }
        saved = []
    }
}
