"""Each namespace kind: new, and joined by path."""
import os
import subprocess

from conftest import base_config, wait_status


def out(skiff, cfg):
    r = skiff.run(cfg)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_uts_hostname_and_domainname(skiff):
    cfg = base_config(["/bin/sh", "-c", "hostname; cat /proc/sys/kernel/domainname"])
    cfg["hostname"] = "boat"
    cfg["domainname"] = "harbour"
    assert out(skiff, cfg) == "boat\nharbour\n"


def test_pid_namespace_makes_pid_1(skiff):
    assert out(skiff, base_config(["/bin/sh", "-c", "echo $$"])) == "1\n"


def test_network_namespace_has_only_lo(skiff):
    lines = out(skiff, base_config(["/bin/cat", "/proc/net/dev"])).splitlines()[2:]
    assert [l.split(":")[0].strip() for l in lines] == ["lo"]


def test_ipc_and_mount_and_cgroup_namespaces_differ_from_host(skiff):
    text = out(skiff, base_config(["/bin/sh", "-c", "for n in ipc mnt cgroup; do readlink /proc/self/ns/$n; done"]))
    mine = [os.readlink(f"/proc/self/ns/{n}") for n in ("ipc", "mnt", "cgroup")]
    theirs = text.split()
    assert len(theirs) == 3
    for a, b in zip(mine, theirs):
        assert a != b


def test_cgroup_namespace_root(skiff):
    assert out(skiff, base_config(["/bin/cat", "/proc/self/cgroup"])).strip().endswith("::/")


def test_user_namespace_with_several_ranges(skiff):
    cfg = base_config(["/bin/sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; id -u"])
    cfg["linux"]["namespaces"].append({"type": "user"})
    cfg["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 1000},
                                   {"containerID": 1000, "hostID": 200000, "size": 10}]
    cfg["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    text = out(skiff, cfg)
    rows = [l.split() for l in text.splitlines()]
    assert rows[0] == ["0", "100000", "1000"]
    assert rows[1] == ["1000", "200000", "10"]
    assert rows[2] == ["0", "100000", "65536"]
    assert rows[3] == ["0"]


def test_user_namespace_process_runs_as_mapped_host_uid(skiff):
    cfg = base_config(["/bin/sleep", "60"])
    cfg["linux"]["namespaces"].append({"type": "user"})
    cfg["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 300000, "size": 65536}]
    cfg["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 300000, "size": 65536}]
    b = skiff.bundle(cfg)
    skiff("create", "--bundle", b, "uns")
    pid = skiff.state("uns")["pid"]
    with open(f"/proc/{pid}/status") as f:
        uid = [l for l in f if l.startswith("Uid:")][0].split()[1]
    assert uid == "300000"


def test_time_namespace_offsets(skiff):
    cfg = base_config(["/bin/cat", "/proc/uptime"])
    cfg["linux"]["namespaces"].append({"type": "time"})
    cfg["linux"]["timeOffsets"] = {"boottime": {"secs": 86400 * 400}}
    up = float(out(skiff, cfg).split()[0])
    assert up > 86400 * 400


def test_join_namespaces_by_path(skiff):
    # A first container owns the namespaces; the second joins its uts, ipc, net and pid.
    host = base_config(["/bin/sleep", "60"])
    host["hostname"] = "sandbox"
    b = skiff.bundle(host)
    skiff("create", "--bundle", b, "sandbox")
    pid = skiff.state("sandbox")["pid"]
    guest = base_config(["/bin/sh", "-c", "hostname; ps -o pid,args | grep -c 'sleep 60'"])
    guest.pop("hostname")
    ns = {"uts": "uts", "ipc": "ipc", "network": "net", "pid": "pid"}
    guest["linux"]["namespaces"] = [n for n in guest["linux"]["namespaces"] if n["type"] not in ns]
    guest["linux"]["namespaces"] += [{"type": t, "path": f"/proc/{pid}/ns/{p}"} for t, p in ns.items()]
    r = skiff.run(guest)
    assert r.returncode == 0, r.stderr
    name, count = r.stdout.split()
    assert name == "sandbox"
    assert int(count) >= 1  # the sandbox's sleep is visible: same pid namespace
