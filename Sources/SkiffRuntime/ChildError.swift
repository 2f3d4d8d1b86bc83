// Turn the child's (step, errno, index) report into a sentence naming what failed.
import CSkiff
import Glibc
import SkiffOCI

public struct ChildContext {
    public var mounts: [PlannedMount] = []
    public var devices: [String] = []
    public var masked: [String] = []
    public var readonlyPaths: [String] = []
    public var sysctls: [String] = []
    public var rlimits: [String] = []
    public var createContainerHooks: [String] = []
    public var startContainerHooks: [String] = []
    public var joins: [String] = []
    public var args: [String] = []
    public var cwd: String = "/"
    public init() {}
}

public enum ChildError {
    /// "<command>: <what failed>", e.g. "create: mount proc proc on /proc: Permission denied".
    public static func error(_ command: String, _ m: skiff_msg, _ c: ChildContext) -> SkiffError {
        let text = describe(m, c)
        return SkiffError(text.hasPrefix(command + " ") || text.hasPrefix(command + ":") ? text : "\(command): \(text)")
    }

    public static func describe(_ m: skiff_msg, _ c: ChildContext) -> String {
        let e = errnoText(m.err)
        let i = Int(m.index)
        func at<T>(_ a: [T]) -> T? { i >= 0 && i < a.count ? a[i] : nil }
        let mnt = at(c.mounts).map { "\($0.fstype ?? "bind") \($0.source) on \($0.destination)" } ?? "#\(i)"
        switch Int(m.step) {
        case Int(SK_STEP_SETNS.rawValue): return "join namespace \(at(c.joins) ?? "of the container"): \(e)"
        case Int(SK_STEP_UNSHARE_CGROUP.rawValue): return "create cgroup namespace: \(e)"
        case Int(SK_STEP_SETUID_ROOT.rawValue): return "become root in the user namespace: \(e)"
        case Int(SK_STEP_PROPAGATION.rawValue): return "set mount propagation of /: \(e)"
        case Int(SK_STEP_ROOTFS_BIND.rawValue): return "bind rootfs onto itself: \(e)"
        case Int(SK_STEP_ROOTFS_OPEN.rawValue): return "open rootfs: \(e)"
        case Int(SK_STEP_MOUNT_DEST.rawValue): return "create mount destination \(at(c.mounts)?.destination ?? "#\(i)"): \(e)"
        case Int(SK_STEP_MOUNT.rawValue): return "mount \(mnt): \(e)"
        case Int(SK_STEP_MOUNT_REMOUNT.rawValue): return "remount \(mnt) with its options: \(e)"
        case Int(SK_STEP_MOUNT_PROPAGATION.rawValue): return "set propagation of \(at(c.mounts)?.destination ?? "#\(i)"): \(e)"
        case Int(SK_STEP_MOUNT_SETATTR.rawValue): return "set attributes (rro/idmap) of \(mnt): \(e)"
        case Int(SK_STEP_DEV.rawValue): return "set up /dev: \(e)"
        case Int(SK_STEP_DEVICE.rawValue): return "create device \(at(c.devices) ?? "#\(i)"): \(e)"
        case Int(SK_STEP_CONSOLE.rawValue): return "set up the console: \(e)"
        case Int(SK_STEP_SYSCTL.rawValue): return "write sysctl \(at(c.sysctls) ?? ""): \(e)"
        case Int(SK_STEP_MASK.rawValue):
            return i < 0 ? "mask paths: /dev/null is not the null device" : "mask \(at(c.masked) ?? ""): \(e)"
        case Int(SK_STEP_READONLY_PATH.rawValue): return "make \(at(c.readonlyPaths) ?? "") read-only: \(e)"
        case Int(SK_STEP_HOOK_CREATE_CONTAINER.rawValue):
            return "createContainer hook \(at(c.createContainerHooks) ?? "#\(i)") \(hookStatus(m.err))"
        case Int(SK_STEP_HOOK_START_CONTAINER.rawValue):
            return "startContainer hook \(at(c.startContainerHooks) ?? "#\(i)") \(hookStatus(m.err))"
        case Int(SK_STEP_HOOK_TIMEOUT.rawValue): return "hook #\(i) timed out and was killed"
        case Int(SK_STEP_PIVOT.rawValue): return "pivot_root into the rootfs: \(e)"
        case Int(SK_STEP_READONLY_ROOT.rawValue): return "make the root read-only: \(e)"
        case Int(SK_STEP_ROOT_PROPAGATION.rawValue): return "set rootfsPropagation: \(e)"
        case Int(SK_STEP_HOSTNAME.rawValue): return "set hostname: \(e)"
        case Int(SK_STEP_DOMAINNAME.rawValue): return "set domainname: \(e)"
        case Int(SK_STEP_RLIMIT.rawValue): return "set rlimit \(at(c.rlimits) ?? ""): \(e)"
        case Int(SK_STEP_PERSONALITY.rawValue): return "set personality: \(e)"
        case Int(SK_STEP_SCHEDULER.rawValue): return "set scheduler: \(e)"
        case Int(SK_STEP_IOPRIO.rawValue): return "set I/O priority: \(e)"
        case Int(SK_STEP_CWD.rawValue): return "chdir to cwd \(c.cwd): \(e)"
        case Int(SK_STEP_GROUPS.rawValue): return "set additional groups: \(e)"
        case Int(SK_STEP_SETGID.rawValue): return "set gid: \(e)"
        case Int(SK_STEP_SETUID.rawValue): return "set uid: \(e)"
        case Int(SK_STEP_CAPS.rawValue): return "set capabilities: \(e)"
        case Int(SK_STEP_NNP.rawValue): return "set no_new_privs: \(e)"
        case Int(SK_STEP_FDS.rawValue): return "close inherited fds: \(e)"
        case Int(SK_STEP_EXEC_LOOKUP.rawValue), Int(SK_STEP_EXEC.rawValue):
            let prog = c.args.first ?? ""
            if m.err == ENOENT {
                if prog.contains("/") { return "exec: \"\(prog)\": stat \(prog): no such file or directory" }
                return "exec: \"\(prog)\": executable file not found in $PATH: no such file or directory"
            }
            // Lower case, as runc words it: engines match "permission denied" (→ 126).
            return "exec: \"\(prog)\": \(e.lowercased())"
        case Int(SK_STEP_SECCOMP.rawValue): return "load seccomp filter: \(e)"
        default: return "container setup step \(m.step): \(e)"
        }
    }

    static func hookStatus(_ v: Int32) -> String {
        v < 0 ? "could not run: \(errnoText(-v))" : "failed with exit status \(v)"
    }
}
