// The runc-compatible command line.  Global flags come before the subcommand, as
// orchestrators send them; every subcommand reads them through @ParentCommand.
import ArgumentParser
import Glibc
import SkiffOCI
import SkiffRuntime

let skiffVersion = "0.1.0"
let skiffCommit = BuildInfo.commit

@main
struct Skiff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skiff",
        abstract: "An OCI container runtime.",
        subcommands: [
            SpecCommand.self, CheckCommand.self, CreateCommand.self, StartCommand.self, RunCommand.self,
            StateCommand.self, KillCommand.self, DeleteCommand.self, ListCommand.self, ExecCommand.self,
            FeaturesCommand.self, PauseCommand.self, ResumeCommand.self, PsCommand.self, UpdateCommand.self,
            EventsCommand.self,
        ]
    )

    @Option(help: "Root directory for container state.")
    var root: String = "/run/skiff"

    @Option(help: "Append log lines to this file.")
    var log: String?

    @Option(name: .customLong("log-format"), help: "Log format: text or json.")
    var logFormat: String = "text"

    @Flag(help: "Log debug messages.")
    var debug = false

    @Flag(name: .customLong("systemd-cgroup"), help: "Use systemd to manage cgroups (not supported yet).")
    var systemdCgroup = false

    @Option(name: .customLong("criu"), help: .hidden)
    var criu: String?

    @Flag(name: .long, help: "Print the version.")
    var version = false

    mutating func run() throws {
        if version {
            print(Skiff.versionText)
            return
        }
        throw CleanExit.helpRequest(self)
    }

    static var versionText: String {
        "skiff version \(skiffVersion)\ncommit: \(skiffCommit)\nspec: 1.3.0\nlibseccomp: \(BuildInfo.libseccomp)"
    }

    /// Apply the globals; every subcommand calls this first.
    func setUp() throws -> Runtime {
        Log.path = log
        guard let f = LogFormat(rawValue: logFormat) else {
            throw SkiffError("--log-format: must be text or json, got \"\(logFormat)\"")
        }
        Log.format = f
        Log.debugEnabled = debug
        if systemdCgroup { throw SkiffError.notSupported("--systemd-cgroup: skiff manages cgroups through cgroupfs only (not supported yet)") }
        return Runtime(root: FS.absolute(root))
    }

    /// Run a subcommand body with the runtime's error contract: message to stderr (and
    /// the log), exit code from the error.
    static func guarded(_ parent: Skiff, failureCode: Int32 = 1, _ body: (Runtime) throws -> Int32) throws {
        let code: Int32
        do {
            let rt = try parent.setUp()
            code = try body(rt)
        } catch let e as SkiffError {
            Log.error(e.message)
            Log.trace(exit: failureCode, error: e.message)
            throw ExitCode(failureCode)
        }
        Log.trace(exit: code, error: nil)
        if code != 0 { throw ExitCode(code) }
    }
}
