"""cgroups on this host's unified hierarchy: placement, device filter, pause/resume,
ps, kill --all, events, update, and the errors for limits the host cannot enforce.
(Limits themselves are proven in the cgroup v2 guest: `make test-vm`.)"""
import json
import os
import subprocess
import time

from conftest import base_config, wait_status

UNIFIED = "/sys/fs/cgroup/unified" if os.path.ismount("/sys/fs/cgroup/unified") else "/sys/fs/cgroup"


def sleeper(skiff, cid, args=("/bin/sleep", "60"), **linux):
    cfg = base_config(list(args))
    cfg["root"]["readonly"] = False
    caps = cfg["process"]["capabilities"]
    for k in caps:
        caps[k] = caps[k] + ["CAP_MKNOD"]
    cfg["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["dev"]})
    cfg["linux"].update(linux)
    skiff("create", "--bundle", skiff.bundle(cfg), cid)
    skiff("start", cid)
    return cfg


def test_cgroups_path_is_honoured_and_removed(skiff):
    sleeper(skiff, "cg1", cgroupsPath="/skiff-test/cg1")
    pid = skiff.state("cg1")["pid"]
    with open(f"{UNIFIED}/skiff-test/cg1/cgroup.procs") as f:
        assert str(pid) in f.read().split()
    skiff("delete", "--force", "cg1")
    assert not os.path.exists(f"{UNIFIED}/skiff-test/cg1")
    for h in os.listdir("/sys/fs/cgroup"):  # the parent is the caller's (every hierarchy)
        if os.path.isdir(f"/sys/fs/cgroup/{h}/skiff-test"):
            os.rmdir(f"/sys/fs/cgroup/{h}/skiff-test")


def test_denied_device_cannot_be_opened_even_after_mknod(skiff):
    # Allowed: /dev/fuse (c 10:229), which opens without any capability; denied: every
    # other device outside runc's defaults, such as /dev/hwrng (c 10:183).
    rules = [{"allow": False, "access": "rwm"}, {"allow": True, "type": "c", "major": 10, "minor": 229, "access": "rw"}]
    sleeper(skiff, "dev1", resources={"devices": rules})
    script = ("mknod /tmp/fuse c 10 229; mknod /tmp/hwrng c 10 183; "
              "(exec 3</tmp/fuse) 2>/dev/null && echo fuse-ok || echo fuse-denied; "
              "(exec 3</tmp/hwrng) 2>/dev/null && echo hwrng-ok || echo hwrng-denied; "
              "(exec 3</dev/urandom) && echo urandom-ok")
    r = skiff("exec", "dev1", "/bin/sh", "-c", script)
    assert r.stdout.split() == ["fuse-ok", "hwrng-denied", "urandom-ok"]
    # Without the filter the same open succeeds: the denial above was the filter's.
    sleeper(skiff, "dev2", resources={})
    r = skiff("exec", "dev2", "/bin/sh", "-c", "mknod /tmp/hwrng c 10 183; (exec 3</tmp/hwrng) && echo hwrng-ok")
    assert r.stdout.split() == ["hwrng-ok"]
    # update replaces the program: now fuse is denied too.
    skiff("update", "--resources", "-", "dev1", input=json.dumps({"devices": [{"allow": False, "access": "rwm"}]}))
    r = skiff("exec", "dev1", "/bin/sh", "-c", "(exec 3</tmp/fuse) 2>/dev/null && echo fuse-ok || echo fuse-denied")
    assert r.stdout.split() == ["fuse-denied"]


def test_pause_resume_freezes_every_process(skiff):
    sleeper(skiff, "pz")
    skiff("exec", "--detach", "pz", "/bin/sh", "-c", "while true; do sleep 0.05; done")
    skiff("pause", "pz")
    assert skiff.state("pz")["status"] == "paused"
    for pid in json.loads(skiff("ps", "--format", "json", "pz").stdout):
        with open(f"/proc/{pid}/stat") as f:
            assert f.read().split(")")[1].split()[0] in ("S", "D", "T", "t")  # frozen tasks sleep
    assert skiff("exec", "pz", "/bin/true", check=False).returncode == 255
    skiff("resume", "pz")
    assert skiff.state("pz")["status"] == "running"
    assert skiff("resume", "pz", check=False).returncode == 1


def test_events_stats_shape_and_exit_event(skiff):
    sleeper(skiff, "evs")
    st = json.loads(skiff("events", "--stats", "evs").stdout)
    assert st["type"] == "stats" and st["id"] == "evs"
    for k in ("cpu", "memory", "pids", "blkio", "hugetlb"):
        assert k in st["data"]
    assert st["data"]["cpu"]["usage"]["total"] > 0
    p = subprocess.Popen(skiff.cmd("events", "--interval", "100ms", "evs"), stdout=subprocess.PIPE, text=True)
    time.sleep(0.4)
    skiff("kill", "evs", "KILL")
    out, _ = p.communicate(timeout=10)
    lines = [json.loads(l) for l in out.splitlines()]
    assert lines[-1] == {"id": "evs", "type": "exit"}
    assert any(l["type"] == "stats" for l in lines[:-1])


def test_unenforceable_limits_name_the_field(skiff):
    # net_cls/net_prio are mounted nowhere here and cgroup v2 has no equivalent.
    if "net_cls" in open("/proc/self/mountinfo").read():
        import pytest
        pytest.skip("this host has net_cls")
    cfg = base_config(["/bin/true"])
    cfg["linux"]["resources"] = {"network": {"classID": 1048577}}
    r = skiff("create", "--bundle", skiff.bundle(cfg), "lim-net", check=False)
    assert r.returncode == 1 and "linux.resources.network" in r.stderr, r.stderr
    assert skiff("state", "lim-net", check=False).returncode == 1
    cfg["linux"]["resources"] = {"unified": {"memory.max": "1000000"}}
    if "memory" not in open(f"{UNIFIED}/cgroup.controllers").read().split():
        r = skiff("create", "--bundle", skiff.bundle(cfg), "lim-uni", check=False)
        assert r.returncode == 1 and "linux.resources.unified.memory.max" in r.stderr, r.stderr


def test_unified_core_file_is_written(skiff):
    sleeper(skiff, "uni", cgroupsPath="/skiff-test-uni", resources={"unified": {"cgroup.max.descendants": "3"}})
    with open(f"{UNIFIED}/skiff-test-uni/cgroup.max.descendants") as f:
        assert f.read().strip() == "3"
    skiff("delete", "--force", "uni")
    assert not os.path.exists(f"{UNIFIED}/skiff-test-uni")


def test_kill_all_reaches_every_process(skiff):
    # A non-KILL signal goes to each process in cgroup.procs: the init (a pid namespace's
    # init only gets signals it handles) traps it; the exec'd sleep dies of it.
    sleeper(skiff, "ka", args=("/bin/sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"))
    skiff("exec", "--detach", "ka", "/bin/sleep", "60")
    pids = json.loads(skiff("ps", "--format", "json", "ka").stdout)
    assert len(pids) >= 2
    skiff("kill", "--all", "ka", "TERM")
    wait_status(skiff, "ka", "stopped")
    for _ in range(100):
        if json.loads(skiff("ps", "--format", "json", "ka").stdout) == []:
            break
        time.sleep(0.02)
    assert json.loads(skiff("ps", "--format", "json", "ka").stdout) == []


def test_delete_force_of_a_paused_container(skiff):
    # A frozen task cannot die of SIGKILL until thawed: delete must not hang or leak.
    sleeper(skiff, "pzd", cgroupsPath="/skiff-test-pzd")
    skiff("pause", "pzd")
    t0 = time.time()
    skiff("delete", "--force", "pzd")
    assert time.time() - t0 < 5
    leftovers = [p for p in (f"{UNIFIED}/skiff-test-pzd", "/sys/fs/cgroup/freezer/skiff-test-pzd",
                             "/sys/fs/cgroup/memory/skiff-test-pzd") if os.path.exists(p)]
    assert leftovers == []


def test_kill_of_a_paused_container(skiff):
    sleeper(skiff, "pzk")
    skiff("pause", "pzk")
    skiff("kill", "pzk", "KILL")
    wait_status(skiff, "pzk", "stopped")
    skiff("delete", "pzk")
