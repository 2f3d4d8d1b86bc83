"""containerd 1.6: ctr run with --runc-binary skiff, through containerd-shim-runc-v2."""
import os
import shutil

import pytest

from conftest import SKIFF, sh

pytestmark = pytest.mark.skipif(not shutil.which("containerd"), reason="containerd is not installed")


@pytest.fixture(scope="module")
def ctr(containerd, rootfs):
    base = ["ctr", "-a", f"{containerd}/c.sock"]
    runtime = ["--runc-binary", SKIFF, "--runc-root", f"{containerd}/runc-root"]
    fifo = ["--fifo-dir", f"{containerd}/fifo"]

    def run(args, check=True, timeout=120):
        return sh(base + args, check=check, timeout=timeout)

    run.runtime, run.fifo, run.rootfs, run.base = runtime, fifo, rootfs, base
    yield run


# One test per operation, in order: later ones use the task "c3" started earlier.


def test_run_prints_output(ctr):
    assert ctr(["run", "--rm"] + ctr.fifo + ctr.runtime + ["--rootfs", ctr.rootfs, "c1", "/bin/echo", "hello"])[1] == "hello\n"


def test_run_exit_code(ctr):
    rc, _ = ctr(["run", "--rm"] + ctr.fifo + ctr.runtime + ["--rootfs", ctr.rootfs, "c2", "/bin/sh", "-c", "exit 9"],
                check=False)
    assert rc == 9


def test_run_with_a_terminal(ctr):
    cmd = " ".join(ctr.base + ["run", "-t", "--rm"] + ctr.fifo + ctr.runtime +
                   ["--rootfs", ctr.rootfs, "c13", "/bin/sh", "-c", "'sleep 0.3; tty; exit 5'"])
    rc, out = sh(f"script -q -e -c \"{cmd}\" /dev/null </dev/null", check=False)
    assert rc == 5 and "/dev/pts/0" in out


def test_run_detached(ctr):
    ctr(["run", "-d"] + ctr.fifo + ctr.runtime + ["--rootfs", ctr.rootfs, "c3", "/bin/sleep", "100"])
    assert "RUNNING" in ctr(["task", "ls"])[1]


def test_exec(ctr):
    assert ctr(["task", "exec"] + ctr.fifo + ["--exec-id", "e1", "c3", "/bin/echo", "hi"])[1] == "hi\n"


def test_exec_missing_binary_with_skiffs_words(ctr):
    rc, out = ctr(["task", "exec"] + ctr.fifo + ["--exec-id", "e2", "c3", "/bin/nope"], check=False)
    assert rc != 0 and "stat /bin/nope: no such file or directory" in out


def test_exec_detached(ctr):
    ctr(["task", "exec", "-d"] + ctr.fifo + ["--exec-id", "e3", "c3", "/bin/sleep", "5"])


def test_exec_with_a_terminal(ctr):
    cmd = " ".join(ctr.base + ["task", "exec", "-t"] + ctr.fifo + ["--exec-id", "e4", "c3", "/bin/sh", "-c", "'tty; exit 4'"])
    rc, out = sh(f"script -q -e -c \"{cmd}\" /dev/null </dev/null", check=False)
    assert rc == 4 and "/dev/pts/" in out


def test_ps(ctr):
    assert len(ctr(["task", "ps", "c3"])[1].strip().splitlines()) >= 3  # header, init, the detached sleep


def test_pause(ctr):
    ctr(["task", "pause", "c3"])
    assert "PAUSED" in ctr(["task", "ls"])[1]


def test_resume(ctr):
    ctr(["task", "resume", "c3"])
    assert "RUNNING" in ctr(["task", "ls"])[1]


def test_kill(ctr):
    ctr(["task", "kill", "-s", "KILL", "c3"])
    sh(f"for i in $(seq 100); do {' '.join(ctr.base)} task ls | grep -q 'c3.*STOPPED' && exit 0; sleep 0.1; done; exit 1")


def test_kill_all_after_exit_is_not_an_error(ctr):
    ctr(["task", "kill", "-a", "-s", "KILL", "c3"])


def test_delete(ctr):
    ctr(["task", "delete", "c3"])
    ctr(["container", "delete", "c3"])
    assert "c3" not in ctr(["container", "ls"])[1]
