"""Terminals: the console-socket protocol orchestrators use, and skiff as its own console."""
import os
import subprocess

import console
from conftest import base_config


def test_console_socket_receives_the_master(skiff, tmp_path):
    cfg = base_config(["/bin/sh", "-c", "tty; echo over-the-pty; ls -l /dev/console | cut -c1"])
    cfg["process"]["terminal"] = True
    cfg["process"]["consoleSize"] = {"height": 30, "width": 100}
    b = skiff.bundle(cfg)
    sock = str(tmp_path / "c.sock")
    server = console.listen(sock)
    p = subprocess.Popen(skiff.cmd("create", "--bundle", b, "--console-socket", sock, "tty1"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    payload, master = console.receive_master(server)
    assert p.wait(timeout=10) == 0, p.stderr.read()
    assert payload == b"/dev/ptmx"
    import fcntl, struct, termios
    rows, cols = struct.unpack("HHHH", fcntl.ioctl(master, termios.TIOCGWINSZ, b"\0" * 8))[:2]
    assert (rows, cols) == (30, 100)
    skiff("start", "tty1")
    out = console.read_until_eof(master, timeout=5).decode()
    os.close(master)
    lines = out.replace("\r", "").split("\n")
    assert lines[0].startswith("/dev/pts/")
    assert lines[1] == "over-the-pty"
    assert lines[2] == "c"  # /dev/console is the pty, a character device


def test_terminal_without_console_socket_is_refused_for_create(skiff):
    cfg = base_config(["/bin/sh"])
    cfg["process"]["terminal"] = True
    r = skiff("create", "--bundle", skiff.bundle(cfg), "t2", check=False)
    assert r.returncode == 1 and "console-socket" in r.stderr
    assert skiff("state", "t2", check=False).returncode == 1


def test_run_is_its_own_console(skiff):
    cfg = base_config(["/bin/sh", "-c", "test -t 0 && test -t 1 && echo is-a-tty"])
    cfg["process"]["terminal"] = True
    r = skiff.run(cfg, input="")
    assert r.returncode == 0, r.stderr
    assert r.stdout.replace("\r", "") == "is-a-tty\n"
