import Glibc
import XCTest
@testable import SkiffOCI
@testable import SkiffRuntime

final class StateTests: XCTestCase {
    var root = ""

    override func setUp() {
        root = "/tmp/skiff-unit-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    override func tearDown() {
        FS.removeAll(root)
    }

    func testProcStatParsesCommWithSpacesAndParens() {
        let line = "42 (a (weird) name) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 123456 1000 10 18446744073709551615"
        let r = ProcStat.parse(line)
        XCTAssertEqual(r?.state, "S")
        XCTAssertEqual(r?.starttime, 123_456)
    }

    func testOwnProcessIsAlive() {
        XCTAssertNotNil(ProcStat.read(getpid()))
    }

    func testStatusIsDerivedFromTheRealProcess() throws {
        let store = StateStore(root: root)
        let fd = try store.createDirectory("c1")
        close(fd)
        let me = ProcStat.read(getpid())!
        var s = StoredState(id: "c1", status: .created, pid: getpid(), bundle: "/b", rootfs: "/r", created: "t")
        s.starttime = me.starttime
        try store.save(s)
        XCTAssertEqual(store.liveStatus(try store.load("c1")), .created)
        s.status = .running
        try store.save(s)
        XCTAssertEqual(store.liveStatus(try store.load("c1")), .running)
        // A pid that was reused (different start time) means the container stopped.
        s.starttime = me.starttime + 1
        try store.save(s)
        XCTAssertEqual(store.liveStatus(try store.load("c1")), .stopped)
        XCTAssertEqual(store.printed(try store.load("c1")).pid, 0)
        // A pid that does not exist.
        s.pid = 0x3fff_fff0
        XCTAssertEqual(store.liveStatus(s), .stopped)
    }

    func testCreateDirectoryIsExclusive() throws {
        let store = StateStore(root: root)
        close(try store.createDirectory("dup"))
        XCTAssertThrowsError(try store.createDirectory("dup")) { e in
            XCTAssertTrue("\(e)".contains("already exists"))
        }
    }

    func testLockingAMissingContainer() {
        let store = StateStore(root: root)
        XCTAssertThrowsError(try store.lock("ghost", exclusive: false)) { e in
            XCTAssertTrue("\(e)".contains("does not exist"))
        }
    }

    func testInvalidIDs() {
        for bad in ["", ".", "..", "a/b", "a b", "x\u{0}"] {
            XCTAssertThrowsError(try StateStore.validate(id: bad), bad)
        }
        XCTAssertNoThrow(try StateStore.validate(id: "k8s_pod-1.2+x"))
    }

    func testStateRoundTripsAndWritesAtomically() throws {
        let store = StateStore(root: root)
        close(try store.createDirectory("rt"))
        var s = StoredState(id: "rt", status: .running, pid: 7, bundle: "/b", rootfs: "/r", created: "2026-01-01T00:00:00Z")
        s.annotations = ["k": "v"]
        try store.save(s)
        XCTAssertEqual(try store.load("rt"), s)
        XCTAssertEqual(FS.listDirectory(store.dir("rt")), ["state.json"])
        XCTAssertEqual(store.ids(), ["rt"])
    }

    func testExitCodes() {
        XCTAssertEqual(exitCode(fromWaitStatus: 42 << 8), 42)
        XCTAssertEqual(exitCode(fromWaitStatus: 9), 137)
        XCTAssertEqual(exitCode(fromWaitStatus: 15), 143)
    }

    func testRFC3339() {
        XCTAssertEqual(Time.rfc3339(timespec(tv_sec: 0, tv_nsec: 5)), "1970-01-01T00:00:00.000000005Z")
        XCTAssertEqual(Time.rfc3339(timespec(tv_sec: 1_800_000_000, tv_nsec: 0), nanos: false), "2027-01-15T08:00:00Z")
    }

    func testJSONQuoting() {
        XCTAssertEqual(quoteJSON("a\"b\\c\nd\u{1}"), #""a\"b\\c\nd\u0001""#)
    }

    func testCgroupPathSemantics() throws {
        XCTAssertEqual(try Cgroup.resolve(cgroupsPath: nil, id: "c", own: "/user.slice"), "/user.slice/c")
        XCTAssertEqual(try Cgroup.resolve(cgroupsPath: "/docker/c", id: "c", own: "/x"), "/docker/c")
        XCTAssertEqual(try Cgroup.resolve(cgroupsPath: "rel/c", id: "c", own: "/x"), "/x/rel/c")
        XCTAssertThrowsError(try Cgroup.resolve(cgroupsPath: "system.slice:docker:c", id: "c", own: "/"))
        XCTAssertEqual(Cgroup.ownPath("12:pids:/a\n0::/b/c\n"), "/b/c")
    }

    func testPathCleaning() {
        XCTAssertEqual(FS.clean("/a/./b/../c//d/"), "/a/c/d")
        XCTAssertEqual(FS.absolute("x/../y", relativeTo: "/base"), "/base/y")
        XCTAssertEqual(FS.clean("/../.."), "/")
    }
}
