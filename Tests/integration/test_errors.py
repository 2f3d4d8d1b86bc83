"""Failures: clear words at create time, and nothing left behind."""
import json
import os
import subprocess

from conftest import base_config


def mountinfo():
    with open("/proc/self/mountinfo") as f:
        return f.read()


def test_missing_binary_fails_create(skiff):
    r = skiff("create", "--bundle", skiff.bundle(base_config(["/bin/nonexistent"])), "m1", check=False)
    assert r.returncode == 1 and "no such file or directory" in r.stderr
    r = skiff("create", "--bundle", skiff.bundle(base_config(["nonexistent-cmd"])), "m2", check=False)
    assert r.returncode == 1 and "executable file not found" in r.stderr


def test_non_executable_fails_create(skiff):
    r = skiff("create", "--bundle", skiff.bundle(base_config(["/etc/passwd"])), "m3", check=False)
    assert r.returncode == 1 and "permission denied" in r.stderr.lower()


def test_failed_create_leaves_nothing(skiff):
    before = mountinfo()
    cfg = base_config(["/bin/true"])
    cfg["mounts"].append({"destination": "/bad", "type": "no-such-fs", "source": "x"})
    cfg["linux"]["cgroupsPath"] = "/skiff-test-failed-create"
    r = skiff("create", "--bundle", skiff.bundle(cfg), "f1", check=False)
    assert r.returncode == 1
    assert "mount no-such-fs x on /bad" in r.stderr
    assert mountinfo() == before
    assert os.listdir(skiff.root) == []
    for hier in ("/sys/fs/cgroup/unified", "/sys/fs/cgroup"):
        assert not os.path.exists(hier + "/skiff-test-failed-create")


def test_validation_errors_name_the_json_path(skiff):
    cfg = base_config(["/bin/true"])
    cfg["process"]["capabilities"]["bounding"].append("CAP_NOT_REAL")
    cfg["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 1000, "size": 0}]
    r = skiff("check", "--bundle", skiff.bundle(cfg), check=False)
    assert r.returncode == 1
    assert "process.capabilities.bounding[3]: unknown capability" in r.stderr
    assert "linux.uidMappings[0].size" in r.stderr
    r = skiff("create", "--bundle", skiff.bundle(cfg), "v1", check=False)
    assert r.returncode == 1 and "CAP_NOT_REAL" in r.stderr


def test_check_accepts_a_good_bundle(skiff):
    r = skiff("check", "--bundle", skiff.bundle(base_config(["/bin/true"])))
    assert r.stdout.strip().endswith(": ok")


def test_type_errors_name_the_path(skiff):
    cfg = base_config(["/bin/true"])
    cfg["process"]["user"]["uid"] = "root"
    r = skiff("check", "--bundle", skiff.bundle(cfg), check=False)
    assert r.returncode == 1 and "process.user.uid" in r.stderr


def test_unenforceable_limit_is_refused_by_name(skiff):
    cfg = base_config(["/bin/true"])
    cfg["linux"]["resources"] = {"memory": {"swappiness": 10, "limit": 1 << 26}, "network": {"classID": 5}}
    r = skiff("create", "--bundle", skiff.bundle(cfg), "r1", check=False)
    assert r.returncode == 1 and "linux.resources." in r.stderr


def test_unsupported_oci_version(skiff):
    cfg = base_config(["/bin/true"])
    cfg["ociVersion"] = "invalid"
    r = skiff("create", "--bundle", skiff.bundle(cfg), "o1", check=False)
    assert r.returncode == 1 and "ociVersion" in r.stderr


def test_features_is_json(skiff):
    f = json.loads(skiff("features").stdout)
    assert f["ociVersionMax"] == "1.3.0"
    assert "user" in f["linux"]["namespaces"]
    assert "CAP_SYS_ADMIN" in f["linux"]["capabilities"]
    assert f["linux"]["seccomp"]["enabled"] is True
    assert "SCMP_ACT_NOTIFY" in f["linux"]["seccomp"]["actions"]
