import XCTest
@testable import SkiffOCI

final class ValidationTests: XCTestCase {
    func spec(_ mutate: (inout Spec) -> Void = { _ in }) -> Spec {
        var p = Process(user: .init(uid: 0, gid: 0), args: ["/bin/true"], env: ["PATH=/bin"], cwd: "/")
        p.capabilities = .init(bounding: ["CAP_KILL"], effective: ["CAP_KILL"], permitted: ["CAP_KILL"])
        var s = Spec(ociVersion: "1.3.0", root: Root(path: "rootfs"), process: p,
                     linux: Linux(namespaces: [.init(type: "pid"), .init(type: "mount"), .init(type: "uts")]))
        mutate(&s)
        return s
    }

    func paths(_ s: Spec) -> [String] { Validator.validate(s).map(\.path) }

    func testAGoodSpecHasNoProblems() {
        XCTAssertEqual(Validator.validate(spec()), [])
    }

    func testVersions() {
        XCTAssertTrue(Validator.supports(ociVersion: "1.0.2-dev"))
        XCTAssertTrue(Validator.supports(ociVersion: "1.3.0"))
        XCTAssertFalse(Validator.supports(ociVersion: "1.4.0"))
        XCTAssertFalse(Validator.supports(ociVersion: "2.0.0"))
        XCTAssertFalse(Validator.supports(ociVersion: "invalid"))
        XCTAssertEqual(paths(spec { $0.ociVersion = "invalid" }), ["ociVersion"])
    }

    func testUnknownCapabilityNamesItsIndex() {
        let p = Validator.validate(spec { $0.process?.capabilities?.effective = ["CAP_KILL", "CAP_FLY"] })
        XCTAssertEqual(p.map(\.path), ["process.capabilities.effective[1]"])
        XCTAssertTrue(p[0].message.contains("CAP_FLY"))
    }

    func testMappingsNeedAUserNamespace() {
        XCTAssertEqual(paths(spec { $0.linux?.uidMappings = [IDMapping(containerID: 0, hostID: 1, size: 1)] }),
                       ["linux.uidMappings"])
    }

    func testMappingSizeZero() {
        let s = spec {
            $0.linux?.namespaces?.append(.init(type: "user"))
            $0.linux?.uidMappings = [IDMapping(containerID: 0, hostID: 1, size: 0)]
            $0.linux?.gidMappings = [IDMapping(containerID: 0, hostID: 1, size: 1)]
        }
        XCTAssertEqual(paths(s), ["linux.uidMappings[0].size"])
    }

    func testNamespaceProblems() {
        XCTAssertEqual(paths(spec { $0.linux?.namespaces?.append(.init(type: "bogus")) }), ["linux.namespaces[3].type"])
        XCTAssertEqual(paths(spec { $0.linux?.namespaces?.append(.init(type: "pid")) }), ["linux.namespaces[3].type"])
        XCTAssertEqual(paths(spec { $0.linux?.namespaces?.append(.init(type: "ipc", path: "rel")) }),
                       ["linux.namespaces[3].path"])
    }

    func testMountDestinationMustBeAbsolute() {
        XCTAssertEqual(paths(spec { $0.mounts = [Mount(destination: "proc", type: "proc")] }), ["mounts[0].destination"])
    }

    func testRlimits() {
        XCTAssertEqual(paths(spec { $0.process?.rlimits = [.init(type: "RLIMIT_BOGUS", soft: 1, hard: 1)] }),
                       ["process.rlimits[0].type"])
        XCTAssertEqual(paths(spec { $0.process?.rlimits = [.init(type: "RLIMIT_NOFILE", soft: 2, hard: 1)] }),
                       ["process.rlimits[0]"])
    }

    func testNetworkSysctlNeedsANetworkNamespace() {
        XCTAssertEqual(paths(spec { $0.linux?.sysctl = ["net.ipv4.ip_forward": "1"] }),
                       ["linux.sysctl.net.ipv4.ip_forward"])
        XCTAssertEqual(paths(spec {
            $0.linux?.sysctl = ["net.ipv4.ip_forward": "1"]
            $0.linux?.namespaces?.append(.init(type: "network"))
        }), [])
    }

    func testHostnameNeedsUTS() {
        XCTAssertEqual(paths(spec {
            $0.hostname = "h"
            $0.linux?.namespaces = [.init(type: "mount")]
        }), ["hostname"])
    }

    func testTimeOffsetsNeedATimeNamespace() {
        XCTAssertEqual(paths(spec { $0.linux?.timeOffsets = ["monotonic": .init(secs: 1, nanosecs: 0)] }),
                       ["linux.timeOffsets"])
    }

    func testDevices() {
        let d = Linux.Device(type: "x", path: "/tmp/d", major: nil, minor: nil)
        XCTAssertEqual(Set(paths(spec { $0.linux?.devices = [d] })),
                       ["linux.devices[0].type", "linux.devices[0].path", "linux.devices[0]"])
    }

    func testUnsupportedFeaturesAreNamed() {
        XCTAssertEqual(paths(spec { $0.process?.apparmorProfile = "p" }), ["process.apparmorProfile"])
        XCTAssertEqual(paths(spec { $0.mounts = [Mount(destination: "/x", type: "bind", source: "/x", options: ["tmpcopyup"])] }),
                       ["mounts[0].options[0]"])
    }

    func testSeccompNamesAreChecked() {
        var sc = Linux.Seccomp(defaultAction: "SCMP_ACT_NOPE")
        sc.flags = ["SECCOMP_FILTER_FLAG_BOGUS"]
        sc.syscalls = [.init(names: ["read"], action: "SCMP_ACT_NOTIFY",
                             args: [.init(index: 7, value: 1, op: "SCMP_CMP_ALMOST")])]
        XCTAssertEqual(Set(paths(spec { $0.linux?.seccomp = sc })), [
            "linux.seccomp.defaultAction", "linux.seccomp.flags[0]", "linux.seccomp.syscalls[0].args[0].op",
            "linux.seccomp.syscalls[0].args[0].index", "linux.seccomp.listenerPath",
        ])
        XCTAssertEqual(paths(spec { $0.linux?.seccomp = .init(defaultAction: "SCMP_ACT_ALLOW") }), [])
    }

    func testHooksMustBeAbsolute() {
        var h = Hooks()
        h.poststop = [Hook(path: "relative")]
        XCTAssertEqual(paths(spec { $0.hooks = h }), ["hooks.poststop[0].path"])
    }

    func testSignals() {
        XCTAssertEqual(Names.signal("9"), 9)
        XCTAssertEqual(Names.signal("KILL"), 9)
        XCTAssertEqual(Names.signal("SIGTERM"), 15)
        XCTAssertEqual(Names.signal("sigusr1"), 10)
        XCTAssertEqual(Names.signal("RTMIN+2"), 36)
        XCTAssertNil(Names.signal("NOPE"))
        XCTAssertNil(Names.signal("0"))
        XCTAssertNil(Names.signal("65"))
    }

    func testCapabilityNames() {
        XCTAssertEqual(Names.capability("CAP_SYS_ADMIN"), 21)
        XCTAssertEqual(Names.capability("net_raw"), 13)
        XCTAssertEqual(Names.capability("CAP_CHECKPOINT_RESTORE"), 40)
        XCTAssertNil(Names.capability("CAP_FLY"))
    }
}
