import XCTest
@testable import SkiffOCI
@testable import SkiffRuntime

final class SeccompTests: XCTestCase {
    func testCompilesToBPF() throws {
        var s = Linux.Seccomp(defaultAction: "SCMP_ACT_ERRNO")
        s.architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"]
        s.syscalls = [.init(names: ["read", "write", "no_such_syscall"], action: "SCMP_ACT_ALLOW"),
                      .init(names: ["kill"], action: "SCMP_ACT_ERRNO", errnoRet: 1,
                            args: [.init(index: 1, value: 9, op: "SCMP_CMP_EQ")])]
        let c = try SeccompCompiler.compile(s)
        XCTAssertGreaterThan(c.program.count, 0)
        XCTAssertEqual(c.program.count % 8, 0)  // struct sock_filter is 8 bytes
        XCTAssertFalse(c.notify)
        XCTAssertEqual(c.flags, 0)
    }

    func testNotifyAddsTheListenerFlag() throws {
        var s = Linux.Seccomp(defaultAction: "SCMP_ACT_ALLOW")
        s.listenerPath = "/run/agent.sock"
        s.flags = ["SECCOMP_FILTER_FLAG_LOG"]
        s.syscalls = [.init(names: ["mkdir"], action: "SCMP_ACT_NOTIFY")]
        let c = try SeccompCompiler.compile(s)
        XCTAssertTrue(c.notify)
        XCTAssertEqual(c.flags, 1 << 3 | 1 << 1)
    }

    func testActionValues() {
        XCTAssertEqual(SeccompCompiler.action("SCMP_ACT_ERRNO", errno: nil), 0x0005_0001)
        XCTAssertEqual(SeccompCompiler.action("SCMP_ACT_ERRNO", errno: 38), 0x0005_0026)
        XCTAssertEqual(SeccompCompiler.action("SCMP_ACT_KILL_PROCESS", errno: nil), 0x8000_0000)
        XCTAssertNil(SeccompCompiler.action("SCMP_ACT_WHATEVER", errno: nil))
    }

    func testUnknownArchitectureNamesThePath() {
        var s = Linux.Seccomp(defaultAction: "SCMP_ACT_ALLOW")
        s.architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"]
        XCTAssertThrowsError(try SeccompCompiler.compile(s)) { e in
            XCTAssertTrue("\(e)".hasPrefix("linux.seccomp.architectures[1]"), "\(e)")
        }
    }

    func testTheDefaultProfileExampleCompiles() throws {
        let dir = DecodeTests.examplesDir + "/seccomp"
        let spec = try ConfigDecoder.load(bundle: dir)
        let c = try SeccompCompiler.compile(spec.linux!.seccomp!)
        XCTAssertGreaterThan(c.program.count / 8, 100)
    }
}
