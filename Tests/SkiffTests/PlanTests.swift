import XCTest
@testable import SkiffOCI
@testable import SkiffRuntime

final class PlanTests: XCTestCase {
    func testBindMountFlagsAndRemount() throws {
        let m = Mount(destination: "/data/", type: "bind", source: "src", options: ["rbind", "ro", "nosuid", "rslave"])
        let p = try MountPlanner.plan(m, index: 0, bundle: "/b", statSource: false)
        XCTAssertTrue(p.isBind)
        XCTAssertEqual(p.source, "/b/src")
        XCTAssertEqual(p.destination, "/data")
        XCTAssertEqual(p.flags, 4096 | 16384 | 1 | 2)
        XCTAssertEqual(p.propagation, 1 << 19 | 16384)
        XCTAssertTrue(p.remount)
        XCTAssertNil(p.data)
    }

    func testFilesystemOptionsBecomeData() throws {
        let m = Mount(destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"])
        let p = try MountPlanner.plan(m, index: 0, bundle: "/b")
        XCTAssertFalse(p.isBind)
        XCTAssertEqual(p.fstype, "tmpfs")
        XCTAssertEqual(p.flags, 2 | 1 << 24)
        XCTAssertEqual(p.data, "mode=755,size=65536k")
        XCTAssertFalse(p.remount)
    }

    func testClearingOptions() throws {
        let m = Mount(destination: "/x", type: "tmpfs", source: "t", options: ["ro", "rw", "nosuid", "suid", "rro"])
        let p = try MountPlanner.plan(m, index: 0, bundle: "/b")
        XCTAssertEqual(p.flags, 0)
        XCTAssertTrue(p.recursiveReadonly)
    }

    func testNonBindWithoutTypeIsAnError() {
        XCTAssertThrowsError(try MountPlanner.plan(Mount(destination: "/x"), index: 2, bundle: "/b")) { e in
            XCTAssertTrue("\(e)".hasPrefix("mounts[2].type"), "\(e)")
        }
    }

    func testMissingBindSourceNamesTheField() {
        let m = Mount(destination: "/x", type: "bind", source: "/definitely/not/here", options: ["bind"])
        XCTAssertThrowsError(try MountPlanner.plan(m, index: 1, bundle: "/b")) { e in
            XCTAssertTrue("\(e)".hasPrefix("mounts[1].source"), "\(e)")
        }
    }

    func testCloneFlagsAndJoins() throws {
        var s = Spec(ociVersion: "1.3.0", root: Root(path: "/"))
        s.linux = Linux(namespaces: [.init(type: "pid"), .init(type: "mount"), .init(type: "cgroup"), .init(type: "time"),
                                     .init(type: "network", path: "/proc/1/ns/net")])
        let plan = try ContainerPlan(spec: s, bundle: "/", statSources: false)
        XCTAssertEqual(plan.cloneFlags, 0x2000_0000 | 0x0002_0000)  // cgroup and time are entered separately
        XCTAssertEqual(plan.joinedNamespaces.map(\.type), ["network"])
        XCTAssertFalse(plan.hasUserNamespace)
        XCTAssertTrue(plan.newNamespaces.contains("cgroup"))
    }

    func testRootfsRelativeToBundle() throws {
        let plan = try ContainerPlan(spec: Spec(ociVersion: "1.3.0", root: Root(path: "../r/./fs")), bundle: "/a/b",
                                     statSources: false)
        XCTAssertEqual(plan.rootfs, "/a/r/fs")
    }

    func testDevMountDetection() throws {
        var s = Spec(ociVersion: "1.3.0", root: Root(path: "/"))
        s.mounts = [Mount(destination: "/dev", type: "bind", source: "/dev", options: ["rbind"])]
        let plan = try ContainerPlan(spec: s, bundle: "/", statSources: false)
        XCTAssertTrue(plan.mountsDev)
        XCTAssertTrue(plan.devIsBind)
    }

    func testMapText() {
        XCTAssertEqual(ContainerPlan.mapText([IDMapping(containerID: 0, hostID: 1000, size: 1),
                                              IDMapping(containerID: 1, hostID: 100000, size: 65536)]),
                       "0 1000 1\n1 100000 65536\n")
    }

    func testSysctlPaths() throws {
        var s = Spec(ociVersion: "1.3.0", root: Root(path: "/"))
        s.linux = Linux()
        s.linux?.sysctl = ["net.ipv4.ip_forward": "1", "kernel.msgmax": "8192"]
        let plan = try ContainerPlan(spec: s, bundle: "/", statSources: false)
        XCTAssertEqual(plan.sysctls.map(\.path), ["kernel/msgmax", "net/ipv4/ip_forward"])
    }

    func testCapabilityMask() throws {
        XCTAssertEqual(try CapabilityMask.mask(["CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN"], at: "x"),
                       1 | 1 << 5 | 1 << 21)
        XCTAssertThrowsError(try CapabilityMask.mask(["CAP_CHOWN", "CAP_NOPE"], at: "process.capabilities.bounding")) { e in
            XCTAssertTrue("\(e)".hasPrefix("process.capabilities.bounding[1]"))
        }
    }

    func testListenFdsAreAddedToTheEnvironment() {
        let p = Process(user: .init(uid: 0, gid: 0), args: ["a"], env: ["A=1", "LISTEN_FDS=9"], cwd: "/")
        XCTAssertEqual(ProcessPlanner.environment(p, listenFds: 2), ["A=1", "LISTEN_FDS=2", "LISTEN_PID=1"])
        XCTAssertEqual(ProcessPlanner.environment(p, listenFds: 0), ["A=1", "LISTEN_FDS=9"])
    }

    func testDeviceMode() {
        XCTAssertEqual(ContainerPlan.deviceMode(Linux.Device(type: "c", path: "/dev/x", major: 1, minor: 3, fileMode: 0o640)),
                       0o020640)
        XCTAssertEqual(ContainerPlan.deviceMode(Linux.Device(type: "p", path: "/dev/f")), 0o010666)
    }

    func testSpecTemplateHasNoInheritableOrAmbientCaps() {
        let s = SpecTemplate.make(rootless: false)
        XCTAssertNil(s.process?.capabilities?.inheritable)
        XCTAssertNil(s.process?.capabilities?.ambient)
        XCTAssertEqual(Validator.validate(s), [])
        let r = SpecTemplate.make(rootless: true)
        XCTAssertEqual(Validator.validate(r), [])
        XCTAssertTrue(r.linux!.namespaces!.contains { $0.type == "user" })
    }
}

final class CgroupMountTests: XCTestCase {
    func testCgroupMountOnAHybridHostBindsEachHierarchy() throws {
        let m = try MountPlanner.plan(Mount(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
                                            options: ["nosuid", "noexec", "nodev", "ro"]), index: 0, bundle: "/")
        let cg = ContainerCgroups(rel: nil, v1: ["memory": "/sys/fs/cgroup/memory/x", "pids": "/sys/fs/cgroup/pids/x"])
        let out = try CgroupMounts.expand(m, cg)
        XCTAssertEqual(out.map(\.destination), ["/sys/fs/cgroup", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/pids"])
        XCTAssertEqual(out[0].fstype, "tmpfs")
        XCTAssertEqual(out[0].flags & 1, 0)  // the tmpfs stays writable for the mount points
        XCTAssertEqual(out[1].source, "/sys/fs/cgroup/memory/x")
        XCTAssertTrue(out[1].isBind && out[1].remount)
        XCTAssertEqual(out[1].flags & 1, 1)
    }

    func testCgroupMountOnAPureV2HostIsCgroup2() throws {
        let m = try MountPlanner.plan(Mount(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup"), index: 0, bundle: "/")
        let out = try CgroupMounts.expand(m, ContainerCgroups(rel: "/c", v1: [:]))
        XCTAssertEqual(out.map(\.fstype), ["cgroup2"])
    }
}
