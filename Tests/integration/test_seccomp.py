"""seccomp: errno, kill, argument filters, flags, and the notify listener protocol."""
import array
import errno
import json
import os
import socket
import struct
import threading

from conftest import base_config


def with_seccomp(args, seccomp, nnp=True):
    cfg = base_config(args)
    cfg["process"]["noNewPrivileges"] = nnp
    cfg["linux"]["seccomp"] = seccomp
    return cfg


def test_denied_syscall_returns_the_configured_errno(skiff):
    for nnp in (True, False):
        cfg = with_seccomp(["/bin/sh", "-c", "mkdir /tmp/x 2>&1; echo after"], {
            "defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": errno.EDQUOT}],
        }, nnp=nnp)
        r = skiff.run(cfg)
        assert r.returncode == 0, r.stderr
        assert "quota exceeded" in r.stdout.lower() and "after" in r.stdout


def test_default_errno_ret(skiff):
    cfg = with_seccomp(["/bin/sh", "-c", "mkdir /tmp/x 2>&1; true"], {
        "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": errno.ENOSYS,
        "syscalls": [{"names": [n], "action": "SCMP_ACT_ALLOW"} for n in DOCKERISH_ALLOW if n not in ("mkdir", "mkdirat")],
    })
    r = skiff.run(cfg)
    assert r.returncode == 0, r.stderr
    assert "not implemented" in r.stdout.lower()


def test_kill_action_kills(skiff):
    cfg = with_seccomp(["/bin/sh", "-c", "mkdir /tmp/x; echo survived"], {
        "defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL_PROCESS"}],
    })
    r = skiff.run(cfg)
    assert r.returncode == 0  # the shell itself survives: its child mkdir was killed
    assert "survived" in r.stdout
    cfg["process"]["args"] = ["/bin/mkdir", "/tmp/x"]
    assert skiff.run(cfg).returncode == 128 + 31  # SIGSYS


def test_argument_filter(skiff):
    # chmod to 0777 is refused; other modes pass (the mode is arg 1 of chmod, 2 of fchmodat).
    cfg = with_seccomp(["/bin/sh", "-c", "touch /tmp/f; chmod 644 /tmp/f && echo ok644; "
                                         "chmod 777 /tmp/f 2>/dev/null || echo denied777"], {
        "defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [
            {"names": ["chmod"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 0o777, "op": "SCMP_CMP_EQ"}]},
            {"names": ["fchmodat"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 2, "value": 0o777, "op": "SCMP_CMP_EQ"}]},
        ],
    })
    cfg["root"]["readonly"] = False
    cfg["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"})
    r = skiff.run(cfg)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["ok644", "denied777"]


def test_masked_eq(skiff):
    # Opening with O_CREAT (0o100) is refused; plain reads still work.
    cfg = with_seccomp(["/bin/sh", "-c", "cat /etc/hostname; echo x > /tmp/new 2>/dev/null || echo nocreate"], {
        "defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [
            {"names": ["openat"], "action": "SCMP_ACT_ERRNO",
             "args": [{"index": 2, "value": 0o100, "valueTwo": 0o100, "op": "SCMP_CMP_MASKED_EQ"}]},
            {"names": ["open"], "action": "SCMP_ACT_ERRNO",
             "args": [{"index": 1, "value": 0o100, "valueTwo": 0o100, "op": "SCMP_CMP_MASKED_EQ"}]},
        ],
    })
    cfg["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"})
    r = skiff.run(cfg)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["skiff", "nocreate"]


def test_same_argument_conditions_are_ored(skiff):
    # Two conditions on the same argument are ORed (runc's semantics): USR1 and USR2 both blocked.
    cfg = with_seccomp(["/bin/sh", "-c", "kill -0 $$ && echo sig0; kill -USR2 $$ 2>/dev/null || echo blocked2; "
                                         "kill -USR1 $$ 2>/dev/null || echo blocked1"], {
        "defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
                      "args": [{"index": 1, "value": 12, "op": "SCMP_CMP_EQ"},
                               {"index": 1, "value": 10, "op": "SCMP_CMP_EQ"}]}],
    })
    r = skiff.run(cfg)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["sig0", "blocked2", "blocked1"]


def test_unknown_action_and_op_are_errors(skiff):
    cfg = with_seccomp(["/bin/true"], {"defaultAction": "SCMP_ACT_MAYBE"})
    r = skiff("create", "--bundle", skiff.bundle(cfg), "bad1", check=False)
    assert r.returncode == 1 and "linux.seccomp.defaultAction" in r.stderr
    cfg = with_seccomp(["/bin/true"], {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_SIMILAR"}]}]})
    r = skiff("create", "--bundle", skiff.bundle(cfg), "bad2", check=False)
    assert r.returncode == 1 and "linux.seccomp.syscalls[0].args[0].op" in r.stderr


def test_filter_applies_to_exec(skiff):
    cfg = with_seccomp(["/bin/sleep", "60"], {
        "defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": errno.EDQUOT}],
    })
    skiff("create", "--bundle", skiff.bundle(cfg), "sx")
    skiff("start", "sx")
    r = skiff("exec", "sx", "/bin/sh", "-c", "mkdir /tmp/y 2>&1; true")
    assert "quota exceeded" in r.stdout.lower()


def test_seccomp_log_flag_is_accepted(skiff):
    cfg = with_seccomp(["/bin/true"], {"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOG"],
                                       "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_LOG"}]})
    assert skiff.run(cfg).returncode == 0


# struct seccomp_notif (80 bytes) and seccomp_notif_resp (24 bytes), linux/seccomp.h
NOTIF_RECV = 0xC0502100
NOTIF_SEND = 0xC0182101


def agent(server, result):
    import fcntl
    conn, _ = server.accept()
    fds = array.array("i")
    msg, anc, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(fds.itemsize))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: fds.itemsize])
    result["state"] = json.loads(msg)
    fd = fds[0]
    req = bytearray(80)
    fcntl.ioctl(fd, NOTIF_RECV, req)
    nid, pid, flags, nr = struct.unpack_from("=QIIi", req)
    result["nr"] = nr
    # Answer the intercepted mkdir with EDQUOT, from outside the container.
    resp = struct.pack("=QqiI", nid, 0, -errno.EDQUOT, 0)
    fcntl.ioctl(fd, NOTIF_SEND, bytearray(resp))
    os.close(fd)
    conn.close()


def test_notify_agent_receives_fd_and_answers(skiff, tmp_path):
    path = str(tmp_path / "agent.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    server.settimeout(20)
    result = {}
    t = threading.Thread(target=agent, args=(server, result), daemon=True)
    t.start()
    cfg = with_seccomp(["/bin/sh", "-c", "mkdir /tmp/n 2>&1; echo done"], {
        "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": path, "listenerMetadata": "meta-42",
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}],
    })
    r = skiff.run(cfg, timeout=30)
    t.join(10)
    assert r.returncode == 0, r.stderr
    assert "quota exceeded" in r.stdout.lower()
    st = result["state"]
    assert st["fds"] == ["seccompFd"] and st["metadata"] == "meta-42"
    assert st["state"]["status"] in ("creating", "running") and st["pid"] > 0


DOCKERISH_ALLOW = """accept accept4 access arch_prctl bind brk capget capset chdir chmod chown clock_getres
clock_gettime clock_nanosleep clone clone3 close close_range connect dup dup2 dup3 epoll_create1 epoll_ctl
epoll_pwait epoll_wait execve exit exit_group faccessat faccessat2 fadvise64 fchdir fchmod fchmodat fchown
fchownat fcntl fdatasync fstat fstatfs fsync ftruncate futex getcwd getdents64 getegid geteuid getgid getgroups
getpgid getpgrp getpid getppid getpriority getrandom getresgid getresuid getrlimit getrusage getsid gettid
gettimeofday getuid ioctl kill lseek lstat madvise mkdir mkdirat mmap mprotect munmap nanosleep newfstatat open
openat openat2 pause pipe pipe2 poll ppoll prctl pread64 prlimit64 pselect6 pwrite64 read readlink readlinkat
readv recvfrom recvmsg rename renameat renameat2 rmdir rseq rt_sigaction rt_sigprocmask rt_sigreturn
rt_sigsuspend sched_getaffinity sched_yield select sendmsg sendto set_robust_list set_tid_address setpgid
setsid sigaltstack socket stat statfs statx symlink symlinkat sysinfo tgkill time umask uname unlink unlinkat
utimensat vfork wait4 waitid write writev""".split()
