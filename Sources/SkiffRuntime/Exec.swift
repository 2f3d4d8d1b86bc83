// `exec`: a new process in a running container.  It joins every namespace of the init
// through one setns(pidfd, …), is born in the container's cgroup, and stays a child of
// the caller (skiff itself, or the caller's subreaper once skiff exits with --detach).
import CSkiff
import Glibc
import SkiffOCI

public struct ExecOptions {
    public var process: Process
    public var detach = false
    public var pidFile: String?
    public var consoleSocket: String?
    public var preserveFds = 0

    public init(process: Process) {
        self.process = process
    }
}

extension Runtime {
    /// The process an `exec` without --process runs: the container's own settings with
    /// the command line's overrides applied by the caller.
    public func defaultExecProcess(id: String) throws -> Process {
        let spec = try store.loadConfig(id)
        return spec.process ?? Process()
    }

    public func exec(id: String, _ o: ExecOptions) throws -> Int32 {
        let lockFd = try store.lock(id, exclusive: false)
        var locked = true
        defer { if locked { close(lockFd) } }
        let s = try store.load(id)
        switch store.liveStatus(s) {
        case .stopped: throw SkiffError("cannot exec in a stopped container")
        case .paused: throw SkiffError("cannot exec in a paused container")
        default: break
        }
        var problems: [Problem] = []
        Validator.validate(o.process, at: "process", into: &problems)
        if !problems.isEmpty { throw SkiffError(problems.map(\.description).joined(separator: "; ")) }
        let spec = try store.loadConfig(id)
        let terminal = o.process.terminal == true
        if terminal && o.consoleSocket == nil && o.detach {
            throw SkiffError("a terminal needs --console-socket when exec detaches")
        }
        if !terminal && o.consoleSocket != nil {
            throw SkiffError("--console-socket given but the process has no terminal")
        }

        let pidfd = skiff_pidfd_open(s.pid)
        if pidfd < 0 { throw SkiffError("cannot exec in a stopped container") }
        defer { close(pidfd) }
        guard ProcStat.read(s.pid)?.starttime == s.starttime else {
            throw SkiffError("cannot exec in a stopped container")
        }

        // Join every namespace the container has, new or joined by path.
        var setnsFlags: Int32 = 0
        var childNs = ChildNamespaces()
        defer { childNs.restore() }
        for ns in spec.linux?.namespaces ?? [] {
            guard let flag = Names.namespaces[ns.type] else { continue }
            if flag == CLONE_NEWPID_FLAG || flag == CLONE_NEWTIME_FLAG {
                try childNs.enter(fd: pidfd, type: flag, what: "\(ns.type) namespace of the container")
            } else {
                setnsFlags |= flag
            }
        }

        var cgFd: Int32 = -1
        if let cg = s.cgroupPath, let full = Cgroup.fullPath(cg) {
            cgFd = skiff_open_path(full)
        }
        defer { if cgFd >= 0 { close(cgFd) } }

        var consoleFd: Int32 = -1
        var consoleLocal: Int32 = -1
        defer { if consoleFd >= 0 { close(consoleFd) } }
        if terminal {
            if let path = o.consoleSocket {
                consoleFd = skiff_connect(path)
                if consoleFd < 0 { throw SkiffError("connect to console socket \(path): \(errnoText(-consoleFd))") }
            } else {
                var sv: [Int32] = [-1, -1]
                try check(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &sv),
                          "socketpair")
                consoleLocal = sv[0]
                consoleFd = sv[1]
            }
        }

        var p = skiff_plan()
        p.cgroup_fd = cgFd
        p.lock_fd = lockFd
        p.start_listen_fd = -1
        p.pidfd = pidfd
        p.setns_flags = setnsFlags
        p.create_state_fd = -1
        p.start_state_fd = -1
        var po = ProcessOptions()
        po.preserveFds = o.preserveFds
        po.consoleFd = consoleFd
        p.proc = try ProcessPlanner.build(o.process, at: "process", options: po)
        if let pers = spec.linux?.personality {
            p.proc.personality = pers.domain == "LINUX32" ? 0x0008 : 0
        }

        var sync: Int32 = -1
        var childPidfd: Int32 = -1
        var inCgroup: Int32 = 0
        let pid = skiff_spawn(&p, &sync, &childPidfd, &inCgroup)
        if pid < 0 { throw SkiffError("clone the exec process: \(errnoText(-pid))") }
        childNs.restore()
        if childPidfd >= 0 { close(childPidfd) }
        defer { close(sync) }
        do {
            if let cg = s.cgroupPath, inCgroup == 0, let full = Cgroup.fullPath(cg) {
                try FS.write(full + "/cgroup.procs", "\(pid)")
            }
            if let adj = o.process.oomScoreAdj { try setOomScoreAdj(pid: pid, adj) }
            if skiff_send(sync, Int32(SK_MSG_GO.rawValue), 0, 0, 0) < 0 {
                throw SkiffError("the exec process exited during setup")
            }
            var m = skiff_msg()
            // EOF: the sync socket closed on execve.
            if skiff_recv(sync, &m) == 1 {
                var ctx = ChildContext()
                ctx.args = o.process.args ?? []
                ctx.cwd = o.process.cwd
                ctx.rlimits = (o.process.rlimits ?? []).map(\.type)
                throw ChildError.error("exec", m, ctx)
            }
            if let pf = o.pidFile {
                try FS.writeAtomic(FS.absolute(pf), Array("\(pid)".utf8))
            }
        } catch {
            Glibc.kill(pid, SIGKILL)
            var st: Int32 = 0
            waitpid(pid, &st, 0)
            throw error
        }
        close(lockFd)
        locked = false
        var master: Int32 = -1
        if consoleLocal >= 0 {
            master = skiff_recv_fd(consoleLocal)
            close(consoleLocal)
        }
        if o.detach { return 0 }
        let status = skiff_supervise(pid, master)
        if master >= 0 { close(master) }
        return exitCode(fromWaitStatus: status)
    }
}
