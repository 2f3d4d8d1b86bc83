// Resolve a validated Spec into the plain `skiff_plan` the C shim executes.  All
// decisions (flags, paths, bitmasks) are made here, in Swift, before the clone.
import CSkiff
import Glibc
import SkiffOCI

let MS_BIND: UInt = 4096
let MS_REC: UInt = 16384

/// A mount as the shim will perform it, kept in Swift form for tests and messages.
public struct PlannedMount: Equatable {
    public var source: String
    public var destination: String
    public var fstype: String?
    public var data: String?
    public var flags: UInt
    public var propagation: UInt
    public var isBind: Bool
    public var sourceIsDir: Bool
    public var remount: Bool
    public var recursiveReadonly: Bool
    public var idmap: Bool
}

public enum MountPlanner {
    /// Translate one config mount; `bundle` resolves relative bind sources.
    public static func plan(_ m: Mount, index i: Int, bundle: String, statSource: Bool = true) throws -> PlannedMount {
        let type = m.type ?? ""
        let opts = m.options ?? []
        var flags: UInt = 0
        var prop: UInt = 0
        var data: [String] = []
        var rro = false
        var idmap = false
        var isBind = type == "bind" || type == "rbind"
        if type == "rbind" { flags |= MS_BIND | MS_REC }
        for o in opts {
            if let f = MountOptionNames.flags[o] {
                if f.set { flags |= f.flag } else { flags &= ~f.flag }
                if o == "bind" || o == "rbind" { isBind = true }
            } else if let p = MountOptionNames.propagation[o] {
                prop |= p
            } else if o == "rro" {
                rro = true
            } else if o == "idmap" || o == "ridmap" {
                idmap = true
                if o == "ridmap" { flags |= MS_REC }
            } else if MountOptionNames.unsupported.contains(o) {
                throw SkiffError.config("mounts[\(i)].options", "not supported: mount option \"\(o)\"")
            } else {
                data.append(o)
            }
        }
        if isBind { flags |= MS_BIND }
        var source = m.source ?? ""
        var sourceIsDir = true
        if isBind {
            if source.isEmpty { throw SkiffError.config("mounts[\(i)].source", "a bind mount needs a source") }
            source = FS.absolute(source, relativeTo: bundle)
            if statSource {
                var st = stat()
                if stat(source, &st) < 0 {
                    throw SkiffError.config("mounts[\(i)].source", "\(source): \(errnoText(errno))")
                }
                sourceIsDir = (st.st_mode & S_IFMT) == S_IFDIR
            }
        } else if type.isEmpty {
            throw SkiffError.config("mounts[\(i)].type", "is required for a mount that is not a bind")
        } else if idmap {
            throw SkiffError.config("mounts[\(i)].options", "idmap applies to bind mounts only")
        }
        if source.isEmpty { source = type }
        let remount = isBind && (flags & ~(MS_BIND | MS_REC)) != 0
        return PlannedMount(source: source, destination: FS.clean(m.destination), fstype: isBind ? nil : type,
                            data: data.isEmpty ? nil : data.joined(separator: ","), flags: flags,
                            propagation: prop, isBind: isBind, sourceIsDir: sourceIsDir, remount: remount,
                            recursiveReadonly: rro, idmap: idmap)
    }
}

/// Capability names to the bitmask of each set.
public enum CapabilityMask {
    public static func mask(_ names: [String]?, at path: String) throws -> UInt64 {
        var m: UInt64 = 0
        for (i, n) in (names ?? []).enumerated() {
            guard let bit = Names.capability(n) else {
                throw SkiffError.config("\(path)[\(i)]", "unknown capability \"\(n)\"")
            }
            m |= 1 << UInt64(bit)
        }
        return m
    }
}

public struct ProcessOptions {
    public var preserveFds: Int = 0
    public var consoleFd: Int32 = -1
    /// The sealed exec trampoline (created by the parent before the clone).
    public var trampolineFd: Int32 = -1
    public init() {}
}

public enum ProcessPlanner {
    /// The environment, with LISTEN_FDS passed on as runc does for socket activation.
    public static func environment(_ proc: Process, listenFds: Int) -> [String] {
        var env = proc.env ?? []
        if listenFds > 0 {
            env.removeAll { $0.hasPrefix("LISTEN_FDS=") || $0.hasPrefix("LISTEN_PID=") }
            env.append("LISTEN_FDS=\(listenFds)")
            env.append("LISTEN_PID=1")
        }
        return env
    }

    public static func listenFds() -> Int {
        guard let v = getenv("LISTEN_FDS"), let n = Int(String(cString: v)), n > 0 else { return 0 }
        return n
    }

    public static func build(_ proc: Process, at base: String, options: ProcessOptions) throws -> skiff_process {
        var p = skiff_process()
        let args = proc.args ?? []
        if args.isEmpty { throw SkiffError.config("\(base).args", "must name a program") }
        let lfds = listenFds()
        p.argv = UnsafePointer(CMem.strArray(args))
        p.envp = UnsafePointer(CMem.strArray(environment(proc, listenFds: lfds)))
        p.cwd = UnsafePointer(CMem.str(proc.cwd))
        p.uid = proc.user.uid
        p.gid = proc.user.gid
        let groups = proc.user.additionalGids ?? []
        p.groups = UnsafePointer(CMem.array(groups))
        p.ngroups = Int32(groups.count)
        p.umask = proc.user.umask.map { Int32($0) } ?? -1
        var rl: [skiff_rlimit] = []
        for (i, r) in (proc.rlimits ?? []).enumerated() {
            guard let res = Names.rlimits[r.type] else {
                throw SkiffError.config("\(base).rlimits[\(i)].type", "unknown rlimit \"\(r.type)\"")
            }
            rl.append(skiff_rlimit(resource: res, soft: r.soft, hard: r.hard))
        }
        p.rlimits = UnsafePointer(CMem.array(rl))
        p.nrlimits = Int32(rl.count)
        p.no_new_privs = proc.noNewPrivileges == true ? 1 : 0
        if let c = proc.capabilities {
            p.set_caps = 1
            p.cap_bounding = try CapabilityMask.mask(c.bounding, at: "\(base).capabilities.bounding")
            p.cap_effective = try CapabilityMask.mask(c.effective, at: "\(base).capabilities.effective")
            p.cap_inheritable = try CapabilityMask.mask(c.inheritable, at: "\(base).capabilities.inheritable")
            p.cap_permitted = try CapabilityMask.mask(c.permitted, at: "\(base).capabilities.permitted")
            p.cap_ambient = try CapabilityMask.mask(c.ambient, at: "\(base).capabilities.ambient")
        }
        p.personality = -1
        if let s = proc.scheduler {
            guard let pol = ProcessNames.schedPolicies[s.policy] else {
                throw SkiffError.config("\(base).scheduler.policy", "unknown policy \"\(s.policy)\"")
            }
            p.sched_set = 1
            p.sched_policy = pol
            p.sched_nice = s.nice ?? 0
            p.sched_priority = UInt32(max(0, s.priority ?? 0))
            p.sched_flags = (s.flags ?? []).reduce(0) { $0 | (ProcessNames.schedFlags[$1] ?? 0) }
            p.sched_runtime = s.runtime ?? 0
            p.sched_deadline = s.deadline ?? 0
            p.sched_period = s.period ?? 0
        }
        p.ioprio = -1
        if let io = proc.ioPriority {
            guard let cls = ProcessNames.ioClasses[io.class] else {
                throw SkiffError.config("\(base).ioPriority.class", "unknown class \"\(io.class)\"")
            }
            p.ioprio = Int32(cls << 13 | (io.priority ?? 0))
        }
        p.terminal = proc.terminal == true ? 1 : 0
        p.console_fd = options.consoleFd
        p.rows = UInt16(proc.consoleSize?.height ?? 0)
        p.cols = UInt16(proc.consoleSize?.width ?? 0)
        p.preserve_fds = Int32(options.preserveFds + lfds)
        p.trampoline_fd = options.trampolineFd
        return p
    }
}

/// Everything `create` resolves from a bundle before the clone.
public struct ContainerPlan {
    public var spec: Spec
    public var bundle: String
    public var rootfs: String
    public var mounts: [PlannedMount]
    public var newNamespaces: [String]
    public var joinedNamespaces: [(type: String, path: String)]

    public init(spec: Spec, bundle: String, statSources: Bool = true) throws {
        self.spec = spec
        self.bundle = bundle
        guard let root = spec.root else { throw SkiffError.config("root", "is required on Linux") }
        rootfs = FS.absolute(root.path, relativeTo: bundle)
        if statSources && !FS.isDirectory(rootfs) {
            throw SkiffError.config("root.path", "\(rootfs) is not a directory")
        }
        mounts = try (spec.mounts ?? []).enumerated().map {
            try MountPlanner.plan($0.element, index: $0.offset, bundle: bundle, statSource: statSources)
        }
        let ns = spec.linux?.namespaces ?? []
        newNamespaces = ns.filter { $0.path == nil }.map(\.type)
        joinedNamespaces = ns.compactMap { n in n.path.map { (n.type, $0) } }
    }

    public var cloneFlags: Int32 {
        newNamespaces.reduce(0) { acc, t in
            t == "cgroup" || t == "time" ? acc : acc | (Names.namespaces[t] ?? 0)
        }
    }

    public var hasNewUserNamespace: Bool { newNamespaces.contains("user") }
    public var hasUserNamespace: Bool { hasNewUserNamespace || joinedNamespaces.contains { $0.type == "user" } }

    /// The config mounts /dev itself: skiff then adds only nodes and links.
    public var mountsDev: Bool { mounts.contains { $0.destination == "/dev" } }
    public var devIsBind: Bool { mounts.contains { $0.destination == "/dev" && $0.isBind } }

    /// uid_map / gid_map file contents, one line a range.
    public static func mapText(_ maps: [IDMapping]) -> String {
        maps.map { "\($0.containerID) \($0.hostID) \($0.size)\n" }.joined()
    }

    /// sysctl keys as paths under /proc/sys.
    public var sysctls: [(path: String, value: String)] {
        (spec.linux?.sysctl ?? [:]).keys.sorted().map { k in
            (k.replacingOccurrences(".", with: "/"), spec.linux!.sysctl![k]!)
        }
    }

    public static func deviceMode(_ d: Linux.Device) -> UInt32 {
        let type: UInt32
        switch d.type {
        case "b": type = UInt32(S_IFBLK)
        case "p": type = UInt32(S_IFIFO)
        default: type = UInt32(S_IFCHR)
        }
        return type | (d.fileMode ?? 0o666) & 0o7777
    }
}

extension String {
    func replacingOccurrences(_ a: Character, with b: Character) -> String {
        String(map { $0 == a ? b : $0 })
    }
}

public enum Trampoline {
    /// A fresh sealed memfd of the exec trampoline; the caller closes it after the clone.
    public static func make() throws -> Int32 {
        let fd = skiff_trampoline()
        if fd < 0 { throw SkiffError("create the exec trampoline: \(errnoText(-fd))") }
        return fd
    }
}
