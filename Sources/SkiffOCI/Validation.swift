// Static checks of a config: each problem names its JSON path, so `skiff check` and a
// failed `create` point at the field to fix.

public struct Problem: Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
    public init(_ path: String, _ message: String) {
        self.path = path
        self.message = message
    }
}

public enum Validator {
    /// Versions whose config this runtime understands.
    public static func supports(ociVersion v: String) -> Bool {
        let core = v.split(separator: "-", maxSplits: 1).first.map(String.init) ?? v
        let parts = core.split(separator: ".").map { Int($0) }
        guard parts.count == 3, let major = parts[0], let minor = parts[1], parts[2] != nil else { return false }
        return major == 1 && minor <= 3
    }

    public static func validate(_ spec: Spec) -> [Problem] {
        var p: [Problem] = []
        if !supports(ociVersion: spec.ociVersion) {
            p.append(Problem("ociVersion", "unsupported version \"\(spec.ociVersion)\" (skiff supports 1.0.0 to 1.3.x)"))
        }
        if let root = spec.root {
            if root.path.isEmpty { p.append(Problem("root.path", "must not be empty")) }
        } else {
            p.append(Problem("root", "is required on Linux"))
        }
        for (i, m) in (spec.mounts ?? []).enumerated() {
            if !m.destination.hasPrefix("/") {
                p.append(Problem("mounts[\(i)].destination", "must be an absolute path, got \"\(m.destination)\""))
            }
            if m.destination.split(separator: "/").contains("..") {
                p.append(Problem("mounts[\(i)].destination", "must not contain \"..\""))
            }
            let opts = m.options ?? []
            if (m.uidMappings != nil || m.gidMappings != nil) && !opts.contains("idmap") && !opts.contains("ridmap") {
                p.append(Problem("mounts[\(i)].uidMappings", "mappings need the idmap or ridmap option"))
            }
            for (j, o) in opts.enumerated() {
                if MountOptionNames.unsupported.contains(o) {
                    p.append(Problem("mounts[\(i)].options[\(j)]", "not supported: mount option \"\(o)\""))
                }
            }
        }
        if let proc = spec.process { validate(proc, at: "process", into: &p) }
        if let hooks = spec.hooks {
            let kinds: [(String, [Hook]?)] = [
                ("prestart", hooks.prestart), ("createRuntime", hooks.createRuntime),
                ("createContainer", hooks.createContainer), ("startContainer", hooks.startContainer),
                ("poststart", hooks.poststart), ("poststop", hooks.poststop),
            ]
            for (kind, list) in kinds {
                for (i, h) in (list ?? []).enumerated() {
                    if !h.path.hasPrefix("/") { p.append(Problem("hooks.\(kind)[\(i)].path", "must be absolute")) }
                    if let t = h.timeout, t <= 0 { p.append(Problem("hooks.\(kind)[\(i)].timeout", "must be positive")) }
                }
            }
        }
        if let linux = spec.linux { validate(linux, spec: spec, into: &p) } else {
            p.append(Problem("linux", "is required on Linux"))
        }
        return p
    }

    public static func validate(_ proc: Process, at base: String, into p: inout [Problem]) {
        if proc.args?.isEmpty ?? true { p.append(Problem("\(base).args", "must name a program")) }
        if proc.commandLine != nil { p.append(Problem("\(base).commandLine", "not supported: Windows only")) }
        if !proc.cwd.hasPrefix("/") { p.append(Problem("\(base).cwd", "must be an absolute path")) }
        for (i, e) in (proc.env ?? []).enumerated() where !e.contains("=") {
            p.append(Problem("\(base).env[\(i)]", "must be KEY=value"))
        }
        if let caps = proc.capabilities {
            let sets: [(String, [String]?)] = [
                ("bounding", caps.bounding), ("effective", caps.effective), ("inheritable", caps.inheritable),
                ("permitted", caps.permitted), ("ambient", caps.ambient),
            ]
            for (set, names) in sets {
                for (i, n) in (names ?? []).enumerated() where Names.capability(n) == nil {
                    p.append(Problem("\(base).capabilities.\(set)[\(i)]", "unknown capability \"\(n)\""))
                }
            }
        }
        var seen = Set<String>()
        for (i, r) in (proc.rlimits ?? []).enumerated() {
            if Names.rlimits[r.type] == nil { p.append(Problem("\(base).rlimits[\(i)].type", "unknown rlimit \"\(r.type)\"")) }
            if r.soft > r.hard { p.append(Problem("\(base).rlimits[\(i)]", "soft limit exceeds hard limit")) }
            if !seen.insert(r.type).inserted { p.append(Problem("\(base).rlimits[\(i)].type", "\(r.type) given twice")) }
        }
        if let o = proc.oomScoreAdj, o < -1000 || o > 1000 {
            p.append(Problem("\(base).oomScoreAdj", "must be between -1000 and 1000"))
        }
        if let a = proc.apparmorProfile, !a.isEmpty {
            p.append(Problem("\(base).apparmorProfile", "not supported: AppArmor is not enabled on this host"))
        }
        if let s = proc.selinuxLabel, !s.isEmpty {
            p.append(Problem("\(base).selinuxLabel", "not supported: SELinux is not enabled on this host"))
        }
        if proc.execCPUAffinity != nil {
            p.append(Problem("\(base).execCPUAffinity", "not supported yet"))
        }
        if let s = proc.scheduler {
            if ProcessNames.schedPolicies[s.policy] == nil {
                p.append(Problem("\(base).scheduler.policy", "unknown policy \"\(s.policy)\""))
            }
            for (i, f) in (s.flags ?? []).enumerated() where ProcessNames.schedFlags[f] == nil {
                p.append(Problem("\(base).scheduler.flags[\(i)]", "unknown flag \"\(f)\""))
            }
        }
        if let io = proc.ioPriority {
            if ProcessNames.ioClasses[io.class] == nil {
                p.append(Problem("\(base).ioPriority.class", "unknown class \"\(io.class)\""))
            }
            if let pr = io.priority, pr < 0 || pr > 7 {
                p.append(Problem("\(base).ioPriority.priority", "must be between 0 and 7"))
            }
        }
        if let cs = proc.consoleSize, cs.height > 65535 || cs.width > 65535 {
            p.append(Problem("\(base).consoleSize", "too large"))
        }
    }

    static func validate(_ linux: Linux, spec: Spec, into p: inout [Problem]) {
        var types = Set<String>()
        for (i, ns) in (linux.namespaces ?? []).enumerated() {
            if Names.namespaces[ns.type] == nil {
                p.append(Problem("linux.namespaces[\(i)].type", "unknown namespace \"\(ns.type)\""))
            }
            if !types.insert(ns.type).inserted {
                p.append(Problem("linux.namespaces[\(i)].type", "namespace \"\(ns.type)\" given twice"))
            }
            if let path = ns.path, !path.hasPrefix("/") {
                p.append(Problem("linux.namespaces[\(i)].path", "must be absolute"))
            }
        }
        let newUser = (linux.namespaces ?? []).contains { $0.type == "user" && $0.path == nil }
        for (key, maps) in [("uidMappings", linux.uidMappings), ("gidMappings", linux.gidMappings)] {
            guard let maps else { continue }
            if !newUser && !maps.isEmpty {
                p.append(Problem("linux.\(key)", "mappings need a new user namespace"))
            }
            for (i, m) in maps.enumerated() where m.size == 0 {
                p.append(Problem("linux.\(key)[\(i)].size", "must be greater than 0"))
            }
        }
        if newUser && (linux.uidMappings ?? []).isEmpty {
            p.append(Problem("linux.uidMappings", "a new user namespace needs at least one mapping"))
        }
        if newUser && (linux.gidMappings ?? []).isEmpty {
            p.append(Problem("linux.gidMappings", "a new user namespace needs at least one mapping"))
        }
        if let offsets = linux.timeOffsets {
            if !types.contains("time") || (linux.namespaces ?? []).contains(where: { $0.type == "time" && $0.path != nil }) {
                p.append(Problem("linux.timeOffsets", "offsets need a new time namespace"))
            }
            for k in offsets.keys where k != "monotonic" && k != "boottime" {
                p.append(Problem("linux.timeOffsets.\(k)", "unknown clock (monotonic or boottime)"))
            }
        }
        for (i, d) in (linux.devices ?? []).enumerated() {
            if !["c", "b", "u", "p"].contains(d.type) {
                p.append(Problem("linux.devices[\(i)].type", "must be c, b, u or p"))
            }
            if !d.path.hasPrefix("/dev/") { p.append(Problem("linux.devices[\(i)].path", "must be under /dev")) }
            if d.type != "p" && (d.major == nil || d.minor == nil) {
                p.append(Problem("linux.devices[\(i)]", "major and minor are required for type \(d.type)"))
            }
        }
        if let prop = linux.rootfsPropagation, MountOptionNames.propagation[prop] == nil {
            p.append(Problem("linux.rootfsPropagation", "unknown propagation \"\(prop)\""))
        }
        for key in (linux.sysctl ?? [:]).keys.sorted() {
            if key.contains("/") || key.contains("..") || key.isEmpty {
                p.append(Problem("linux.sysctl.\(key)", "not a sysctl name"))
            } else if key.hasPrefix("net.") && !types.contains("network") {
                p.append(Problem("linux.sysctl.\(key)", "network sysctls need a network namespace"))
            } else if (key == "kernel.hostname" || key == "kernel.domainname") && !types.contains("uts") {
                p.append(Problem("linux.sysctl.\(key)", "needs a UTS namespace"))
            }
        }
        if spec.hostname != nil && !types.contains("uts") {
            p.append(Problem("hostname", "setting a hostname needs a UTS namespace"))
        }
        if spec.domainname != nil && !types.contains("uts") {
            p.append(Problem("domainname", "setting a domainname needs a UTS namespace"))
        }
        if let sc = linux.seccomp { validate(sc, into: &p) }
        if linux.intelRdt != nil { p.append(Problem("linux.intelRdt", "not supported: no resctrl on this runtime")) }
        if linux.memoryPolicy != nil { p.append(Problem("linux.memoryPolicy", "not supported yet")) }
        if let nd = linux.netDevices, !nd.isEmpty { p.append(Problem("linux.netDevices", "not supported yet")) }
        if let l = linux.mountLabel, !l.isEmpty {
            p.append(Problem("linux.mountLabel", "not supported: SELinux is not enabled on this host"))
        }
        if let pers = linux.personality {
            if pers.domain != "LINUX" && pers.domain != "LINUX32" {
                p.append(Problem("linux.personality.domain", "must be LINUX or LINUX32"))
            }
            if let f = pers.flags, !f.isEmpty {
                p.append(Problem("linux.personality.flags", "not supported: no personality flags are defined"))
            }
        }
    }

    static func validate(_ s: Linux.Seccomp, into p: inout [Problem]) {
        if !SeccompNames.actions.contains(s.defaultAction) {
            p.append(Problem("linux.seccomp.defaultAction", "unknown action \"\(s.defaultAction)\""))
        }
        for (i, a) in (s.architectures ?? []).enumerated() where !a.hasPrefix("SCMP_ARCH_") {
            p.append(Problem("linux.seccomp.architectures[\(i)]", "unknown architecture \"\(a)\""))
        }
        for (i, f) in (s.flags ?? []).enumerated() where SeccompNames.flags[f] == nil {
            p.append(Problem("linux.seccomp.flags[\(i)]", "unknown flag \"\(f)\""))
        }
        var notify = s.defaultAction == "SCMP_ACT_NOTIFY"
        for (i, sc) in (s.syscalls ?? []).enumerated() {
            if !SeccompNames.actions.contains(sc.action) {
                p.append(Problem("linux.seccomp.syscalls[\(i)].action", "unknown action \"\(sc.action)\""))
            }
            if sc.action == "SCMP_ACT_NOTIFY" { notify = true }
            if sc.names.isEmpty { p.append(Problem("linux.seccomp.syscalls[\(i)].names", "must name a syscall")) }
            for (j, a) in (sc.args ?? []).enumerated() {
                if SeccompNames.ops[a.op] == nil {
                    p.append(Problem("linux.seccomp.syscalls[\(i)].args[\(j)].op", "unknown operator \"\(a.op)\""))
                }
                if a.index > 5 { p.append(Problem("linux.seccomp.syscalls[\(i)].args[\(j)].index", "must be 0 to 5")) }
            }
        }
        if notify && s.listenerPath == nil {
            p.append(Problem("linux.seccomp.listenerPath", "SCMP_ACT_NOTIFY needs a listenerPath"))
        }
        if let lp = s.listenerPath, !lp.hasPrefix("/") {
            p.append(Problem("linux.seccomp.listenerPath", "must be absolute"))
        }
    }

}

public enum ProcessNames {
    public static let schedPolicies: [String: UInt32] = [
        "SCHED_OTHER": 0, "SCHED_FIFO": 1, "SCHED_RR": 2, "SCHED_BATCH": 3, "SCHED_ISO": 4, "SCHED_IDLE": 5,
        "SCHED_DEADLINE": 6,
    ]
    public static let schedFlags: [String: UInt64] = [
        "SCHED_FLAG_RESET_ON_FORK": 0x01, "SCHED_FLAG_RECLAIM": 0x02, "SCHED_FLAG_DL_OVERRUN": 0x04,
        "SCHED_FLAG_KEEP_POLICY": 0x08, "SCHED_FLAG_KEEP_PARAMS": 0x10, "SCHED_FLAG_UTIL_CLAMP_MIN": 0x20,
        "SCHED_FLAG_UTIL_CLAMP_MAX": 0x40,
    ]
    public static let ioClasses: [String: Int] = ["IOPRIO_CLASS_RT": 1, "IOPRIO_CLASS_BE": 2, "IOPRIO_CLASS_IDLE": 3]
}

public enum MountOptionNames {
    /// Options that set (true) or clear (false) an MS_* flag.
    public static let flags: [String: (set: Bool, flag: UInt)] = [
        "async": (false, 16), "atime": (false, 1024), "bind": (true, 4096), "defaults": (true, 0),
        "dev": (false, 4), "diratime": (false, 2048), "dirsync": (true, 128), "exec": (false, 8),
        "iversion": (true, 1 << 23), "lazytime": (true, 1 << 25), "loud": (false, 32768), "mand": (true, 64),
        "noatime": (true, 1024), "nodev": (true, 4), "nodiratime": (true, 2048), "noexec": (true, 8),
        "noiversion": (false, 1 << 23), "nolazytime": (false, 1 << 25), "nomand": (false, 64),
        "norelatime": (false, 1 << 21), "nostrictatime": (false, 1 << 24), "nosuid": (true, 2),
        "rbind": (true, 4096 | 16384), "relatime": (true, 1 << 21), "remount": (true, 32), "ro": (true, 1),
        "rw": (false, 1), "silent": (true, 32768), "strictatime": (true, 1 << 24), "suid": (false, 2),
        "sync": (true, 16), "nosymfollow": (true, 256),
    ]
    /// Propagation options: MS_SHARED 1<<20, MS_SLAVE 1<<19, MS_PRIVATE 1<<18, MS_UNBINDABLE 1<<17, MS_REC 16384.
    public static let propagation: [String: UInt] = [
        "shared": 1 << 20, "rshared": 1 << 20 | 16384, "slave": 1 << 19, "rslave": 1 << 19 | 16384,
        "private": 1 << 18, "rprivate": 1 << 18 | 16384, "unbindable": 1 << 17, "runbindable": 1 << 17 | 16384,
    ]
    /// Options runc accepts that skiff does not implement yet: refused by name, never dropped.
    public static let unsupported: Set<String> = [
        "tmpcopyup", "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec", "rnodiratime", "rdiratime",
        "rrelatime", "rnorelatime", "rnoatime", "ratime", "rstrictatime", "rnostrictatime", "rnosymfollow",
        "rsymfollow",
    ]
}

public enum SeccompNames {
    public static let actions: Set<String> = [
        "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",
        "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
    ]
    public static let ops: [String: UInt32] = [
        "SCMP_CMP_NE": 1, "SCMP_CMP_LT": 2, "SCMP_CMP_LE": 3, "SCMP_CMP_EQ": 4, "SCMP_CMP_GE": 5,
        "SCMP_CMP_GT": 6, "SCMP_CMP_MASKED_EQ": 7,
    ]
    /// Filter flags and their seccomp(2) bits; TSYNC is moot for a single-threaded loader.
    public static let flags: [String: UInt32] = [
        "SECCOMP_FILTER_FLAG_TSYNC": 0, "SECCOMP_FILTER_FLAG_LOG": 1 << 1,
        "SECCOMP_FILTER_FLAG_SPEC_ALLOW": 1 << 2, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV": 1 << 5,
    ]
}
