"""Hybrid hosts (this one): limits for controllers bound to cgroup v1 are written in v1
form, at the container's path in each v1 hierarchy, and enforced."""
import json
import os
import subprocess
import time

import pytest

from conftest import base_config, wait_status

V1 = {}
for line in open("/proc/self/mountinfo"):
    f = line.split()
    dash = f.index("-")
    if f[dash + 1] == "cgroup":
        for opt in f[dash + 3].split(","):
            if opt not in ("rw", "ro") and not opt.startswith("name="):
                V1[opt] = f[4]

pytestmark = pytest.mark.skipif("memory" not in V1, reason="not a hybrid host")
MIB = 1 << 20


@pytest.fixture(scope="module", autouse=True)
def remove_parent_cgroups():
    yield
    # The tests' containers live under /skiff-hy; skiff removes theirs, the parent is ours.
    for mount in set(V1.values()) | {"/sys/fs/cgroup/unified"}:
        if os.path.isdir(mount + "/skiff-hy"):
            os.rmdir(mount + "/skiff-hy")
FORK_BOMB = ("sh -c 'i=0; while [ $i -lt 30 ]; do sleep 3 & echo x >> /tmp/forks; i=$((i+1)); done' 2>/dev/null; "
             "n=0; while read l; do n=$((n+1)); done < /tmp/forks; echo started $n")


def v1dir(ctrl, path):
    return V1[ctrl] + path


def cfg_with(args, resources, path):
    cfg = base_config(args)
    cfg["linux"]["resources"] = resources
    cfg["linux"]["cgroupsPath"] = path
    cfg["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"})
    return cfg


def test_oom_kill_under_a_v1_memory_limit(skiff):
    cfg = cfg_with(["/bin/sh", "-c", "x=$(head -c 134217728 /dev/zero | tr '\\000' a); echo survived"],
                   {"memory": {"limit": 64 * MIB, "swap": 64 * MIB}}, "/skiff-hy/oom")
    r = skiff.run(cfg)
    assert r.returncode == 137, (r.returncode, r.stdout, r.stderr)
    assert "survived" not in r.stdout


def test_oom_event_from_the_v1_memory_cgroup(skiff):
    cfg = cfg_with(["/bin/sh", "-c", "while [ ! -e /tmp/go ]; do sleep 0.05; done; x=$(head -c 134217728 /dev/zero | tr '\\000' a)"],
                   {"memory": {"limit": 64 * MIB, "swap": 64 * MIB}}, "/skiff-hy/oomev")
    skiff("run", "--detach", "--bundle", skiff.bundle(cfg), "oomev")
    p = subprocess.Popen(skiff.cmd("events", "--interval", "30s", "oomev"), stdout=subprocess.PIPE, text=True)
    time.sleep(0.3)
    skiff("exec", "oomev", "/bin/touch", "/tmp/go")
    out, _ = p.communicate(timeout=30)
    types = [json.loads(l)["type"] for l in out.splitlines()]
    assert "oom" in types and types[-1] == "exit", out
    for _ in range(100):
        if skiff.state("oomev").get("exitStatus") is not None:
            break
        time.sleep(0.05)
    assert skiff.state("oomev")["exitStatus"] == 137


def test_pids_limit_stops_forks(skiff):
    # An inner shell forks until it cannot (busybox sh gives up at the first failure),
    # noting each success with a builtin; the outer one counts with builtins too.
    cfg = cfg_with(["/bin/sh", "-c", FORK_BOMB], {"pids": {"limit": 10}}, "/skiff-hy/pids")
    r = skiff.run(cfg)
    n = int(r.stdout.split()[-1])
    assert 0 < n <= 8, r.stdout  # the two shells hold two of the ten


def test_cpu_and_cpuset_values_inside_and_outside(skiff):
    res = {"cpu": {"shares": 512, "quota": 20000, "period": 100000, "cpus": "0", "mems": "0"}}
    cfg = cfg_with(["/bin/sleep", "60"], res, "/skiff-hy/cpu")
    # A "cgroup" mount, as podman sends it: each hierarchy's container cgroup below it.
    cfg["mounts"].append({"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
                          "options": ["nosuid", "noexec", "nodev", "ro"]})
    skiff("create", "--bundle", skiff.bundle(cfg), "cpu")
    skiff("start", "cpu")
    d = v1dir("cpu", "/skiff-hy/cpu")
    assert open(d + "/cpu.shares").read().strip() == "512"
    assert open(d + "/cpu.cfs_quota_us").read().strip() == "20000"
    assert open(d + "/cpu.cfs_period_us").read().strip() == "100000"
    assert open(v1dir("cpuset", "/skiff-hy/cpu") + "/cpuset.cpus").read().strip() == "0"
    inside = skiff("exec", "cpu", "/bin/cat", "/sys/fs/cgroup/cpu/cpu.shares", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us").stdout
    assert inside.split() == ["512", "20000"]
    pid = skiff.state("cpu")["pid"]
    allowed = [l for l in open(f"/proc/{pid}/status") if l.startswith("Cpus_allowed_list")][0]
    assert allowed.split()[-1] == "0"


def test_pause_resume_with_the_v1_freezer(skiff):
    cfg = cfg_with(["/bin/sleep", "60"], {}, "/skiff-hy/frz")
    skiff("create", "--bundle", skiff.bundle(cfg), "frz")
    skiff("start", "frz")
    skiff("pause", "frz")
    assert open(v1dir("freezer", "/skiff-hy/frz") + "/freezer.state").read().strip() == "FROZEN"
    assert skiff.state("frz")["status"] == "paused"
    skiff("resume", "frz")
    assert open(v1dir("freezer", "/skiff-hy/frz") + "/freezer.state").read().strip() == "THAWED"
    assert skiff.state("frz")["status"] == "running"


def test_update_changes_a_live_v1_memory_limit(skiff):
    cfg = cfg_with(["/bin/sleep", "60"], {"memory": {"limit": 128 * MIB}}, "/skiff-hy/upd")
    skiff("create", "--bundle", skiff.bundle(cfg), "upd")
    skiff("start", "upd")
    d = v1dir("memory", "/skiff-hy/upd")
    assert int(open(d + "/memory.limit_in_bytes").read()) == 128 * MIB
    skiff("update", "--memory", "64m", "--memory-swap", "96m", "--pids-limit", "7", "upd")
    assert int(open(d + "/memory.limit_in_bytes").read()) == 64 * MIB
    assert int(open(d + "/memory.memsw.limit_in_bytes").read()) == 96 * MIB
    assert open(v1dir("pids", "/skiff-hy/upd") + "/pids.max").read().strip() == "7"
    # docker's update body: zeros mean unset; raising memory above the old memsw works.
    body = {"memory": {"limit": 256 * MIB, "reservation": 0, "swap": 512 * MIB, "kernel": 0},
            "cpu": {"shares": 0, "quota": 50000, "period": 100000}, "pids": {"limit": 50}, "blockIO": {"weight": 0}}
    skiff("update", "--resources", "-", "upd", input=json.dumps(body))
    assert int(open(d + "/memory.limit_in_bytes").read()) == 256 * MIB
    assert open(v1dir("cpu", "/skiff-hy/upd") + "/cpu.cfs_quota_us").read().strip() == "50000"
    st = json.loads(skiff("events", "--stats", "upd").stdout)["data"]
    assert st["memory"]["usage"]["limit"] == 256 * MIB and st["pids"]["limit"] == 50


def test_v1_devices_controller_denies_too(skiff):
    cfg = cfg_with(["/bin/sleep", "60"], {"devices": [{"allow": False, "access": "rwm"}]}, "/skiff-hy/dev")
    skiff("create", "--bundle", skiff.bundle(cfg), "hydev")
    rules = open(v1dir("devices", "/skiff-hy/dev") + "/devices.list").read().split("\n")
    assert "c 1:3 rwm" in rules and "a *:* rwm" not in rules


def test_delete_leaves_no_cgroup_in_any_hierarchy(skiff):
    cfg = cfg_with(["/bin/sleep", "60"], {"memory": {"limit": 64 * MIB}, "pids": {"limit": 20}}, "/skiff-hy/gone")
    skiff("create", "--bundle", skiff.bundle(cfg), "gone")
    dirs = [v1dir(c, "/skiff-hy/gone") for c in V1]
    assert all(os.path.isdir(d) for d in dirs)
    skiff("delete", "--force", "gone")
    assert [d for d in dirs if os.path.exists(d)] == []


def test_features_reports_both_versions(skiff):
    f = json.loads(skiff("features").stdout)
    assert f["linux"]["cgroup"]["v1"] is True and f["linux"]["cgroup"]["v2"] is True
    assert "memory" in f["annotations"]["org.skiff.cgroup.v1.controllers"].split()
