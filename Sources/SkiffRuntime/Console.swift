// Where a container's pty master goes: the caller's --console-socket, or (run/exec in
// the foreground) our own end of a socketpair, from which skiff relays the terminal.
import CSkiff
import Glibc
import SkiffOCI

struct ConsoleChannel {
    /// The connected end handed to the child, which sends the master over it.
    var childFd: Int32 = -1
    /// Our end when skiff is the console, else -1.
    var localFd: Int32 = -1

    init(socketPath: String?) throws {
        if let path = socketPath {
            childFd = skiff_connect(path)
            if childFd < 0 { throw SkiffError("connect to console socket \(path): \(errnoText(-childFd))") }
            return
        }
        var sv: [Int32] = [-1, -1]
        try check(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &sv), "socketpair")
        localFd = sv[0]
        childFd = sv[1]
    }

    /// After the child has sent it: the master, when skiff is the console.
    func receiveMaster() throws -> Int32 {
        guard localFd >= 0 else { return -1 }
        let master = skiff_recv_fd(localFd)
        close(localFd)
        if master < 0 { throw SkiffError("receive the console from the container: \(errnoText(-master))") }
        return master
    }

    func closeChildEnd() {
        if childFd >= 0 { close(childFd) }
    }
}
