import Glibc
import XCTest
@testable import SkiffOCI
@testable import SkiffRuntime

final class CgroupTests: XCTestCase {
    func files(_ r: Resources) throws -> [String: String] {
        var out: [String: String] = [:]
        for w in try CgroupV2.writes(r) { out[w.file] = (out[w.file].map { $0 + "\n" } ?? "") + w.value }
        return out
    }

    func testMemory() throws {
        var r = Resources()
        r.memory = Resources.Memory()
        r.memory!.limit = 64 << 20
        r.memory!.reservation = 32 << 20
        r.memory!.swap = 128 << 20
        XCTAssertEqual(try files(r), ["memory.max": "67108864", "memory.low": "33554432", "memory.swap.max": "67108864"])
        r.memory!.limit = -1
        r.memory!.swap = -1
        r.memory!.reservation = 0
        XCTAssertEqual(try files(r), ["memory.max": "max", "memory.swap.max": "max"])
    }

    func testSwapRules() {
        XCTAssertThrowsError(try CgroupV2.swapMax(swap: 10, limit: 20)) { e in
            XCTAssertTrue("\(e)".hasPrefix("linux.resources.memory.swap"))
        }
        XCTAssertThrowsError(try CgroupV2.swapMax(swap: 10, limit: nil))
        XCTAssertNil(try CgroupV2.swapMax(swap: 0, limit: 5))
        XCTAssertEqual(try CgroupV2.swapMax(swap: 30, limit: 20), "10")
    }

    func testMemoryFieldsV2CannotHonour() {
        var r = Resources()
        r.memory = Resources.Memory()
        r.memory!.disableOOMKiller = true
        XCTAssertThrowsError(try CgroupV2.writes(r)) { XCTAssertTrue("\($0)".hasPrefix("linux.resources.memory.disableOOMKiller")) }
        r.memory!.disableOOMKiller = nil
        r.memory!.swappiness = 10
        XCTAssertThrowsError(try CgroupV2.writes(r)) { XCTAssertTrue("\($0)".hasPrefix("linux.resources.memory.swappiness")) }
    }

    func testCPU() throws {
        var r = Resources()
        r.cpu = Resources.CPU()
        r.cpu!.shares = 1024
        r.cpu!.quota = 50000
        r.cpu!.period = 100_000
        r.cpu!.burst = 1000
        r.cpu!.cpus = "0-1"
        r.cpu!.mems = "0"
        r.cpu!.idle = 1
        XCTAssertEqual(try files(r), ["cpu.weight": "39", "cpu.max": "50000 100000", "cpu.max.burst": "1000",
                                      "cpuset.cpus": "0-1", "cpuset.mems": "0", "cpu.idle": "1"])
        r.cpu = Resources.CPU()
        r.cpu!.quota = -1
        XCTAssertEqual(try files(r), ["cpu.max": "max 100000"])
        r.cpu!.realtimeRuntime = 100
        XCTAssertThrowsError(try CgroupV2.writes(r)) { XCTAssertTrue("\($0)".hasPrefix("linux.resources.cpu.realtimeRuntime")) }
    }

    func testSharesToWeight() {
        XCTAssertEqual(CgroupV2.weight(fromShares: 2), 1)
        XCTAssertEqual(CgroupV2.weight(fromShares: 1024), 39)
        XCTAssertEqual(CgroupV2.weight(fromShares: 262_144), 10000)
        XCTAssertEqual(CgroupV2.weight(fromShares: 1), 1)
    }

    func testPidsZeroMeansUnset() throws {
        var r = Resources()
        r.pids = .init(limit: 0)
        XCTAssertEqual(try files(r), [:])
        r.pids = .init(limit: -1)
        XCTAssertEqual(try files(r), ["pids.max": "max"])
        r.pids = .init(limit: 20)
        XCTAssertEqual(try files(r), ["pids.max": "20"])
    }

    func testBlockIO() throws {
        var r = Resources()
        r.blockIO = Resources.BlockIO()
        r.blockIO!.weight = 500
        r.blockIO!.throttleReadBpsDevice = [.init(major: 8, minor: 0, rate: 1_048_576)]
        r.blockIO!.throttleWriteIOPSDevice = [.init(major: 8, minor: 0, rate: 100)]
        let w = try CgroupV2.writes(r)
        XCTAssertEqual(w[0].file, "io.bfq.weight")
        XCTAssertEqual(w[0].value, "500")
        XCTAssertEqual(w[0].fallback?.file, "io.weight")
        XCTAssertEqual(w[0].fallback?.value, "default \(CgroupV2.ioWeight(fromBlkio: 500))")
        XCTAssertEqual(w[1].value, "8:0 rbps=1048576")
        XCTAssertEqual(w[2].value, "8:0 wiops=100")
        XCTAssertEqual(CgroupV2.ioWeight(fromBlkio: 10), 1)
        XCTAssertEqual(CgroupV2.ioWeight(fromBlkio: 1000), 10000)
    }

    func testHugetlbRdmaUnifiedNetwork() throws {
        var r = Resources()
        r.hugepageLimits = [.init(pageSize: "2MB", limit: 4_194_304)]
        r.rdma = ["mlx5_0": .init(hcaHandles: 3, hcaObjects: 10000)]
        r.unified = ["pids.max": "7", "cgroup.max.descendants": "5"]
        XCTAssertEqual(try files(r), ["hugetlb.2MB.max": "4194304", "rdma.max": "mlx5_0 hca_handle=3 hca_object=10000",
                                      "pids.max": "7", "cgroup.max.descendants": "5"])
        r = Resources()
        r.unified = ["../escape": "1"]
        XCTAssertThrowsError(try CgroupV2.writes(r))
        r = Resources()
        r.network = .init(classID: 7, priorities: nil)
        XCTAssertThrowsError(try CgroupV2.writes(r)) { XCTAssertTrue("\($0)".hasPrefix("linux.resources.network")) }
    }

    /// A scratch directory laid out like a cgroup2 mount.
    func scratch(rootControllers: String) throws -> String {
        let root = "/tmp/skiff-cgtest-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FS.mkdirAll(root + "/a/c")
        try FS.writeAtomic(root + "/cgroup.controllers", Array(rootControllers.utf8))
        try FS.writeAtomic(root + "/cgroup.subtree_control", [])
        try FS.writeAtomic(root + "/a/cgroup.controllers", Array(rootControllers.utf8))
        try FS.writeAtomic(root + "/a/cgroup.subtree_control", [])
        try FS.writeAtomic(root + "/a/c/cgroup.controllers", Array(rootControllers.utf8))
        for f in ["memory.max", "pids.max", "io.weight", "cpu.max"] { try FS.writeAtomic(root + "/a/c/" + f, []) }
        return root
    }

    func testApplyWritesFilesAndEnablesControllers() throws {
        let root = try scratch(rootControllers: "cpu io memory pids")
        defer { FS.removeAll(root) }
        var r = Resources()
        r.memory = Resources.Memory()
        r.memory!.limit = 1000
        r.pids = .init(limit: 9)
        r.blockIO = Resources.BlockIO()
        r.blockIO!.weight = 1000
        try Cgroup.apply(try CgroupV2.writes(r), rel: "/a/c", mount: root)
        XCTAssertEqual(FS.readString(root + "/a/c/memory.max"), "1000")
        XCTAssertEqual(FS.readString(root + "/a/c/pids.max"), "9")
        XCTAssertEqual(FS.readString(root + "/a/c/io.weight"), "default 10000")  // no io.bfq.weight: fallback
        XCTAssertEqual(FS.readString(root + "/cgroup.subtree_control"), "+io +memory +pids")
        XCTAssertEqual(FS.readString(root + "/a/cgroup.subtree_control"), "+io +memory +pids")
    }

    func testMissingControllerNamesTheField() throws {
        let root = try scratch(rootControllers: "hugetlb")
        defer { FS.removeAll(root) }
        var r = Resources()
        r.pids = .init(limit: 9)
        XCTAssertThrowsError(try Cgroup.apply(try CgroupV2.writes(r), rel: "/a/c", mount: root)) { e in
            XCTAssertTrue("\(e)".hasPrefix("linux.resources.pids.limit: the pids controller is not available"), "\(e)")
        }
    }

    func testDeviceRules() throws {
        var s = Spec(ociVersion: "1.3.0", root: Root(path: "/"))
        s.linux = Linux()
        XCTAssertNil(try DeviceFilter.rules(s))
        s.linux?.resources = Resources()
        s.linux?.resources?.devices = [.init(allow: false, type: nil, major: nil, minor: nil, access: "rwm"),
                                       .init(allow: true, type: "c", major: 10, minor: 229, access: "rw")]
        s.linux?.devices = [Linux.Device(type: "b", path: "/dev/sda", major: 8, minor: 0)]
        let rules = try XCTUnwrap(try DeviceFilter.rules(s))
        XCTAssertEqual(rules.prefix(3), [DeviceRule(false, "a", -1, -1, "rwm"), DeviceRule(true, "c", 10, 229, "rw"),
                                         DeviceRule(true, "b", 8, 0, "rwm")])
        XCTAssertEqual(Array(rules.dropFirst(3)), DeviceFilter.defaults)
        s.linux?.resources?.devices = [.init(allow: true, type: "x", major: nil, minor: nil, access: "rwm")]
        XCTAssertThrowsError(try DeviceFilter.rules(s)) { XCTAssertTrue("\($0)".hasPrefix("linux.resources.devices[0].type")) }
    }

    func testUpdateFlagSizes() throws {
        XCTAssertEqual(try UpdateFlags.bytes("64m", flag: "memory"), 64 << 20)
        XCTAssertEqual(try UpdateFlags.bytes("1G", flag: "memory"), 1 << 30)
        XCTAssertEqual(try UpdateFlags.bytes("-1", flag: "memory"), -1)
        XCTAssertEqual(try UpdateFlags.bytes("512", flag: "memory"), 512)
        XCTAssertThrowsError(try UpdateFlags.bytes("lots", flag: "memory"))
        var r = Resources()
        var f = UpdateFlags()
        f.memory = "64m"
        f.memorySwap = "128m"
        f.cpuQuota = 50000
        f.pidsLimit = 50
        try f.apply(to: &r)
        XCTAssertEqual(r.memory?.limit, 64 << 20)
        XCTAssertEqual(r.memory?.swap, 128 << 20)
        XCTAssertEqual(r.cpu?.quota, 50000)
        XCTAssertEqual(r.pids?.limit, 50)
    }
}
