// `run`: create + start + supervise.  In the foreground skiff is the init's parent;
// with --detach a small forked supervisor stays behind as that parent and records the
// exit status and time in the state (which plain runc cannot report).
import CSkiff
import Glibc
import SkiffOCI

extension Runtime {
    public func run(id: String, _ o: CreateOptions, detach: Bool, keep: Bool) throws -> Int32 {
        if detach { return try runDetached(id: id, o) }
        var opts = o
        opts.ownConsole = o.consoleSocket == nil
        let c = try create(id: id, opts)
        do {
            try start(id: id)
        } catch {
            try? delete(id: id, force: true)
            throw error
        }
        let status = skiff_supervise(c.pid, c.master)
        if c.master >= 0 { close(c.master) }
        if keep {
            recordExit(id: id, waitStatus: status)
        } else {
            try delete(id: id, force: true)
        }
        return exitCode(fromWaitStatus: status)
    }

    private func runDetached(id: String, _ o: CreateOptions) throws -> Int32 {
        var fds: [Int32] = [-1, -1]
        try check(skiff_pipe(&fds), "pipe", negErrno: true)
        let child = fork()
        if child < 0 { throw SkiffError("fork the supervisor: \(errnoText(errno))") }
        if child > 0 {
            close(fds[1])
            let reply = String(decoding: (try? FS.readAll(fds[0])) ?? [], as: UTF8.self)
            close(fds[0])
            if reply == "ok" { return 0 }
            throw SkiffError(reply.isEmpty ? "the supervisor exited before the container started" : reply)
        }
        // The supervisor: its own session, so the caller's terminal signals miss it.
        close(fds[0])
        setsid()
        let pid: Int32
        do {
            let c = try create(id: id, o)
            pid = c.pid
            do {
                try start(id: id)
            } catch {
                try? delete(id: id, force: true)
                throw error
            }
            if let fd = try? store.lock(id, exclusive: true) {
                if var s = try? store.load(id) {
                    s.supervised = true
                    try? store.save(s)
                }
                close(fd)
            }
        } catch {
            _ = FS.writeAll(fds[1], Array("\(error)".utf8))
            _exit(1)
        }
        _ = FS.writeAll(fds[1], Array("ok".utf8))
        close(fds[1])
        // Hold no copy of the caller's stdio: whoever waits for EOF waits for the container only.
        let null = open("/dev/null", O_RDWR)
        if null >= 0 {
            for fd: Int32 in 0...2 { dup2(null, fd) }
            if null > 2 { close(null) }
        }
        Log.path = nil
        let status = skiff_supervise(pid, -1)
        recordExit(id: id, waitStatus: status)
        _exit(0)
    }
}
