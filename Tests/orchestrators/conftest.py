"""Real engines driving skiff: podman+conmon, containerd (ctr), dockerd — each with
private roots and sockets under one work directory, torn down by recorded PID.

SKIFF is the binary under test, ROOTFS the busybox rootfs.  Every skiff invocation
appends a JSON line (argv, exit, error) to SKIFF_TRACE; a failing test prints it.
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

SKIFF = os.environ.get("SKIFF") or os.path.abspath(".build/release/skiff")
ROOTFS = os.environ.get("ROOTFS") or os.path.abspath("spec-examples/rootfs")
WORK = tempfile.mkdtemp(prefix="skiff-orch-", dir="/tmp")  # short: unix socket paths
TRACE = os.path.join(WORK, "skiff-trace.jsonl")
os.environ["SKIFF_TRACE"] = TRACE


def sh(cmd, check=True, timeout=120, env=None, input=None):
    """Run a command with output in files (engines may leave children holding pipes)."""
    with tempfile.TemporaryFile("w+") as out:
        shell = isinstance(cmd, str)
        p = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, text=True, timeout=timeout,
                           env=env, input=input, shell=shell, executable="/bin/bash" if shell else None)
        out.seek(0)
        text = out.read()
    if check and p.returncode != 0:
        raise AssertionError(f"{cmd} exited {p.returncode}:\n{text}")
    return p.returncode, text


def trace_tail(n=15):
    try:
        return "".join(open(TRACE).readlines()[-n:])
    except FileNotFoundError:
        return "(no skiff invocation recorded)"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call" and rep.failed:
        rep.sections.append(("skiff trace (last invocations)", trace_tail()))


def wait_for(path, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(path):
            return
        time.sleep(0.1)
    raise AssertionError(f"{path} never appeared")


def stop_pid(pidfile_or_pid, timeout=20):
    try:
        pid = int(open(pidfile_or_pid).read()) if isinstance(pidfile_or_pid, str) else pidfile_or_pid
    except (OSError, ValueError):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def unmount_below(path):
    for line in reversed(open("/proc/self/mountinfo").read().splitlines()):
        mp = line.split()[4]
        if mp.startswith(path):
            subprocess.run(["umount", "-l", mp], capture_output=True)


@pytest.fixture(scope="session")
def rootfs():
    r = os.path.join(WORK, "rootfs")
    subprocess.run(["cp", "-a", ROOTFS, r], check=True)
    return r


@pytest.fixture(scope="session", autouse=True)
def cleanup_work():
    yield
    unmount_below(WORK)
    shutil.rmtree(WORK, ignore_errors=True)
    # The engines' parent cgroups (podman, docker, ctr's namespace), when left empty.
    for parent in ("libpod_parent/conmon", "libpod_parent", "docker", "default", "skiff-moby"):
        for h in os.listdir("/sys/fs/cgroup"):
            try:
                os.rmdir(f"/sys/fs/cgroup/{h}/{parent}")
            except OSError:
                pass


@pytest.fixture(scope="session")
def containerd():
    d = os.path.join(WORK, "ctrd")
    for sub in ("root", "state", "opt", "fifo", "runc-root"):
        os.makedirs(os.path.join(d, sub))
    with open(os.path.join(d, "config.toml"), "w") as f:
        f.write(f"""version = 2
root = "{d}/root"
state = "{d}/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "{d}/c.sock"
[ttrpc]
  address = "{d}/c.sock.ttrpc"
[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = "{d}/opt"
""")
    log = open(os.path.join(d, "containerd.log"), "w")
    p = subprocess.Popen(["containerd", "--config", os.path.join(d, "config.toml")], stdout=log, stderr=log)
    wait_for(os.path.join(d, "c.sock"))
    yield d
    stop_pid(p.pid)
    p.wait(timeout=30)
    unmount_below(d)
