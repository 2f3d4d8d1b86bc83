// linux.resources.devices → the cgroup v2 BPF device program (devices.c).
import CSkiff
import Glibc
import SkiffOCI

public struct DeviceRule: Equatable {
    public var allow: Bool
    public var type: Character  // a, c, b
    public var major: Int64     // -1 any
    public var minor: Int64
    public var access: String   // subset of "rwm"

    public init(_ allow: Bool, _ type: Character, _ major: Int64, _ minor: Int64, _ access: String) {
        self.allow = allow
        self.type = type
        self.major = major
        self.minor = minor
        self.access = access
    }
}

public enum DeviceFilter {
    /// What runc always allows after the config's rules: mknod of anything (the node is
    /// useless without read/write), and the standard /dev nodes, ptys and tun.
    public static let defaults: [DeviceRule] = [
        DeviceRule(true, "c", -1, -1, "m"), DeviceRule(true, "b", -1, -1, "m"),
        DeviceRule(true, "c", 1, 3, "rwm"), DeviceRule(true, "c", 1, 5, "rwm"), DeviceRule(true, "c", 1, 7, "rwm"),
        DeviceRule(true, "c", 1, 8, "rwm"), DeviceRule(true, "c", 1, 9, "rwm"), DeviceRule(true, "c", 5, 0, "rwm"),
        DeviceRule(true, "c", 5, 1, "rwm"), DeviceRule(true, "c", 5, 2, "rwm"), DeviceRule(true, "c", 136, -1, "rwm"),
        DeviceRule(true, "c", 10, 200, "rwm"),
    ]

    /// The full rule list, in order (later rules win), or nil when the config sets no
    /// device rules (no program is attached: the cgroup allows every device).
    public static func rules(_ spec: Spec) throws -> [DeviceRule]? {
        guard let cfg = spec.linux?.resources?.devices, !cfg.isEmpty else { return nil }
        var out: [DeviceRule] = []
        for (i, d) in cfg.enumerated() {
            let t = d.type ?? "a"
            guard t == "a" || t == "c" || t == "b", t.count == 1 else {
                throw SkiffError.config("linux.resources.devices[\(i)].type", "must be a, c or b")
            }
            let access = d.access ?? "rwm"
            guard !access.isEmpty, access.allSatisfy({ "rwm".contains($0) }) else {
                throw SkiffError.config("linux.resources.devices[\(i)].access", "must be letters of rwm")
            }
            out.append(DeviceRule(d.allow, Character(t), d.major ?? -1, d.minor ?? -1, access))
        }
        // Devices the config creates are usable (runc does the same).
        for d in spec.linux?.devices ?? [] where d.type == "c" || d.type == "b" || d.type == "u" {
            out.append(DeviceRule(true, d.type == "b" ? "b" : "c", d.major ?? -1, d.minor ?? -1, "rwm"))
        }
        return out + defaults
    }

    public static func attach(_ rules: [DeviceRule], cgroupFd: Int32) throws {
        try load(rules, cgroupFd: cgroupFd, replace: false)
    }

    public static func replace(_ rules: [DeviceRule], cgroupFd: Int32) throws {
        try load(rules, cgroupFd: cgroupFd, replace: true)
    }

    static func load(_ rules: [DeviceRule], cgroupFd: Int32, replace: Bool) throws {
        let c = rules.map { r in
            skiff_device_rule(allow: r.allow ? 1 : 0, type: r.type == "b" ? 1 : r.type == "c" ? 2 : 0,
                              access: (r.access.contains("m") ? 1 : 0) | (r.access.contains("r") ? 2 : 0)
                                  | (r.access.contains("w") ? 4 : 0),
                              major: r.major, minor: r.minor)
        }
        let r = c.withUnsafeBufferPointer {
            replace ? skiff_device_filter_replace(cgroupFd, $0.baseAddress, Int32($0.count))
                : skiff_device_filter(cgroupFd, $0.baseAddress, Int32($0.count))
        }
        if r < 0 {
            throw SkiffError.config("linux.resources.devices", "attach the BPF device filter: \(errnoText(-r))")
        }
    }
}
