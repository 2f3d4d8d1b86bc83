// linux.seccomp → a BPF program, compiled by libseccomp in the parent.  The child loads
// it as late as possible (right before execve; before the user switch when
// noNewPrivileges is off, since only then may it still load a filter).
import CSkiff
import Glibc
import SkiffOCI

public struct CompiledSeccomp {
    public var program: [UInt8]
    public var flags: UInt32
    /// SCMP_ACT_NOTIFY rules exist: the load yields a notify fd for listenerPath.
    public var notify: Bool
}

public enum SeccompCompiler {
    static let SECCOMP_FILTER_FLAG_NEW_LISTENER: UInt32 = 1 << 3

    /// An OCI action name and its errno to libseccomp's action value.
    public static func action(_ name: String, errno: UInt32?) -> UInt32? {
        switch name {
        case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD": return 0x0000_0000
        case "SCMP_ACT_KILL_PROCESS": return 0x8000_0000
        case "SCMP_ACT_TRAP": return 0x0003_0000
        case "SCMP_ACT_ERRNO": return 0x0005_0000 | ((errno ?? UInt32(EPERM)) & 0xffff)
        case "SCMP_ACT_TRACE": return 0x7ff0_0000 | ((errno ?? UInt32(EPERM)) & 0xffff)
        case "SCMP_ACT_ALLOW": return 0x7fff_0000
        case "SCMP_ACT_LOG": return 0x7ffc_0000
        case "SCMP_ACT_NOTIFY": return 0x7fc0_0000
        default: return nil
        }
    }

    static var ops: [String: UInt32] { SeccompNames.ops }
    static var flags: [String: UInt32] { SeccompNames.flags }

    /// "SCMP_ARCH_X86_64" → libseccomp's "x86_64".
    public static func archName(_ oci: String) -> String? {
        guard oci.hasPrefix("SCMP_ARCH_") else { return nil }
        return String(oci.dropFirst(10)).lowercased()
    }

    public static func compile(_ s: Linux.Seccomp) throws -> CompiledSeccomp {
        guard let def = action(s.defaultAction, errno: s.defaultErrnoRet) else {
            throw SkiffError.config("linux.seccomp.defaultAction", "unknown action \"\(s.defaultAction)\"")
        }
        var arches: [UInt32] = []
        for (i, a) in (s.architectures ?? []).enumerated() {
            guard let n = archName(a) else {
                throw SkiffError.config("linux.seccomp.architectures[\(i)]", "unknown architecture \"\(a)\"")
            }
            let token = skiff_seccomp_arch(n)
            if token == 0 {
                throw SkiffError.config("linux.seccomp.architectures[\(i)]", "unknown architecture \"\(a)\"")
            }
            arches.append(token)
        }
        var flagBits: UInt32 = 0
        for (i, f) in (s.flags ?? []).enumerated() {
            guard let bit = flags[f] else {
                throw SkiffError.config("linux.seccomp.flags[\(i)]", "unknown flag \"\(f)\"")
            }
            flagBits |= bit
        }
        var notify = def == action("SCMP_ACT_NOTIFY", errno: nil)
        var rules: [skiff_seccomp_rule] = []
        for (i, sc) in (s.syscalls ?? []).enumerated() {
            guard let act = action(sc.action, errno: sc.errnoRet) else {
                throw SkiffError.config("linux.seccomp.syscalls[\(i)].action", "unknown action \"\(sc.action)\"")
            }
            if sc.action == "SCMP_ACT_NOTIFY" { notify = true }
            var args: [skiff_seccomp_arg] = []
            for (j, a) in (sc.args ?? []).enumerated() {
                guard let op = ops[a.op] else {
                    throw SkiffError.config("linux.seccomp.syscalls[\(i)].args[\(j)].op", "unknown operator \"\(a.op)\"")
                }
                guard a.index < 6 else {
                    throw SkiffError.config("linux.seccomp.syscalls[\(i)].args[\(j)].index", "must be 0 to 5")
                }
                args.append(skiff_seccomp_arg(index: UInt32(a.index), op: op, value: a.value, value_two: a.valueTwo ?? 0))
            }
            let argp = UnsafePointer(CMem.array(args))
            for name in sc.names {
                if skiff_seccomp_known(name) == 0 {
                    Log.debug("seccomp: skipping unknown syscall \"\(name)\" (linux.seccomp.syscalls[\(i)])")
                    continue
                }
                rules.append(skiff_seccomp_rule(name: UnsafePointer(CMem.str(name)), action: act, args: argp,
                                                nargs: Int32(args.count)))
            }
        }
        if notify && s.listenerPath == nil {
            throw SkiffError.config("linux.seccomp.listenerPath", "SCMP_ACT_NOTIFY needs a listenerPath")
        }
        let memfd = skiff_memfd("skiff-seccomp")
        if memfd < 0 { throw SkiffError("memfd_create: \(errnoText(-memfd))") }
        defer { close(memfd) }
        var spec = skiff_seccomp(default_action: def, arches: UnsafePointer(CMem.array(arches)), narches: Int32(arches.count),
                                 rules: UnsafePointer(CMem.array(rules)), nrules: Int32(rules.count))
        var bad: Int32 = -1
        let r = skiff_seccomp_compile(&spec, memfd, &bad)
        if r < 0 {
            let rule = bad >= 0 ? String(cString: rules[Int(bad)].name) : ""
            throw SkiffError.config("linux.seccomp", "libseccomp refused the filter\(rule.isEmpty ? "" : " at syscall \"\(rule)\""): \(errnoText(-r))")
        }
        lseek(memfd, 0, SEEK_SET)
        let program = try FS.readAll(memfd, path: "seccomp program")
        if notify { flagBits |= SECCOMP_FILTER_FLAG_NEW_LISTENER }
        return CompiledSeccomp(program: program, flags: flagBits, notify: notify)
    }
}

/// config-linux.md "seccomp listener": the notify fd goes to the agent at listenerPath
/// with the container process state, in one message.
public struct ContainerProcessState: Encodable {
    public var ociVersion = "1.3.0"
    public var fds = ["seccompFd"]
    public var pid: Int32
    public var metadata: String
    public var state: HookState
}

public enum SeccompListener {
    public static func send(fd: Int32, for seccomp: Linux.Seccomp?, pid: Int32, state: HookState) throws {
        defer { close(fd) }
        let path = seccomp?.listenerPath ?? ""
        let metadata = seccomp?.listenerMetadata
        let sock = skiff_connect(path)
        if sock < 0 { throw SkiffError("linux.seccomp.listenerPath: connect to \(path): \(errnoText(-sock))") }
        defer { close(sock) }
        let payload = Array(try JSONOut.compact(ContainerProcessState(pid: pid, metadata: metadata ?? "", state: state)).utf8)
        let r = payload.withUnsafeBytes { skiff_send_fd(sock, fd, $0.baseAddress, $0.count) }
        if r < 0 { throw SkiffError("linux.seccomp.listenerPath: send to \(path): \(errnoText(errno))") }
    }
}

extension ProcessPlanner {
    /// Attach the container's compiled filter to a process plan.
    static func attach(_ seccomp: Linux.Seccomp?, to p: inout skiff_process) throws {
        guard let seccomp else { return }
        let c = try SeccompCompiler.compile(seccomp)
        p.seccomp_bpf = UnsafeRawPointer(CMem.array(c.program))
        p.seccomp_len = Int32(c.program.count / 8)
        p.seccomp_flags = c.flags
    }
}
