"""exec: namespaces, cgroup, user, env, cwd, tty, detach, errors."""
import json
import os
import subprocess
import time

import console
from conftest import base_config, wait_status


def start_sleeper(skiff, cid, **changes):
    cfg = base_config(["/bin/sleep", "60"])
    cfg["hostname"] = "inside"
    for k, v in changes.items():
        cfg[k] = v
    skiff("create", "--bundle", skiff.bundle(cfg), cid)
    skiff("start", cid)
    return skiff.state(cid)["pid"]


def test_exec_joins_the_container(skiff):
    pid = start_sleeper(skiff, "ex")
    r = skiff("exec", "ex", "/bin/sh", "-c", "hostname; echo $$; readlink /proc/self/ns/net; cat /proc/self/cgroup")
    lines = r.stdout.split("\n")
    name, mypid, net = lines[:3]
    cg = [l for l in lines if l.startswith("0::")][0]
    assert name == "inside"
    assert int(mypid) > 1
    assert net == os.readlink(f"/proc/{pid}/ns/net")
    # Seen from inside, the exec'd process sits at the root of the container's cgroup
    # namespace, the cgroup the init occupies on the host.
    assert cg.endswith("::/")
    with open(f"/proc/{pid}/cgroup") as f:
        assert f.read().strip().splitlines()[-1].endswith("/ex")


def test_exec_exit_code_and_missing_binary(skiff):
    start_sleeper(skiff, "ex2")
    assert skiff("exec", "ex2", "/bin/sh", "-c", "exit 9", check=False).returncode == 9
    r = skiff("exec", "ex2", "/bin/nope", check=False)
    assert r.returncode == 255 and "no such file or directory" in r.stderr
    r = skiff("exec", "ex2", "/etc/passwd", check=False)
    assert r.returncode == 255 and "permission denied" in r.stderr.lower()


def test_exec_user_env_cwd_caps(skiff):
    start_sleeper(skiff, "ex3")
    r = skiff("exec", "--user", "1000:1001", "--env", "X=y", "--cwd", "/tmp", "ex3",
              "/bin/sh", "-c", "id -u; id -g; echo $X; pwd; grep CapEff /proc/self/status")
    lines = r.stdout.split("\n")
    assert lines[:4] == ["1000", "1001", "y", "/tmp"]


def test_exec_process_json_and_detach_pid_file(skiff, tmp_path):
    start_sleeper(skiff, "ex4")
    proc = {"args": ["/bin/sh", "-c", "echo detached > /dev/null; sleep 5"], "cwd": "/", "env": ["PATH=/bin"],
            "user": {"uid": 0, "gid": 0}}
    pf = tmp_path / "proc.json"
    pf.write_text(json.dumps(proc))
    pidfile = tmp_path / "exec.pid"
    r = skiff("exec", "--process", str(pf), "--detach", "--pid-file", str(pidfile), "ex4")
    assert r.returncode == 0
    pid = int(pidfile.read_text())
    assert os.path.exists(f"/proc/{pid}")
    assert str(pid) in skiff("ps", "--format", "json", "ex4").stdout


def test_exec_with_console_socket(skiff, tmp_path):
    start_sleeper(skiff, "ex5")
    sock = str(tmp_path / "e.sock")
    server = console.listen(sock)
    proc = {"args": ["/bin/sh", "-c", "tty; echo via-exec-tty"], "cwd": "/", "env": ["PATH=/bin"],
            "user": {"uid": 0, "gid": 0}, "terminal": True}
    pf = tmp_path / "proc.json"
    pf.write_text(json.dumps(proc))
    p = subprocess.Popen(skiff.cmd("exec", "--process", str(pf), "--console-socket", sock, "--detach", "ex5"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, master = console.receive_master(server)
    assert p.wait(timeout=10) == 0, p.stderr.read()
    out = console.read_until_eof(master, timeout=5).decode().replace("\r", "")
    os.close(master)
    assert out.split("\n")[:2][1] == "via-exec-tty"
    assert out.startswith("/dev/pts/")


def test_exec_tty_in_the_foreground(skiff):
    start_sleeper(skiff, "ex6")
    r = skiff("exec", "--tty", "ex6", "/bin/sh", "-c", "test -t 1 && echo tty-yes", input="")
    assert r.stdout.replace("\r", "") == "tty-yes\n"


def test_exec_in_a_stopped_container_fails(skiff):
    start_sleeper(skiff, "ex7")
    skiff("kill", "ex7", "KILL")
    wait_status(skiff, "ex7", "stopped")
    r = skiff("exec", "ex7", "/bin/true", check=False)
    assert r.returncode == 255 and "stopped" in r.stderr


def test_pause_resume_and_kill_all(skiff):
    start_sleeper(skiff, "ex8")
    skiff("exec", "--detach", "ex8", "/bin/sleep", "60")
    assert len(json.loads(skiff("ps", "--format", "json", "ex8").stdout)) == 2
    skiff("pause", "ex8")
    assert skiff.state("ex8")["status"] == "paused"
    assert skiff("pause", "ex8", check=False).returncode == 1
    skiff("resume", "ex8")
    assert skiff.state("ex8")["status"] == "running"
    skiff("kill", "--all", "ex8", "KILL")
    wait_status(skiff, "ex8", "stopped")
