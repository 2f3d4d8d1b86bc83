"""dockerd 20.10 with skiff under "runtimes" (dockerd → containerd → runc-v2 shim → skiff)."""
import json
import os
import shutil
import subprocess
import time

import pytest

from conftest import SKIFF, WORK, sh, stop_pid, unmount_below, wait_for

DOCKER = "/usr/bin/docker"  # Debian's CLI (another one may come first in PATH)
pytestmark = pytest.mark.skipif(not shutil.which("dockerd") or not os.path.exists(DOCKER),
                                reason="dockerd is not installed")


@pytest.fixture(scope="module")
def docker(containerd, rootfs):
    d = os.path.join(WORK, "docker")
    os.makedirs(os.path.join(d, "data"))
    os.makedirs(os.path.join(d, "exec"))
    cfg = {"data-root": f"{d}/data", "exec-root": f"{d}/exec", "pidfile": f"{d}/dockerd.pid",
           "hosts": [f"unix://{d}/d.sock"], "containerd": f"{containerd}/c.sock",
           "containerd-namespace": "skiff-moby", "containerd-plugins-namespace": "skiff-moby-plugins",
           "iptables": False, "ip6tables": False, "ip-masq": False, "ip-forward": False, "bridge": "none",
           "storage-driver": "vfs", "exec-opts": ["native.cgroupdriver=cgroupfs"],
           "runtimes": {"skiff": {"path": SKIFF}}}
    with open(f"{d}/daemon.json", "w") as f:
        json.dump(cfg, f)
    log = open(f"{d}/dockerd.log", "w")
    p = subprocess.Popen(["dockerd", "--config-file", f"{d}/daemon.json"], stdout=log, stderr=log)
    wait_for(f"{d}/d.sock")
    env = dict(os.environ, DOCKER_HOST=f"unix://{d}/d.sock")
    for _ in range(100):
        if sh([DOCKER, "info"], check=False, env=env)[0] == 0:
            break
        time.sleep(0.2)
    sh(f"tar -C {rootfs} -cf {d}/rootfs.tar . && {DOCKER} import {d}/rootfs.tar skiff-busybox:1", env=env)

    def run(args, check=True, timeout=120):
        return sh([DOCKER] + args, check=check, timeout=timeout, env=env)

    run.env = env
    yield run
    sh(f"{DOCKER} rm -f $({DOCKER} ps -aq) 2>/dev/null", check=False, env=env)
    stop_pid(p.pid)
    p.wait(timeout=30)
    unmount_below(d)


RUN = ["run", "--rm", "--runtime", "skiff", "--network", "none", "skiff-busybox:1"]
# One test per operation, in order: later ones use the container "d1" started earlier.


def test_run_prints_output(docker):
    assert docker(RUN + ["/bin/echo", "hello"])[1] == "hello\n"


def test_run_exit_code(docker):
    assert docker(RUN + ["/bin/sh", "-c", "exit 42"], check=False)[0] == 42


def test_missing_binary_is_127_with_skiffs_words(docker):
    rc, out = docker(RUN + ["/bin/nope"], check=False)
    assert rc == 127 and "stat /bin/nope: no such file or directory" in out


def test_non_executable_is_126(docker):
    assert docker(RUN + ["/etc/passwd"], check=False)[0] == 126


def test_run_with_a_terminal(docker):
    rc, out = sh(f"script -q -e -c \"{DOCKER} run -it --rm --runtime skiff --network none skiff-busybox:1 "
                 f"/bin/sh -c 'sleep 0.3; tty; exit 7'\" /dev/null </dev/null", check=False, env=docker.env)
    assert rc == 7 and "/dev/pts/0" in out


def test_run_detached(docker):
    docker(["run", "-d", "--name", "d1", "--runtime", "skiff", "--network", "none", "skiff-busybox:1",
            "/bin/sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"])
    assert docker(["inspect", "-f", "{{.State.Status}}", "d1"])[1].strip() == "running"


def test_exec(docker):
    assert docker(["exec", "d1", "/bin/echo", "hi"])[1] == "hi\n"


def test_exec_missing_binary(docker):
    assert docker(["exec", "d1", "/bin/nope"], check=False)[0] == 126


def test_exec_detached(docker):
    docker(["exec", "-d", "d1", "/bin/sleep", "5"])


def test_exec_with_a_terminal(docker):
    rc, out = sh(f"script -q -e -c \"{DOCKER} exec -it d1 /bin/sh -c 'tty; exit 3'\" /dev/null </dev/null",
                 check=False, env=docker.env)
    assert rc == 3 and "/dev/pts/" in out


def test_top(docker):
    assert "sleep 5" in docker(["top", "d1"])[1]


def test_pause(docker):
    docker(["pause", "d1"])
    assert docker(["inspect", "-f", "{{.State.Status}}", "d1"])[1].strip() == "paused"


def test_unpause(docker):
    docker(["unpause", "d1"])
    assert docker(["inspect", "-f", "{{.State.Status}}", "d1"])[1].strip() == "running"


def test_update(docker):
    docker(["update", "--memory", "64m", "--memory-swap", "128m", "--cpus", "0.5", "--pids-limit", "50", "d1"])
    st = json.loads(docker(["stats", "--no-stream", "--format", "{{json .}}", "d1"])[1])
    assert "64MiB" in st["MemUsage"]


def test_kill_with_a_signal(docker):
    docker(["kill", "-s", "HUP", "d1"])
    assert docker(["inspect", "-f", "{{.State.Status}}", "d1"])[1].strip() == "running"


def test_stop(docker):
    t0 = time.time()
    docker(["stop", "-t", "5", "d1"])
    assert time.time() - t0 < 5
    assert docker(["inspect", "-f", "{{.State.ExitCode}}", "d1"])[1].strip() == "0"


def test_rm(docker):
    docker(["rm", "d1"])
    assert docker(["ps", "-aq", "-f", "name=d1"])[1].strip() == ""
