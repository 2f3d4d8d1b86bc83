// The lifecycle: create, start, state, kill, delete (runtime.md "Operations"), with
// runc's exit codes and messages where orchestrators match on them.
import CSkiff
import Glibc
import SkiffOCI

public struct CreateOptions {
    public var bundle: String
    public var pidFile: String?
    public var consoleSocket: String?
    public var noPivot = false
    public var preserveFds = 0
    /// `run` in the foreground with a terminal and no --console-socket: skiff is the console.
    public var ownConsole = false

    public init(bundle: String) {
        self.bundle = bundle
    }
}

public struct Created {
    public var pid: Int32
    /// The pty master when skiff is its own console, else -1.
    public var master: Int32
}

public func exitCode(fromWaitStatus st: Int32) -> Int32 {
    if st < 0 { return 255 }
    let sig = st & 0x7f
    if sig == 0 { return (st >> 8) & 0xff }
    return 128 + sig
}

public struct Runtime {
    public let store: StateStore

    public init(root: String) {
        store = StateStore(root: root)
    }

    // MARK: create

    public func create(id: String, _ o: CreateOptions) throws -> Created {
        let bundle = FS.absolute(o.bundle)
        let configBytes = try ConfigDecoder.read(bundle: bundle)
        let spec = try ConfigDecoder.decode(Spec.self, from: configBytes)
        let problems = Validator.validate(spec).filter { !($0.path == "process.args" && spec.process == nil) }
        if !problems.isEmpty { throw SkiffError(problems.map(\.description).joined(separator: "; ")) }
        let terminal = spec.process?.terminal == true
        if terminal && o.consoleSocket == nil && !o.ownConsole {
            throw SkiffError("process.terminal is true: a terminal needs --console-socket when skiff detaches")
        }
        if !terminal && o.consoleSocket != nil {
            throw SkiffError("--console-socket given but process.terminal is false")
        }
        let plan = try ContainerPlan(spec: spec, bundle: bundle)
        let dirFd = try store.createDirectory(id)
        var pid: Int32 = 0
        var cgroups: ContainerCgroups?
        var ran: [Hook] = []
        do {
            let created = try spawnInit(id: id, spec: spec, configBytes: configBytes, plan: plan, options: o, dirFd: dirFd,
                                        pid: &pid, cgroups: &cgroups, hooksStarted: &ran)
            close(dirFd)
            return created
        } catch {
            // "Generating an error MUST leave the state of the environment as if the
            // operation were never attempted": no process, cgroup or state is left.
            if pid > 0 {
                Glibc.kill(pid, SIGKILL)
                var st: Int32 = 0
                waitpid(pid, &st, 0)
            }
            cgroups?.remove()
            if !ran.isEmpty {
                HookRunner.runAll("poststop", spec.hooks?.poststop ?? [],
                                  state: HookState(id: id, status: .stopped, pid: nil, bundle: bundle,
                                                   annotations: spec.annotations))
            }
            FS.removeAll(store.dir(id))
            close(dirFd)
            throw error
        }
    }

    private func spawnInit(id: String, spec: Spec, configBytes: [UInt8], plan: ContainerPlan, options o: CreateOptions, dirFd: Int32,
                           pid: inout Int32, cgroups: inout ContainerCgroups?, hooksStarted: inout [Hook]) throws -> Created {
        let linux = spec.linux ?? Linux()
        var ctx = ChildContext()
        ctx.mounts = plan.mounts
        ctx.args = spec.process?.args ?? []
        ctx.cwd = spec.process?.cwd ?? "/"

        // cgroup: created now so the init is born in it (CLONE_INTO_CGROUP).
        let cg = try ContainerCgroups.create(spec: spec, id: id)
        cgroups = cg
        let cgFd = cg.openFd()
        defer { if cgFd >= 0 { close(cgFd) } }

        // Namespaces joined by path.
        var childNs = ChildNamespaces()
        defer { childNs.restore() }
        var joinFds: [Int32] = []
        var joinTypes: [Int32] = []
        defer { joinFds.forEach { close($0) } }
        for (type, path) in plan.joinedNamespaces {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd < 0 { throw SkiffError.config("linux.namespaces", "open \(type) namespace \(path): \(errnoText(errno))") }
            let flag = Names.namespaces[type]!
            if flag == CLONE_NEWPID_FLAG || flag == CLONE_NEWTIME_FLAG {
                defer { close(fd) }
                try childNs.enter(fd: fd, type: flag, what: "\(type) namespace \(path)")
            } else {
                joinFds.append(fd)
                joinTypes.append(flag)
                ctx.joins.append("\(type) \(path)")
            }
        }
        if plan.newNamespaces.contains("time") {
            try childNs.newTime(offsets: linux.timeOffsets ?? [:])
        }

        let console = spec.process?.terminal == true ? try ConsoleChannel(socketPath: o.consoleSocket) : nil
        defer { console?.closeChildEnd() }

        let listenFd = skiff_listen(dirFd, "exec.sock")
        if listenFd < 0 { throw SkiffError("listen on \(store.dir(id))/exec.sock: \(errnoText(-listenFd))") }
        defer { close(listenFd) }

        let hooks = spec.hooks ?? Hooks()
        let creating = HookState(id: id, status: .creating, pid: nil, bundle: plan.bundle, annotations: spec.annotations)
        let childHooks = !(hooks.createContainer ?? []).isEmpty || !(hooks.startContainer ?? []).isEmpty
        let createStateFd = childHooks ? try HookRunner.stateFd(creating) : -1
        let startStateFd = childHooks ? try HookRunner.stateFd(creating) : -1
        defer {
            if childHooks {
                close(createStateFd)
                close(startStateFd)
            }
        }

        var p = skiff_plan()
        p.clone_flags = plan.cloneFlags
        p.new_cgroupns = plan.newNamespaces.contains("cgroup") ? 1 : 0
        p.join_fds = UnsafePointer(CMem.array(joinFds))
        p.join_types = UnsafePointer(CMem.array(joinTypes))
        p.njoins = Int32(joinFds.count)
        p.userns = plan.hasUserNamespace ? 1 : 0
        p.cgroup_fd = cgFd
        p.lock_fd = dirFd
        p.setup_rootfs = 1
        p.rootfs = UnsafePointer(CMem.str(plan.rootfs))
        p.readonly_root = spec.root?.readonly == true ? 1 : 0
        p.rootfs_propagation = linux.rootfsPropagation.flatMap { MountOptionNames.propagation[$0] } ?? 0
        p.no_pivot = o.noPivot ? 1 : 0
        let trees = try IDMap.trees(plan)
        defer { trees.values.forEach { close($0) } }
        var mounts: [(PlannedMount, Int32)] = []
        for (i, m) in plan.mounts.enumerated() {
            mounts += try CgroupMounts.expand(m, cg).map { ($0, trees[i] ?? -1) }
        }
        ctx.mounts = mounts.map(\.0)
        let cmounts = mounts.map { m, tree in
            skiff_mount(source: UnsafePointer(CMem.str(m.source)), dest: UnsafePointer(CMem.str(m.destination)),
                        fstype: UnsafePointer(CMem.strOrNil(m.fstype)), data: UnsafePointer(CMem.strOrNil(m.data)),
                        flags: m.flags, propagation: m.propagation, is_bind: m.isBind ? 1 : 0,
                        src_is_dir: m.sourceIsDir ? 1 : 0, remount: m.remount ? 1 : 0,
                        recursive_ro: m.recursiveReadonly ? 1 : 0, tree_fd: tree)
        }
        p.mounts = UnsafePointer(CMem.array(cmounts))
        p.nmounts = Int32(cmounts.count)
        p.mount_dev = plan.mountsDev ? 0 : 1
        p.populate_dev = plan.devIsBind ? 0 : 1
        let devs = (linux.devices ?? []).map { d in
            skiff_device(path: UnsafePointer(CMem.str(d.path)), mode: ContainerPlan.deviceMode(d),
                         major: UInt32(d.major ?? 0), minor: UInt32(d.minor ?? 0), uid: d.uid ?? 0, gid: d.gid ?? 0)
        }
        ctx.devices = (linux.devices ?? []).map(\.path)
        p.devices = UnsafePointer(CMem.array(devs))
        p.ndevices = Int32(devs.count)
        let masked = linux.maskedPaths ?? []
        let ro = linux.readonlyPaths ?? []
        ctx.masked = masked
        ctx.readonlyPaths = ro
        p.masked = CMem.constStrArray(masked)
        p.nmasked = Int32(masked.count)
        p.readonly_paths = CMem.constStrArray(ro)
        p.nreadonly = Int32(ro.count)
        let sysctls = plan.sysctls
        ctx.sysctls = sysctls.map { $0.path.replacingOccurrences("/", with: ".") }
        p.sysctls = UnsafePointer(CMem.array(sysctls.map {
            skiff_sysctl(path: UnsafePointer(CMem.str($0.path)), value: UnsafePointer(CMem.str($0.value)))
        }))
        p.nsysctls = Int32(sysctls.count)
        p.hostname = UnsafePointer(CMem.strOrNil(spec.hostname))
        p.domainname = UnsafePointer(CMem.strOrNil(spec.domainname))
        let cc = hooks.createContainer ?? []
        let sc = hooks.startContainer ?? []
        ctx.createContainerHooks = cc.map(\.path)
        ctx.startContainerHooks = sc.map(\.path)
        p.create_container_hooks = UnsafePointer(HookRunner.cHooks(cc))
        p.ncreate_container_hooks = Int32(cc.count)
        p.start_container_hooks = UnsafePointer(HookRunner.cHooks(sc))
        p.nstart_container_hooks = Int32(sc.count)
        p.create_state_fd = createStateFd
        p.start_state_fd = startStateFd
        let runtimeHooks = (hooks.prestart ?? []) + (hooks.createRuntime ?? [])
        p.runtime_hooks = runtimeHooks.isEmpty ? 0 : 1
        p.start_listen_fd = listenFd
        p.pidfd = -1
        let trampoline = try Trampoline.make()
        defer { close(trampoline) }
        if let proc = spec.process {
            var po = ProcessOptions()
            po.preserveFds = o.preserveFds
            po.consoleFd = console?.childFd ?? -1
            po.trampolineFd = trampoline
            p.proc = try ProcessPlanner.build(proc, at: "process", options: po)
            try ProcessPlanner.attach(linux.seccomp, to: &p.proc)
            ctx.rlimits = (proc.rlimits ?? []).map(\.type)
        }
        if let pers = linux.personality {
            p.proc.personality = pers.domain == "LINUX32" ? 0x0008 : 0
        }

        var sync: Int32 = -1
        var pidfd: Int32 = -1
        var inCgroup: Int32 = 0
        let r = skiff_spawn(&p, &sync, &pidfd, &inCgroup)
        if r < 0 { throw SkiffError("clone the container init: \(errnoText(-r))") }
        pid = r
        childNs.restore()
        defer {
            close(sync)
            if pidfd >= 0 { close(pidfd) }
        }
        try cg.join(pid: pid, alreadyInV2: inCgroup != 0)
        if plan.hasNewUserNamespace {
            try FS.write("/proc/\(pid)/uid_map", ContainerPlan.mapText(linux.uidMappings ?? []))
            try FS.write("/proc/\(pid)/gid_map", ContainerPlan.mapText(linux.gidMappings ?? []))
        }
        if let adj = spec.process?.oomScoreAdj {
            try setOomScoreAdj(pid: pid, adj)
        }
        var state = creating
        state.pid = pid
        if childHooks {
            try HookRunner.fill(createStateFd, state)
            state.status = .created
            try HookRunner.fill(startStateFd, state)
            state.status = .creating
        }

        if skiff_send(sync, Int32(SK_MSG_GO.rawValue), 0, 0, 0) < 0 {
            throw SkiffError("container init exited during setup")
        }
        while true {
            var m = skiff_msg()
            var passed: Int32 = -1
            let n = skiff_recv_msg(sync, &m, &passed)
            if n <= 0 { throw SkiffError("container init exited during setup") }
            if m.type == Int32(SK_MSG_READY.rawValue) { break }
            if m.type == Int32(SK_MSG_SECCOMP_FD.rawValue) {
                try SeccompListener.send(fd: passed, for: linux.seccomp, pid: pid, state: state)
                continue
            }
            if m.type == Int32(SK_MSG_ERROR.rawValue) {
                if m.step == Int32(SK_STEP_HOOK_CREATE_CONTAINER.rawValue) || m.step == Int32(SK_STEP_HOOK_TIMEOUT.rawValue) {
                    hooksStarted = runtimeHooks + cc
                }
                throw ChildError.error("create", m, ctx)
            }
            if m.type == Int32(SK_MSG_RUNTIME_HOOKS.rawValue) {
                hooksStarted = runtimeHooks
                try HookRunner.run("prestart", hooks.prestart ?? [], state: state)
                try HookRunner.run("createRuntime", hooks.createRuntime ?? [], state: state)
                _ = skiff_send(sync, Int32(SK_MSG_HOOKS_DONE.rawValue), 0, 0, 0)
            }
        }

        let starttime = ProcStat.read(pid)?.starttime ?? 0
        var s = StoredState(id: id, status: .created, pid: pid, bundle: plan.bundle, rootfs: plan.rootfs,
                            created: Time.rfc3339(Time.now()))
        s.annotations = spec.annotations
        s.starttime = starttime
        s.cgroupPath = cg.rel
        s.cgroupV1 = cg.v1.isEmpty ? nil : cg.v1
        s.hasProcess = spec.process != nil
        s.hasHooks = !(spec.hooks?.poststart ?? []).isEmpty || !(spec.hooks?.poststop ?? []).isEmpty
        try store.saveConfig(id, configBytes)
        try store.save(s)
        if let pf = o.pidFile {
            try FS.writeAtomic(FS.absolute(pf), Array("\(pid)".utf8))
        }
        return Created(pid: pid, master: try console?.receiveMaster() ?? -1)
    }

    func setOomScoreAdj(pid: Int32, _ adj: Int) throws {
        let path = "/proc/\(pid)/oom_score_adj"
        if let cur = FS.readString(path), Int(cur.trimmingCharacters(in: " \n")) == adj { return }
        do {
            try FS.write(path, "\(adj)")
        } catch {
            throw SkiffError.config("process.oomScoreAdj", "\(error)")
        }
    }

    // MARK: start

    public func start(id: String) throws {
        let fd = try store.lock(id, exclusive: true)
        defer { close(fd) }
        var s = try store.load(id)
        switch store.liveStatus(s) {
        case .created: break
        case .stopped: throw SkiffError("cannot start a container that has stopped")
        case let other: throw SkiffError("cannot start an already \(other) container")
        }
        if !s.hasProcess { throw SkiffError("process: config.json has no process, so the container cannot start") }
        let conn = skiff_start_connect(fd, "exec.sock")
        unlink(store.dir(id) + "/exec.sock")
        if conn < 0 { throw SkiffError("release the container init: \(errnoText(-conn))") }
        defer { close(conn) }
        // Read until EOF: the init's end closes on execve.  Before that it may pass the
        // seccomp notify fd, or report why it could not exec.
        var config: Spec?
        while true {
            var msg = skiff_msg()
            var passed: Int32 = -1
            if skiff_recv_msg(conn, &msg, &passed) <= 0 { break }
            let spec = try config ?? store.loadConfig(id)
            config = spec
            if msg.type == Int32(SK_MSG_SECCOMP_FD.rawValue) {
                let st = HookState(id: id, status: .running, pid: s.pid, bundle: s.bundle, annotations: s.annotations)
                try SeccompListener.send(fd: passed, for: spec.linux?.seccomp, pid: s.pid, state: st)
                continue
            }
            var ctx = ChildContext()
            ctx.args = spec.process?.args ?? []
            ctx.startContainerHooks = (spec.hooks?.startContainer ?? []).map(\.path)
            throw ChildError.error("start", msg, ctx)
        }
        s.status = .running
        try store.save(s)
        // The config is read back only when it has hooks to run (start is on the hot path).
        guard s.hasHooks else { return }
        let spec = try config ?? store.loadConfig(id)
        let running = HookState(id: id, status: .running, pid: s.pid, bundle: s.bundle, annotations: s.annotations)
        do {
            try HookRunner.run("poststart", spec.hooks?.poststart ?? [], state: running)
        } catch {
            // Lifecycle step 9: a failing poststart hook stops the container.
            if let cg = s.cgroupPath { Cgroup.signalAll(cg, SIGKILL) }
            Glibc.kill(s.pid, SIGKILL)
            throw error
        }
    }

    // MARK: state, list

    public func state(id: String) throws -> PrintedState {
        let fd = try store.lock(id, exclusive: false)
        defer { close(fd) }
        return store.printed(try store.load(id))
    }

    public func list() -> [PrintedState] {
        store.ids().compactMap { id in try? state(id: id) }
    }

    // MARK: kill

    public func kill(id: String, signal: Int32, all: Bool) throws {
        let fd = try store.lock(id, exclusive: false)
        defer { close(fd) }
        let s = try store.load(id)
        let status = store.liveStatus(s)
        if status == .stopped {
            if all { return }
            throw SkiffError("container not running")
        }
        if all, let cg = s.cgroupPath, Cgroup.fullPath(cg).map(FS.isDirectory) == true {
            Cgroup.signalAll(cg, signal)
        } else {
            try signalInit(s, signal)
        }
        if signal == SIGKILL { ContainerCgroups(s).thaw() }
    }

    /// Signal the init through a pidfd, after checking it is still our process.
    func signalInit(_ s: StoredState, _ signal: Int32) throws {
        let pidfd = skiff_pidfd_open(s.pid)
        if pidfd < 0 { throw SkiffError("container not running") }
        defer { close(pidfd) }
        guard ProcStat.read(s.pid)?.starttime == s.starttime else { throw SkiffError("container not running") }
        let r = skiff_pidfd_send_signal(pidfd, signal)
        if r < 0 {
            throw SkiffError(r == -ESRCH ? "container not running" : "kill: \(errnoText(-r))")
        }
    }

    // MARK: delete

    public func delete(id: String, force: Bool) throws {
        let fd: Int32
        do {
            fd = try store.lock(id, exclusive: true)
        } catch {
            if force && !FS.exists(store.dir(id) + "/state.json") {
                FS.removeAll(store.dir(id))
                return
            }
            throw error
        }
        defer { close(fd) }
        let s = try store.load(id)
        let status = store.liveStatus(s)
        if status != .stopped {
            if !force {
                throw SkiffError("cannot delete container \(id) that is not stopped: \(status.rawValue) (use --force)")
            }
            let pidfd = skiff_pidfd_open(s.pid)
            if let cg = s.cgroupPath { Cgroup.signalAll(cg, SIGKILL) }
            let ours = pidfd >= 0 && ProcStat.read(s.pid)?.starttime == s.starttime
            if ours { _ = skiff_pidfd_send_signal(pidfd, SIGKILL) }
            ContainerCgroups(s).thaw()
            if ours { _ = skiff_wait_pidfd(pidfd, 10_000) }
            if pidfd >= 0 { close(pidfd) }
        }
        if s.hasHooks, let spec = try? store.loadConfig(id) {
            HookRunner.runAll("poststop", spec.hooks?.poststop ?? [],
                              state: HookState(id: id, status: .stopped, pid: nil, bundle: s.bundle,
                                               annotations: s.annotations))
        }
        ContainerCgroups(s).remove()
        FS.removeAll(store.dir(id))
    }

    /// Record how a supervised container ended, so `state` can show it.
    public func recordExit(id: String, waitStatus: Int32) {
        guard let fd = try? store.lock(id, exclusive: true) else { return }
        defer { close(fd) }
        guard var s = try? store.load(id) else { return }
        s.status = .stopped
        s.exitStatus = exitCode(fromWaitStatus: waitStatus)
        s.finished = Time.rfc3339(Time.now())
        try? store.save(s)
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
