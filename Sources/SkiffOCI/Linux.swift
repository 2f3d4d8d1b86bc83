// config-linux.md: the `linux` object, complete.

public struct Linux: Codable, Equatable, Sendable {
    public var namespaces: [Namespace]?
    public var uidMappings: [IDMapping]?
    public var gidMappings: [IDMapping]?
    public var timeOffsets: [String: TimeOffset]?
    public var devices: [Device]?
    public var netDevices: [String: NetDevice]?
    public var cgroupsPath: String?
    public var rootfsPropagation: String?
    public var resources: Resources?
    public var intelRdt: IntelRdt?
    public var memoryPolicy: MemoryPolicy?
    public var sysctl: [String: String]?
    public var seccomp: Seccomp?
    public var maskedPaths: [String]?
    public var readonlyPaths: [String]?
    public var mountLabel: String?
    public var personality: Personality?

    public init(namespaces: [Namespace]? = nil) {
        self.namespaces = namespaces
    }

    public struct Namespace: Codable, Equatable, Sendable {
        public var type: String
        public var path: String?
        public init(type: String, path: String? = nil) {
            self.type = type
            self.path = path
        }
    }

    public struct TimeOffset: Codable, Equatable, Sendable {
        public var secs: Int64?
        public var nanosecs: UInt32?
    }

    public struct Device: Codable, Equatable, Sendable {
        public var type: String
        public var path: String
        public var major: Int64?
        public var minor: Int64?
        public var fileMode: UInt32?
        public var uid: UInt32?
        public var gid: UInt32?
    }

    public struct NetDevice: Codable, Equatable, Sendable {
        public var name: String?
    }

    public struct IntelRdt: Codable, Equatable, Sendable {
        public var closID: String?
        public var l3CacheSchema: String?
        public var memBwSchema: String?
        public var schemata: [String]?
        public var enableMonitoring: Bool?
    }

    public struct MemoryPolicy: Codable, Equatable, Sendable {
        public var mode: String
        public var nodes: String?
        public var flags: [String]?
    }

    public struct Personality: Codable, Equatable, Sendable {
        public var domain: String
        public var flags: [String]?
    }

    public struct Seccomp: Codable, Equatable, Sendable {
        public var defaultAction: String
        public var defaultErrnoRet: UInt32?
        public var architectures: [String]?
        public var flags: [String]?
        public var listenerPath: String?
        public var listenerMetadata: String?
        public var syscalls: [Syscall]?

        public struct Syscall: Codable, Equatable, Sendable {
            public var names: [String]
            public var action: String
            public var errnoRet: UInt32?
            public var args: [Arg]?
        }

        public struct Arg: Codable, Equatable, Sendable {
            public var index: UInt
            public var value: UInt64
            public var valueTwo: UInt64?
            public var op: String
        }
    }
}

public struct Resources: Codable, Equatable, Sendable {
    public var devices: [DeviceRule]?
    public var memory: Memory?
    public var cpu: CPU?
    public var pids: Pids?
    public var blockIO: BlockIO?
    public var hugepageLimits: [HugepageLimit]?
    public var network: Network?
    public var rdma: [String: Rdma]?
    public var unified: [String: String]?

    public init() {}

    public struct DeviceRule: Codable, Equatable, Sendable {
        public var allow: Bool
        public var type: String?
        public var major: Int64?
        public var minor: Int64?
        public var access: String?
        public init(allow: Bool, type: String? = nil, major: Int64? = nil, minor: Int64? = nil, access: String? = nil) {
            self.allow = allow
            self.type = type
            self.major = major
            self.minor = minor
            self.access = access
        }
    }

    public struct Memory: Codable, Equatable, Sendable {
        public var limit: Int64?
        public var reservation: Int64?
        public var swap: Int64?
        public var kernel: Int64?
        public var kernelTCP: Int64?
        public var swappiness: UInt64?
        public var disableOOMKiller: Bool?
        public var useHierarchy: Bool?
        public var checkBeforeUpdate: Bool?
        public init() {}
    }

    public struct CPU: Codable, Equatable, Sendable {
        public var shares: UInt64?
        public var quota: Int64?
        public var burst: UInt64?
        public var period: UInt64?
        public var realtimeRuntime: Int64?
        public var realtimePeriod: UInt64?
        public var cpus: String?
        public var mems: String?
        public var idle: Int64?
        public init() {}
    }

    public struct Pids: Codable, Equatable, Sendable {
        public var limit: Int64?
        public init(limit: Int64?) { self.limit = limit }
    }

    public struct BlockIO: Codable, Equatable, Sendable {
        public var weight: UInt16?
        public var leafWeight: UInt16?
        public var weightDevice: [WeightDevice]?
        public var throttleReadBpsDevice: [ThrottleDevice]?
        public var throttleWriteBpsDevice: [ThrottleDevice]?
        public var throttleReadIOPSDevice: [ThrottleDevice]?
        public var throttleWriteIOPSDevice: [ThrottleDevice]?
        public init() {}

        public struct WeightDevice: Codable, Equatable, Sendable {
            public var major: Int64
            public var minor: Int64
            public var weight: UInt16?
            public var leafWeight: UInt16?
        }

        public struct ThrottleDevice: Codable, Equatable, Sendable {
            public var major: Int64
            public var minor: Int64
            public var rate: UInt64
        }
    }

    public struct HugepageLimit: Codable, Equatable, Sendable {
        public var pageSize: String
        public var limit: UInt64
    }

    public struct Network: Codable, Equatable, Sendable {
        public var classID: UInt32?
        public var priorities: [Priority]?
        public struct Priority: Codable, Equatable, Sendable {
            public var name: String
            public var priority: UInt32
        }
    }

    public struct Rdma: Codable, Equatable, Sendable {
        public var hcaHandles: UInt32?
        public var hcaObjects: UInt32?
    }
}
