"""The process: args lookup, cwd, env, user, umask, rlimits, capabilities, NNP,
oomScoreAdj, fds."""
import os
import subprocess

from conftest import base_config


def status_field(text, name):
    for line in text.splitlines():
        if line.startswith(name + ":"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"{name} missing")


def run_ok(skiff, cfg, *extra, **kw):
    r = skiff.run(cfg, *extra, **kw)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_cwd_and_env(skiff):
    cfg = base_config(["/bin/sh", "-c", "pwd; echo $GREETING"])
    cfg["process"]["cwd"] = "/var/tmp"
    cfg["process"]["env"].append("GREETING=ahoy")
    assert run_ok(skiff, cfg) == "/var/tmp\nahoy\n"


def test_path_lookup_uses_the_container_env(skiff):
    assert run_ok(skiff, base_config(["echo", "found"])) == "found\n"


def test_user_groups_umask(skiff):
    cfg = base_config(["/bin/sh", "-c", "id -u; id -g; id -G; umask"])
    cfg["process"]["user"] = {"uid": 1234, "gid": 2345, "additionalGids": [10, 20], "umask": 0o27}
    out = run_ok(skiff, cfg).split("\n")
    assert out[0] == "1234" and out[1] == "2345"
    assert set(out[2].split()) == {"2345", "10", "20"}
    assert out[3] == "0027"


def test_rlimits(skiff):
    cfg = base_config(["/bin/sh", "-c", "ulimit -n; ulimit -Hn; ulimit -c"])
    cfg["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 321, "hard": 654},
                                 {"type": "RLIMIT_CORE", "soft": 0, "hard": 0}]
    assert run_ok(skiff, cfg).split() == ["321", "654", "0"]


def test_capabilities_exactly_as_configured(skiff):
    cfg = base_config(["/bin/cat", "/proc/self/status"])
    cfg["process"]["capabilities"] = {
        "bounding": ["CAP_KILL", "CAP_CHOWN", "CAP_NET_RAW"],
        "effective": ["CAP_KILL", "CAP_CHOWN"],
        "permitted": ["CAP_KILL", "CAP_CHOWN"],
    }
    text = run_ok(skiff, cfg)
    assert int(status_field(text, "CapBnd"), 16) == (1 << 5) | (1 << 0) | (1 << 13)
    assert int(status_field(text, "CapEff"), 16) == (1 << 5) | (1 << 0)
    assert int(status_field(text, "CapPrm"), 16) == (1 << 5) | (1 << 0)
    assert int(status_field(text, "CapInh"), 16) == 0
    assert int(status_field(text, "CapAmb"), 16) == 0


def test_ambient_capabilities_for_a_non_root_user(skiff):
    cfg = base_config(["/bin/cat", "/proc/self/status"])
    cfg["process"]["user"] = {"uid": 1000, "gid": 1000}
    caps = ["CAP_NET_BIND_SERVICE"]
    cfg["process"]["capabilities"] = {"bounding": caps, "effective": caps, "permitted": caps,
                                      "inheritable": caps, "ambient": caps}
    text = run_ok(skiff, cfg)
    assert int(status_field(text, "CapAmb"), 16) == 1 << 10
    assert int(status_field(text, "CapEff"), 16) == 1 << 10


def test_no_new_privileges(skiff):
    cfg = base_config(["/bin/cat", "/proc/self/status"])
    cfg["process"]["noNewPrivileges"] = True
    assert status_field(run_ok(skiff, cfg), "NoNewPrivs") == "1"
    cfg["process"]["noNewPrivileges"] = False
    assert status_field(run_ok(skiff, cfg), "NoNewPrivs") == "0"


def test_oom_score_adj(skiff):
    cfg = base_config(["/bin/cat", "/proc/self/oom_score_adj"])
    cfg["process"]["oomScoreAdj"] = 500
    assert run_ok(skiff, cfg) == "500\n"


def test_only_stdio_reaches_the_container(skiff):
    cfg = base_config(["/bin/ls", "/proc/self/fd"])
    r = subprocess.run(skiff.cmd("run", "--bundle", skiff.bundle(cfg), "fds"), capture_output=True, text=True,
                       pass_fds=(), close_fds=True)
    assert r.returncode == 0, r.stderr
    # ls's own directory fd is the only extra one.
    assert sorted(int(x) for x in r.stdout.split()) == [0, 1, 2, 3]


def test_preserve_fds(skiff, tmp_path):
    f = tmp_path / "passed"
    f.write_text("through fd 3\n")
    b = skiff.bundle(base_config(["/bin/cat", "/proc/self/fd/3"]))
    cmd = " ".join(skiff.cmd("run", "--preserve-fds", "1", "--bundle", b, "pfd"))
    r = subprocess.run(["/bin/sh", "-c", f"exec {cmd} 3<{f}"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "through fd 3\n"


def test_stdin_is_inherited(skiff):
    cfg = base_config(["/bin/cat"])
    r = skiff.run(cfg, input="piped in\n")
    assert r.returncode == 0 and r.stdout == "piped in\n"


def test_scheduler_and_io_priority(skiff):
    cfg = base_config(["/bin/sh", "-c", "cat /proc/self/stat | cut -d' ' -f19,41"])
    cfg["process"]["scheduler"] = {"policy": "SCHED_BATCH", "nice": 5}
    cfg["process"]["ioPriority"] = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}
    nice, policy = run_ok(skiff, cfg).split()
    assert nice == "5" and policy == "3"


def test_personality_linux32(skiff):
    cfg = base_config(["/bin/uname", "-m"])
    cfg["linux"]["personality"] = {"domain": "LINUX32"}
    assert run_ok(skiff, cfg).strip() in ("i686", "i386")
