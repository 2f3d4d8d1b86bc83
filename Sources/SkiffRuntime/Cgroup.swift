// The container's cgroup on the unified (v2) hierarchy: placement, controllers,
// limits, device filter, freeze state, kill, removal.
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

    /// Frozen through the v1 freezer (hybrid hosts) or cgroup.freeze.
    public static func isFrozen(_ s: StoredState) -> Bool {
        if let dir = s.cgroupV1?["freezer"] {
            return FS.readString(dir + "/freezer.state")?.hasPrefix("FROZEN") == true
        }
        return s.cgroupPath.map(isFrozen) ?? false
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

    /// Move a process in by writing cgroup.procs (when CLONE_INTO_CGROUP was refused).
    static func join(_ rel: String?, pid: Int32, alreadyIn: Bool) throws {
        guard let rel, !alreadyIn, let full = fullPath(rel) else { return }
        try FS.write(full + "/cgroup.procs", "\(pid)")
    }

    /// Remove the cgroup, killing what is left, waiting briefly for it to empty.
    public static func remove(_ rel: String) {
        guard let full = fullPath(rel), FS.isDirectory(full) else { return }
        if !rmdirWaiting(full, whenBusy: { signalAll(rel, SIGKILL) }) {
            Log.warn("could not remove cgroup \(full): \(errnoText(errno))")
        }
    }

    /// rmdir a cgroup directory, retrying for up to 2 s while it is still populated
    /// (`whenBusy` runs once, at the first EBUSY).  False with errno set on failure.
    static func rmdirWaiting(_ dir: String, whenBusy: () -> Void = {}) -> Bool {
        for attempt in 0..<200 {
            if rmdir(dir) == 0 || errno == ENOENT { return true }
            if errno != EBUSY { return false }
            if attempt == 0 { whenBusy() }
            usleep(10_000)
        }
        return false
    }

    public static func controllers(_ full: String) -> Set<String> {
        Set((FS.readString(full + "/cgroup.controllers") ?? "").split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
    }

    /// Enable the controllers the writes need in every ancestor's cgroup.subtree_control,
    /// from the root down, so they appear in the container's cgroup.
    static func enable(_ needed: Set<String>, for rel: String, mount: String) {
        guard !needed.isEmpty else { return }
        var path = mount
        for comp in rel.split(separator: "/").dropLast() {
            let avail = controllers(path)
            let want = needed.intersection(avail).sorted().map { "+" + $0 }
            if !want.isEmpty { try? FS.write(path + "/cgroup.subtree_control", want.joined(separator: " ")) }
            path += "/" + comp
        }
        let avail = controllers(path)
        let want = needed.intersection(avail).sorted().map { "+" + $0 }
        if !want.isEmpty { try? FS.write(path + "/cgroup.subtree_control", want.joined(separator: " ")) }
    }

    /// Why a controller is missing, for the error: v1-bound on a hybrid host, or absent.
    static func missingReason(_ controller: String, mount: String) -> String {
        if FS.isDirectory("/sys/fs/cgroup/\(controller)") && mount.hasSuffix("/unified") {
            return "the \(controller) controller is not available in the cgroup v2 hierarchy at \(mount): this host binds it to cgroup v1"
        }
        return "the \(controller) controller is not available in the cgroup v2 hierarchy at \(mount)"
    }

    /// Fail, naming the field, if a write's controller cannot reach the container's cgroup.
    public static func checkAvailable(_ writes: [CgroupWrite], mount: String? = unifiedMount()) throws {
        guard let mount else {
            if let w = writes.first { throw SkiffError.config(w.field, "no cgroup2 hierarchy is mounted") }
            return
        }
        // What the root offers is what any cgroup can get (enable() passes it down).
        let avail = controllers(mount)
        for w in writes where w.controller != "cgroup" && !avail.contains(w.controller) {
            throw SkiffError.config(w.field, missingReason(w.controller, mount: mount))
        }
    }

    /// Write the limits into the container's cgroup (create and update).
    public static func apply(_ writes: [CgroupWrite], rel: String, mount: String? = unifiedMount()) throws {
        guard let mount else {
            try checkAvailable(writes, mount: nil)
            return
        }
        try checkAvailable(writes, mount: mount)
        enable(Set(writes.map(\.controller)).subtracting(["cgroup"]), for: rel, mount: mount)
        let dir = mount + rel
        let have = controllers(dir)
        for w in writes {
            if w.controller != "cgroup" && !have.contains(w.controller) {
                throw SkiffError.config(w.field, "the \(w.controller) controller could not be enabled for \(dir) (is a parent cgroup holding processes?)")
            }
            var file = w.file
            var value = w.value
            if let fb = w.fallback, !FS.exists(dir + "/" + file) {
                file = fb.file
                value = fb.value
            }
            do {
                try FS.write(dir + "/" + file, value)
            } catch {
                throw SkiffError.config(w.field, "\(error)")
            }
        }
    }
}
