// The container's cgroup on the unified (v2) hierarchy: placement, freeze state,
// kill, removal.  Limits are not written here yet (linux.resources is refused by
// validation until the cgroup manager lands).
import CSkiff
import Glibc
import SkiffOCI

public enum Cgroup {
    /// The cgroup2 mount: /sys/fs/cgroup on a v2 host, /sys/fs/cgroup/unified on a hybrid one.
    public static func unifiedMount() -> String? {
        for p in ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"] {
            if skiff_fs_type(p) == 0x6367_7270 /* CGROUP2_SUPER_MAGIC */ { return p }
        }
        return nil
    }

    /// Our own cgroup on the unified hierarchy ("0::/path" in /proc/self/cgroup).
    public static func ownPath(_ procSelfCgroup: String? = FS.readString("/proc/self/cgroup")) -> String {
        for line in (procSelfCgroup ?? "").split(separator: "\n") where line.hasPrefix("0::") {
            return String(line.dropFirst(3))
        }
        return "/"
    }

    /// runc's cgroupfs semantics: absent → <own cgroup>/<id>; relative → <own cgroup>/<path>;
    /// absolute → as given.  Returns the path relative to the hierarchy root.
    public static func resolve(cgroupsPath: String?, id: String, own: String) throws -> String {
        guard let p = cgroupsPath, !p.isEmpty else { return FS.clean(own + "/" + id) }
        if p.contains(":") && !p.hasPrefix("/") {
            throw SkiffError.config("linux.cgroupsPath",
                                    "\"\(p)\" is a systemd slice:prefix:name path; not supported yet: --systemd-cgroup")
        }
        return p.hasPrefix("/") ? FS.clean(p) : FS.clean(own + "/" + p)
    }

    public static func fullPath(_ rel: String) -> String? {
        unifiedMount().map { $0 + rel }
    }

    public static func create(_ rel: String) throws -> String {
        guard let full = fullPath(rel) else { throw SkiffError("no cgroup2 hierarchy is mounted") }
        try FS.mkdirAll(full)
        return full
    }

    public static func isFrozen(_ rel: String) -> Bool {
        guard let full = fullPath(rel), let ev = FS.readString(full + "/cgroup.events") else { return false }
        return ev.split(separator: "\n").contains("frozen 1")
    }

    public static func procs(_ rel: String) -> [Int32] {
        guard let full = fullPath(rel), let s = FS.readString(full + "/cgroup.procs") else { return [] }
        return s.split(separator: "\n").compactMap { Int32($0) }
    }

    /// Signal every process in the cgroup; SIGKILL through cgroup.kill when present.
    public static func signalAll(_ rel: String, _ sig: Int32) {
        guard let full = fullPath(rel) else { return }
        if sig == SIGKILL, (try? FS.write(full + "/cgroup.kill", "1")) != nil { return }
        for pid in procs(rel) { kill(pid, sig) }
    }

    /// Remove the cgroup, killing what is left, waiting briefly for it to empty.
    public static func remove(_ rel: String) {
        guard let full = fullPath(rel), FS.isDirectory(full) else { return }
        for attempt in 0..<200 {
            if rmdir(full) == 0 || errno == ENOENT { return }
            if errno != EBUSY { break }
            if attempt == 0 { signalAll(rel, SIGKILL) }
            usleep(10_000)
        }
        Log.warn("could not remove cgroup \(full): \(errnoText(errno))")
    }
}
