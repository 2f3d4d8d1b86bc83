import XCTest
@testable import SkiffOCI
@testable import SkiffRuntime

final class DecodeTests: XCTestCase {
    static var examplesDir: String {
        let here = #filePath
        let root = here.components(separatedBy: "/Tests/")[0]
        return root + "/spec-examples"
    }

    func testEveryExampleDecodesAndValidates() throws {
        let names = FS.listDirectory(Self.examplesDir).filter { FS.exists(Self.examplesDir + "/\($0)/config.json") }
        XCTAssertGreaterThanOrEqual(names.count, 5)
        for n in names {
            let spec = try ConfigDecoder.load(bundle: Self.examplesDir + "/" + n)
            XCTAssertEqual(Validator.validate(spec), [], n)
        }
    }

    func testFullRuntimeSpecExampleDecodes() throws {
        let spec = try ConfigDecoder.decode(Spec.self, from: Array(fullExample.utf8))
        XCTAssertEqual(spec.process?.rlimits?.map(\.type), ["RLIMIT_CORE", "RLIMIT_NOFILE"])
        XCTAssertEqual(spec.linux?.uidMappings?.first?.hostID, 1000)
        XCTAssertEqual(spec.linux?.resources?.memory?.limit, 536_870_912)
        XCTAssertEqual(spec.linux?.resources?.blockIO?.throttleReadBpsDevice?.first?.rate, 600)
        XCTAssertEqual(spec.linux?.seccomp?.syscalls?.first?.names, ["getcwd", "chmod"])
        XCTAssertEqual(spec.hooks?.poststop?.first?.path, "/usr/sbin/cleanup.sh")
        XCTAssertEqual(spec.linux?.sysctl?["net.ipv4.ip_forward"], "1")
        XCTAssertEqual(spec.linux?.devices?.first?.fileMode, 438)
        XCTAssertEqual(spec.linux?.timeOffsets?["monotonic"]?.secs, 10)
        XCTAssertEqual(spec.process?.scheduler?.policy, "SCHED_OTHER")
        XCTAssertEqual(spec.annotations?["com.example.key1"], "value1")
    }

    func testUnknownFieldsAreTolerated() throws {
        let json = #"{"ociVersion":"1.0.2","root":{"path":"r"},"futureField":{"x":1},"linux":{"newThing":true}}"#
        let spec = try ConfigDecoder.decode(Spec.self, from: Array(json.utf8))
        XCTAssertEqual(spec.root?.path, "r")
    }

    func testTypeErrorNamesThePath() {
        let json = #"{"ociVersion":"1.0.2","root":{"path":"r"},"linux":{"uidMappings":[{"containerID":0,"hostID":"x","size":1}]}}"#
        XCTAssertThrowsError(try ConfigDecoder.decode(Spec.self, from: Array(json.utf8))) { e in
            XCTAssertTrue("\(e)".contains("linux.uidMappings[0].hostID"), "\(e)")
        }
    }

    func testMissingRequiredFieldNamesThePath() {
        let json = #"{"ociVersion":"1.0.2","process":{"cwd":"/"}}"#
        XCTAssertThrowsError(try ConfigDecoder.decode(Spec.self, from: Array(json.utf8))) { e in
            XCTAssertTrue("\(e)".contains("process.user: is required"), "\(e)")
        }
    }

    func testInvalidJSON() {
        XCTAssertThrowsError(try ConfigDecoder.decode(Spec.self, from: Array("{".utf8))) { e in
            XCTAssertTrue("\(e)".contains("not valid JSON"), "\(e)")
        }
    }
}

/// The example config from runtime-spec config.md (trimmed of Windows/Solaris parts).
let fullExample = #"""
{
    "ociVersion": "1.3.0",
    "process": {
        "terminal": true,
        "user": {"uid": 1, "gid": 1, "additionalGids": [5, 6]},
        "args": ["sh"],
        "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
        "cwd": "/",
        "capabilities": {
            "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
            "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
            "inheritable": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
            "effective": ["CAP_AUDIT_WRITE", "CAP_KILL"],
            "ambient": ["CAP_NET_BIND_SERVICE"]
        },
        "rlimits": [{"type": "RLIMIT_CORE", "hard": 1024, "soft": 1024}, {"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
        "apparmorProfile": "acme_secure_profile",
        "oomScoreAdj": 100,
        "selinuxLabel": "system_u:system_r:svirt_lxc_net_t:s0:c124,c675",
        "ioPriority": {"class": "IOPRIO_CLASS_IDLE", "priority": 4},
        "scheduler": {"policy": "SCHED_OTHER", "nice": 1},
        "noNewPrivileges": true
    },
    "root": {"path": "rootfs", "readonly": true},
    "hostname": "slartibartfast",
    "domainname": "example.org",
    "mounts": [
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}
    ],
    "hooks": {
        "prestart": [{"path": "/usr/bin/fix-mounts", "args": ["fix-mounts", "arg1", "arg2"], "env": ["key1=value1"]}, {"path": "/usr/bin/setup-network"}],
        "poststart": [{"path": "/usr/bin/notify-start", "timeout": 5}],
        "poststop": [{"path": "/usr/sbin/cleanup.sh", "args": ["cleanup.sh", "-f"]}]
    },
    "linux": {
        "devices": [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0},
                    {"path": "/dev/sda", "type": "b", "major": 8, "minor": 0, "fileMode": 432, "uid": 0, "gid": 0}],
        "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 32000}],
        "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 32000}],
        "timeOffsets": {"monotonic": {"secs": 10, "nanosecs": 0}},
        "sysctl": {"net.ipv4.ip_forward": "1", "net.core.somaxconn": "256"},
        "cgroupsPath": "/myRuntime/myContainer",
        "resources": {
            "network": {"classID": 1048577, "priorities": [{"name": "eth0", "priority": 500}, {"name": "eth1", "priority": 1000}]},
            "pids": {"limit": 32771},
            "hugepageLimits": [{"pageSize": "2MB", "limit": 9223372036854772000}, {"pageSize": "64KB", "limit": 1000000}],
            "memory": {"limit": 536870912, "reservation": 536870912, "swap": 536870912, "kernel": -1, "kernelTCP": -1, "swappiness": 0, "disableOOMKiller": false},
            "cpu": {"shares": 1024, "quota": 1000000, "period": 500000, "realtimeRuntime": 950000, "realtimePeriod": 1000000, "cpus": "2-3", "idle": 1, "mems": "0-7"},
            "devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}, {"allow": true, "type": "b", "major": 8, "minor": 0, "access": "r"}],
            "blockIO": {"weight": 10, "leafWeight": 10,
                "weightDevice": [{"major": 8, "minor": 0, "weight": 500, "leafWeight": 300}, {"major": 8, "minor": 16, "weight": 500}],
                "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 600}],
                "throttleWriteIOPSDevice": [{"major": 8, "minor": 16, "rate": 300}]}
        },
        "rootfsPropagation": "slave",
        "seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"],
            "syscalls": [{"names": ["getcwd", "chmod"], "action": "SCMP_ACT_ERRNO"}]},
        "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"},
                       {"type": "user"}, {"type": "cgroup"}, {"type": "time"}],
        "maskedPaths": ["/proc/kcore", "/proc/latency_stats", "/proc/timer_stats", "/proc/sched_debug"],
        "readonlyPaths": ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
        "mountLabel": "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811"
    },
    "annotations": {"com.example.key1": "value1", "com.example.key2": "value2"}
}
"""#
