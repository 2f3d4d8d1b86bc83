// One small struct per subcommand; the work is in SkiffRuntime.
import ArgumentParser
import Glibc
import SkiffOCI
import SkiffRuntime

func writeOut(_ s: String) {
    let line = s + "\n"
    var off = 0
    let bytes = Array(line.utf8)
    while off < bytes.count {
        let n = bytes[off...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        off += n
    }
}

struct SpecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "spec", abstract: "Write a default config.json.")
    @ParentCommand var parent: Skiff
    @Flag(help: "A config for a user namespace without host root.") var rootless = false
    @Option(name: [.short, .long], help: "Directory to write config.json into.") var bundle: String = "."

    func run() throws {
        try Skiff.guarded(parent) { _ in
            let path = bundle + "/config.json"
            if FS.exists(path) { throw SkiffError("File \(path) exists. Remove it first") }
            let text = try JSONOut.pretty(SpecTemplate.make(rootless: rootless))
            try FS.writeAtomic(path, Array((text + "\n").utf8))
            return 0
        }
    }
}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Validate a bundle without running it.")
    @ParentCommand var parent: Skiff
    @Option(name: [.short, .long], help: "Bundle directory.") var bundle: String = "."

    func run() throws {
        try Skiff.guarded(parent) { _ in
            let dir = FS.absolute(bundle)
            let spec = try ConfigDecoder.load(bundle: dir)
            var problems = Validator.validate(spec)
            if problems.isEmpty {
                do {
                    _ = try ContainerPlan(spec: spec, bundle: dir)
                    if let r = spec.linux?.resources { try Cgroup.checkAvailable(try CgroupV2.writes(r)) }
                    _ = try DeviceFilter.rules(spec)
                    if let sc = spec.linux?.seccomp { _ = try SeccompCompiler.compile(sc) }
                } catch let e as SkiffError {
                    problems.append(Problem("bundle", e.message))
                }
            }
            if problems.isEmpty {
                writeOut("\(dir): ok")
                return 0
            }
            for p in problems { Log.error(p.description) }
            return 1
        }
    }
}

/// The flags `create` and `run` share.
struct CreateFlags: ParsableArguments {
    @Option(name: [.short, .long], help: "Bundle directory.") var bundle: String = "."
    @Option(name: .customLong("pid-file"), help: "Write the init's host PID here.") var pidFile: String?
    @Option(name: .customLong("console-socket"), help: "Unix socket that receives the pty master.") var consoleSocket: String?
    @Flag(name: .customLong("no-pivot"), help: "Use MS_MOVE and chroot instead of pivot_root.") var noPivot = false
    @Flag(name: .customLong("no-new-keyring"), help: "Accepted for runc compatibility; skiff never creates a session keyring.") var noNewKeyring = false
    @Option(name: .customLong("preserve-fds"), help: "Pass this many fds after stdio to the container.") var preserveFds: Int = 0

    var options: CreateOptions {
        var o = CreateOptions(bundle: bundle)
        o.pidFile = pidFile
        o.consoleSocket = consoleSocket
        o.noPivot = noPivot
        o.preserveFds = preserveFds
        return o
    }
}

struct CreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a container (stopped before its program runs).")
    @ParentCommand var parent: Skiff
    @OptionGroup var flags: CreateFlags
    @Argument var id: String

    func run() throws {
        try Skiff.guarded(parent) { rt in
            _ = try rt.create(id: id, flags.options)
            return 0
        }
    }
}

struct StartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Run the program of a created container.")
    @ParentCommand var parent: Skiff
    @Argument var id: String

    func run() throws {
        try Skiff.guarded(parent) { rt in
            try rt.start(id: id)
            return 0
        }
    }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Create and start a container, and wait for it.")
    @ParentCommand var parent: Skiff
    @OptionGroup var flags: CreateFlags
    @Flag(name: [.short, .long], help: "Return once started; a supervisor records the exit.") var detach = false
    @Flag(help: "Keep the container's state after it exits.") var keep = false
    @Argument var id: String

    func run() throws {
        try Skiff.guarded(parent) { rt in
            try rt.run(id: id, flags.options, detach: detach, keep: keep)
        }
    }
}

struct StateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "state", abstract: "Print a container's state as JSON.")
    @ParentCommand var parent: Skiff
    @Argument var id: String

    func run() throws {
        try Skiff.guarded(parent) { rt in
            writeOut(try JSONOut.pretty(try rt.state(id: id)))
            return 0
        }
    }
}

struct KillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kill", abstract: "Send a signal to a container's init (or all its processes).")
    @ParentCommand var parent: Skiff
    @Flag(name: [.short, .long], help: "Signal every process in the container.") var all = false
    @Argument var id: String
    @Argument var signal: String = "SIGTERM"

    func run() throws {
        try Skiff.guarded(parent) { rt in
            guard let sig = Names.signal(signal) else { throw SkiffError("unknown signal \"\(signal)\"") }
            try rt.kill(id: id, signal: sig, all: all)
            return 0
        }
    }
}

struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a stopped container (or any, with --force).")
    @ParentCommand var parent: Skiff
    @Flag(name: [.short, .long], help: "Kill the container first if it is still running.") var force = false
    @Argument var id: String

    func run() throws {
        try Skiff.guarded(parent) { rt in
            try rt.delete(id: id, force: force)
            return 0
        }
    }
}

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List containers.", aliases: ["ls"])
    @ParentCommand var parent: Skiff
    @Option(name: [.short, .long], help: "table or json.") var format: String = "table"
    @Flag(name: [.short, .long], help: "Print only the IDs.") var quiet = false

    func run() throws {
        try Skiff.guarded(parent) { rt in
            let all = rt.list()
            if quiet {
                all.forEach { writeOut($0.id) }
            } else if format == "json" {
                writeOut(try JSONOut.compact(all))
            } else if format == "table" {
                writeOut(Table.render([["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]] + all.map {
                    [$0.id, "\($0.pid)", $0.status.rawValue, $0.bundle, $0.created, $0.owner.isEmpty ? "root" : $0.owner]
                }))
            } else {
                throw SkiffError("--format: must be table or json, got \"\(format)\"")
            }
            return 0
        }
    }
}

enum Table {
    static func render(_ rows: [[String]]) -> String {
        var widths = [Int](repeating: 0, count: rows.first?.count ?? 0)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        return rows.map { r in
            r.enumerated().map { i, c in
                i == r.count - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count + 3)
            }.joined()
        }.joined(separator: "\n")
    }
}

struct ExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "exec", abstract: "Run a new process inside a container.")
    @ParentCommand var parent: Skiff
    @Option(name: [.short, .long], help: "An OCI process JSON file (- for stdin).") var process: String?
    @Flag(name: [.short, .long], help: "Allocate a pseudo-TTY.") var tty = false
    @Option(name: .customLong("console-socket"), help: "Unix socket that receives the pty master.") var consoleSocket: String?
    @Flag(name: [.short, .long], help: "Return once the process started.") var detach = false
    @Option(name: .customLong("pid-file"), help: "Write the process's host PID here.") var pidFile: String?
    @Option(name: .customLong("cwd"), help: "Working directory in the container.") var cwd: String?
    @Option(name: [.short, .long], help: "Add an environment variable (KEY=value).") var env: [String] = []
    @Option(name: [.short, .long], help: "uid[:gid] to run as.") var user: String?
    @Option(name: .customLong("additional-gids"), help: "Additional gid.") var additionalGids: [UInt32] = []
    @Option(name: [.short, .customLong("cap")], help: "Add a capability (bounding, effective, permitted).") var cap: [String] = []
    @Flag(name: .customLong("no-new-privs"), help: "Set no_new_privs.") var noNewPrivs = false
    @Option(name: .customLong("preserve-fds"), help: "Pass this many fds after stdio.") var preserveFds: Int = 0
    @Argument var id: String
    @Argument(parsing: .captureForPassthrough) var command: [String] = []

    func run() throws {
        // exec failures exit 255, as runc does (callers only test for non-zero).
        try Skiff.guarded(parent, failureCode: 255) { rt in
            var proc: Process
            if let file = process {
                let bytes = file == "-" ? try FS.readAll(0) : try FS.read(file)
                proc = try ConfigDecoder.decode(Process.self, from: bytes, what: "process")
            } else {
                var a = command
                if a.first == "--" { a.removeFirst() }
                if a.isEmpty { throw SkiffError("exec: give a command or --process") }
                proc = try rt.defaultExecProcess(id: id)
                proc.args = a
                proc.terminal = tty
                proc.consoleSize = nil
            }
            if let cwd { proc.cwd = cwd }
            proc.env = (proc.env ?? []) + env
            if let user {
                let parts = user.split(separator: ":")
                guard let uid = UInt32(parts[0]), parts.count <= 2 else { throw SkiffError("--user: must be uid[:gid]") }
                proc.user.uid = uid
                if parts.count == 2 {
                    guard let gid = UInt32(parts[1]) else { throw SkiffError("--user: must be uid[:gid]") }
                    proc.user.gid = gid
                }
            }
            if !additionalGids.isEmpty { proc.user.additionalGids = additionalGids }
            if tty { proc.terminal = true }
            if noNewPrivs { proc.noNewPrivileges = true }
            if !cap.isEmpty {
                var c = proc.capabilities ?? Process.Capabilities()
                c.bounding = (c.bounding ?? []) + cap
                c.effective = (c.effective ?? []) + cap
                c.permitted = (c.permitted ?? []) + cap
                proc.capabilities = c
            }
            var o = ExecOptions(process: proc)
            o.detach = detach
            o.pidFile = pidFile
            o.consoleSocket = consoleSocket
            o.preserveFds = preserveFds
            return try rt.exec(id: id, o)
        }
    }
}

struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "features", abstract: "Print what this runtime supports (features.md).")
    @ParentCommand var parent: Skiff

    func run() throws {
        try Skiff.guarded(parent) { _ in
            writeOut(try JSONOut.pretty(Features.current(version: skiffVersion, commit: skiffCommit)))
            return 0
        }
    }
}

struct PauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Freeze every process of a container.")
    @ParentCommand var parent: Skiff
    @Argument var id: String

    func run() throws { try freeze(parent, id, true) }
}

struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Thaw a paused container.")
    @ParentCommand var parent: Skiff
    @Argument var id: String

    func run() throws { try freeze(parent, id, false) }
}

func freeze(_ parent: Skiff, _ id: String, _ frozen: Bool) throws {
    try Skiff.guarded(parent) { rt in
        try rt.freeze(id: id, frozen)
        return 0
    }
}

struct PsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ps", abstract: "List the host PIDs of a container's processes.")
    @ParentCommand var parent: Skiff
    @Option(name: [.short, .long], help: "table or json.") var format: String = "table"
    @Argument var id: String

    func run() throws {
        try Skiff.guarded(parent) { rt in
            let pids = try rt.processes(id: id)
            if format == "json" {
                writeOut("[" + pids.map(String.init).joined(separator: ",") + "]")
            } else if format == "table" {
                writeOut((["PID"] + pids.map(String.init)).joined(separator: "\n"))
            } else {
                throw SkiffError("--format: must be table or json, got \"\(format)\"")
            }
            return 0
        }
    }
}

struct UpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "update", abstract: "Change a running container's resource limits.")
    @ParentCommand var parent: Skiff
    @Option(name: [.short, .customLong("resources")], help: "LinuxResources JSON file, or - for stdin.") var resources: String?
    @Option(name: .customLong("blkio-weight")) var blkioWeight: UInt16?
    @Option(name: .customLong("cpu-period")) var cpuPeriod: UInt64?
    @Option(name: .customLong("cpu-quota")) var cpuQuota: Int64?
    @Option(name: .customLong("cpu-share")) var cpuShare: UInt64?
    @Option(name: .customLong("cpu-shares"), help: .hidden) var cpuShares: UInt64?
    @Option(name: .customLong("cpu-rt-period")) var cpuRtPeriod: UInt64?
    @Option(name: .customLong("cpu-rt-runtime")) var cpuRtRuntime: Int64?
    @Option(name: .customLong("cpuset-cpus")) var cpusetCpus: String?
    @Option(name: .customLong("cpuset-mems")) var cpusetMems: String?
    @Option(name: .customLong("memory")) var memory: String?
    @Option(name: .customLong("memory-reservation")) var memoryReservation: String?
    @Option(name: .customLong("memory-swap")) var memorySwap: String?
    @Option(name: .customLong("kernel-memory")) var kernelMemory: String?
    @Option(name: .customLong("kernel-memory-tcp")) var kernelMemoryTCP: String?
    @Option(name: .customLong("pids-limit")) var pidsLimit: Int64?
    @Option(name: .customLong("l3-cache-schema")) var l3CacheSchema: String?
    @Option(name: .customLong("mem-bw-schema")) var memBwSchema: String?
    @Argument var id: String

    func run() throws {
        try Skiff.guarded(parent) { rt in
            if l3CacheSchema != nil || memBwSchema != nil {
                throw SkiffError.notSupported("update: Intel RDT (--l3-cache-schema, --mem-bw-schema)")
            }
            var r = Resources()
            if let file = resources {
                let bytes = file == "-" ? try FS.readAll(0) : try FS.read(file)
                r = try ConfigDecoder.decode(Resources.self, from: bytes, what: "resources")
            }
            var f = UpdateFlags()
            f.blkioWeight = blkioWeight
            f.cpuPeriod = cpuPeriod
            f.cpuQuota = cpuQuota
            f.cpuShares = cpuShare ?? cpuShares
            f.cpuRtPeriod = cpuRtPeriod
            f.cpuRtRuntime = cpuRtRuntime
            f.cpusetCpus = cpusetCpus
            f.cpusetMems = cpusetMems
            f.memory = memory
            f.memoryReservation = memoryReservation
            f.memorySwap = memorySwap
            f.kernelMemory = kernelMemory
            f.kernelMemoryTCP = kernelMemoryTCP
            f.pidsLimit = pidsLimit
            try f.apply(to: &r)
            try rt.update(id: id, resources: r)
            return 0
        }
    }
}

struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "events", abstract: "Print statistics, or stream stats, oom and exit events.")
    @ParentCommand var parent: Skiff
    @Flag(help: "Print one stats object and exit.") var stats = false
    @Option(help: "Stats interval, such as 5s or 500ms.") var interval: String = "5s"
    @Argument var id: String

    func run() throws {
        try Skiff.guarded(parent) { rt in
            if stats {
                writeOut(try rt.stats(id: id))
                return 0
            }
            guard let ms = Duration.milliseconds(interval), ms > 0 else {
                throw SkiffError("--interval: \"\(interval)\" is not a duration (like 5s or 500ms)")
            }
            try rt.events(id: id, intervalMs: Int32(clamping: ms)) { writeOut($0) }
            return 0
        }
    }
}

enum Duration {
    /// Go-style durations as runc takes them: 500ms, 5s, 1m, 1h (a bare number is seconds).
    static func milliseconds(_ s: String) -> Int? {
        for (suffix, mult) in [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)] where s.hasSuffix(suffix) {
            if let v = Double(s.dropLast(suffix.count)) { return Int(v * Double(mult)) }
        }
        return Int(s).map { $0 * 1000 }
    }
}
