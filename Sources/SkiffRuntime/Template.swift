// `skiff spec` (a default config like `runc spec`) and `skiff features` (features.md),
// both true to what this build implements.
import SkiffOCI

public enum SpecTemplate {
    /// runc's default capabilities: never inheritable or ambient (CVE-2022-29162).
    public static let defaultCaps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]

    public static func make(rootless: Bool) -> Spec {
        var proc = Process(user: Process.User(uid: 0, gid: 0), args: ["sh"],
                           env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
                           cwd: "/")
        proc.terminal = true
        proc.capabilities = Process.Capabilities(bounding: defaultCaps, effective: defaultCaps, inheritable: nil,
                                                 permitted: defaultCaps, ambient: nil)
        proc.rlimits = [Process.Rlimit(type: "RLIMIT_NOFILE", soft: 1024, hard: 1024)]
        proc.noNewPrivileges = true
        var mounts = [
            Mount(destination: "/proc", type: "proc", source: "proc"),
            Mount(destination: "/dev", type: "tmpfs", source: "tmpfs",
                  options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
            Mount(destination: "/dev/pts", type: "devpts", source: "devpts",
                  options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
            Mount(destination: "/dev/shm", type: "tmpfs", source: "shm",
                  options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
            Mount(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
            Mount(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]),
        ]
        var namespaces = ["pid", "network", "ipc", "uts", "mount", "cgroup"].map { Linux.Namespace(type: $0) }
        var linux = Linux(namespaces: namespaces)
        linux.maskedPaths = [
            "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
            "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
        ]
        linux.readonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
        // runc's default: no device but the standard ones (DeviceFilter.defaults).
        var resources = Resources()
        resources.devices = [Resources.DeviceRule(allow: false, type: nil, major: nil, minor: nil, access: "rwm")]
        linux.resources = resources
        if rootless {
            namespaces.append(Linux.Namespace(type: "user"))
            linux.namespaces = namespaces
            linux.uidMappings = [IDMapping(containerID: 0, hostID: 1000, size: 1)]
            linux.gidMappings = [IDMapping(containerID: 0, hostID: 1000, size: 1)]
            mounts[2].options?.removeAll { $0 == "gid=5" }
            mounts[5] = Mount(destination: "/sys", type: "none", source: "/sys",
                              options: ["rbind", "nosuid", "noexec", "nodev", "ro"])
        }
        return Spec(ociVersion: "1.3.0", root: Root(path: "rootfs", readonly: true), mounts: mounts, process: proc,
                    hostname: "skiff", linux: linux)
    }
}

public struct Features: Encodable {
    public var ociVersionMin = "1.0.0"
    public var ociVersionMax = "1.3.0"
    public var hooks = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]
    public var mountOptions: [String]
    public var linux: LinuxFeatures
    public var annotations: [String: String]

    public struct LinuxFeatures: Encodable {
        public var namespaces = ["cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"]
        public var capabilities = Names.capabilities
        public var cgroup: CgroupFeatures
        public var seccomp: SeccompFeatures
        public var apparmor = Enabled(enabled: false)
        public var selinux = Enabled(enabled: false)
        public var intelRdt = Enabled(enabled: false)
        public var mountExtensions = MountExtensions()
    }

    public struct CgroupFeatures: Encodable {
        public var v1 = false
        public var v2: Bool
        public var systemd = false
        public var systemdUser = false
        public var rdma = false
    }

    public struct SeccompFeatures: Encodable {
        public var enabled = true
        public var actions = SeccompNames.actions.sorted()
        public var operators = SeccompNames.ops.keys.sorted()
        public var archs = ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64",
                            "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32",
                            "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64",
                            "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64"]
        public var knownFlags = SeccompNames.flags.keys.sorted()
        public var supportedFlags = SeccompNames.flags.keys.sorted()
    }

    public struct Enabled: Encodable {
        public var enabled: Bool
    }

    public struct MountExtensions: Encodable {
        public var idmap = Enabled(enabled: true)
    }

    public static func current(version: String, commit: String) -> Features {
        var opts = Array(MountOptionNames.flags.keys) + Array(MountOptionNames.propagation.keys) + ["rro", "idmap", "ridmap"]
        opts.sort()
        let mount = Cgroup.unifiedMount()
        let controllers = mount.map { Cgroup.controllers($0).sorted() } ?? []
        return Features(mountOptions: opts,
                        linux: LinuxFeatures(cgroup: CgroupFeatures(v1: !CgroupV1.mounts().isEmpty, v2: mount != nil,
                                                                         rdma: controllers.contains("rdma")),
                                             seccomp: SeccompFeatures()),
                        annotations: ["org.skiff.version": version, "org.skiff.commit": commit,
                                      // Which limits this host can enforce (the v2 controllers skiff drives).
                                      "org.skiff.cgroup.v2.controllers": controllers.joined(separator: " "),
                                      "org.skiff.cgroup.v1.controllers": CgroupV1.mounts().keys.sorted().joined(separator: " ")])
    }
}
