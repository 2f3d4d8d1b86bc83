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

        let cgroups = ContainerCgroups(s)
        let cgFd = cgroups.openFd()
        defer { if cgFd >= 0 { close(cgFd) } }

        let console = terminal ? try ConsoleChannel(socketPath: o.consoleSocket) : nil
        defer { console?.closeChildEnd() }

        var p = skiff_plan()
        p.cgroup_fd = cgFd
        p.lock_fd = lockFd
        p.start_listen_fd = -1
        p.pidfd = pidfd
        p.setns_flags = setnsFlags
        p.create_state_fd = -1
        p.start_state_fd = -1
        let trampoline = try Trampoline.make()
        defer { close(trampoline) }
        var po = ProcessOptions()
        po.preserveFds = o.preserveFds
        po.consoleFd = console?.childFd ?? -1
        po.trampolineFd = trampoline
        p.proc = try ProcessPlanner.build(o.process, at: "process", options: po)
        try ProcessPlanner.attach(spec.linux?.seccomp, to: &p.proc)
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
            try cgroups.join(pid: pid, alreadyInV2: inCgroup != 0)
            if let adj = o.process.oomScoreAdj { try setOomScoreAdj(pid: pid, adj) }
            if skiff_send(sync, Int32(SK_MSG_GO.rawValue), 0, 0, 0) < 0 {
                throw SkiffError("the exec process exited during setup")
            }
            var m = skiff_msg()
            var passed: Int32 = -1
            // EOF: the sync socket closed on execve.
            while skiff_recv_msg(sync, &m, &passed) == 1 {
                if m.type == Int32(SK_MSG_SECCOMP_FD.rawValue) {
                    let st = HookState(id: id, status: .running, pid: s.pid, bundle: s.bundle, annotations: s.annotations)
                    try SeccompListener.send(fd: passed, for: spec.linux?.seccomp, pid: pid, state: st)
                    continue
                }
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
        if o.detach { return 0 }
        let master = try console?.receiveMaster() ?? -1
        let status = skiff_supervise(pid, master)
        if master >= 0 { close(master) }
        return exitCode(fromWaitStatus: status)
    }
}
