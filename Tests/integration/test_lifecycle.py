"""create → created → start → running → kill → stopped → delete, and the exit codes
and messages orchestrators match on."""
import os
import subprocess
import threading
import time

from conftest import SKIFF, base_config, wait_status


def test_run_prints_and_exits_zero(skiff):
    r = skiff.run(base_config(["/bin/echo", "hello"]))
    assert r.returncode == 0
    assert r.stdout == "hello\n"


def test_run_returns_the_container_exit_code(skiff):
    r = skiff.run(base_config(["/bin/sh", "-c", "exit 42"]))
    assert r.returncode == 42


def test_run_returns_128_plus_signal(skiff):
    cfg = base_config(["/bin/sh", "-c", "sleep 30"])
    b = skiff.bundle(cfg)
    p = subprocess.Popen(skiff.cmd("run", "--bundle", b, "sig"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_status(skiff, "sig", "running")
    skiff("kill", "sig", "KILL")
    assert p.wait(timeout=10) == 137


def test_run_forwards_sigterm_to_the_init(skiff):
    # The init traps TERM and exits 7: proof the signal reached it.
    cfg = base_config(["/bin/sh", "-c", "trap 'exit 7' TERM; while true; do sleep 0.1; done"])
    b = skiff.bundle(cfg)
    p = subprocess.Popen(skiff.cmd("run", "--bundle", b, "fwd"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_status(skiff, "fwd", "running")
    time.sleep(0.2)
    p.terminate()
    assert p.wait(timeout=10) == 7


def test_run_deletes_unless_keep(skiff):
    skiff.run(base_config(["/bin/true"]), id="gone")
    assert skiff("state", "gone", check=False).returncode == 1
    r = skiff.run(base_config(["/bin/sh", "-c", "exit 3"]), "--keep", id="kept")
    assert r.returncode == 3
    st = skiff.state("kept")
    assert st["status"] == "stopped"
    assert st["exitStatus"] == 3
    skiff("delete", "kept")


def test_full_lifecycle_with_pid_file(skiff, tmp_path):
    cfg = base_config(["/bin/sh", "-c", "echo started > /tmp/marker; sleep 60"])
    cfg["root"]["readonly"] = False
    cfg["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"})
    b = skiff.bundle(cfg)
    pidfile = tmp_path / "pid"
    skiff("create", "--bundle", b, "--pid-file", str(pidfile), "lc")
    raw = pidfile.read_text()
    assert raw.isdigit(), repr(raw)  # bare digits, no newline
    st = skiff.state("lc")
    assert st["status"] == "created"
    assert st["pid"] == int(raw)
    assert st["bundle"] == b
    # Created means: set up, but the program has not run yet.
    assert skiff("exec", "lc", "/bin/cat", "/tmp/marker", check=False).returncode != 0
    skiff("start", "lc")
    wait_status(skiff, "lc", "running")
    for _ in range(100):
        if skiff("exec", "lc", "/bin/cat", "/tmp/marker", check=False).stdout == "started\n":
            break
        time.sleep(0.02)
    else:
        raise AssertionError("the program never ran")
    r = skiff("start", "lc", check=False)
    assert r.returncode == 1
    skiff("kill", "lc", "KILL")
    wait_status(skiff, "lc", "stopped")
    assert skiff.state("lc")["pid"] == 0
    r = skiff("kill", "lc", "9", check=False)
    assert r.returncode == 1 and "container not running" in r.stderr
    assert skiff("kill", "--all", "lc", "9", check=False).returncode == 0
    skiff("delete", "lc")
    r = skiff("state", "lc", check=False)
    assert r.returncode == 1 and "does not exist" in r.stderr


def test_list_shows_containers(skiff):
    b = skiff.bundle(base_config(["/bin/sleep", "60"]))
    skiff("create", "--bundle", b, "l1")
    import json
    out = json.loads(skiff("list", "--format", "json").stdout)
    assert [c["id"] for c in out] == ["l1"] and out[0]["status"] == "created"
    assert "l1" in skiff("list").stdout
    skiff("delete", "--force", "l1")
    assert json.loads(skiff("list", "--format", "json").stdout) == []


def test_unknown_id_exit_codes(skiff):
    for args in (["state", "nope"], ["start", "nope"], ["kill", "nope", "9"], ["delete", "nope"], ["pause", "nope"]):
        r = skiff(*args, check=False)
        assert r.returncode == 1, args
        assert "does not exist" in r.stderr, args
    assert skiff("delete", "--force", "nope", check=False).returncode == 0


def test_delete_refuses_a_running_container_unless_forced(skiff):
    b = skiff.bundle(base_config(["/bin/sleep", "60"]))
    skiff("create", "--bundle", b, "d1")
    skiff("start", "d1")
    r = skiff("delete", "d1", check=False)
    assert r.returncode == 1 and "not stopped" in r.stderr
    skiff("delete", "--force", "d1")
    assert skiff("state", "d1", check=False).returncode == 1


def test_delete_force_of_a_created_container(skiff):
    b = skiff.bundle(base_config(["/bin/sleep", "60"]))
    skiff("create", "--bundle", b, "d2")
    pid = skiff.state("d2")["pid"]
    skiff("delete", "--force", "d2")
    # The init is gone (reaped by this subreaper, or a zombie about to be).
    try:
        with open(f"/proc/{pid}/stat") as f:
            assert f.read().split(")")[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        pass


def test_state_json_fields(skiff):
    b = skiff.bundle(base_config(["/bin/sleep", "60"]))
    skiff("create", "--bundle", b, "s1")
    st = skiff.state("s1")
    for k in ("ociVersion", "id", "status", "pid", "bundle", "rootfs", "created"):
        assert k in st
    assert skiff("state", "s1").stderr == ""  # go-runc parses stdout+stderr as one JSON


def test_concurrent_create_of_one_id_exactly_one_wins(skiff):
    b = skiff.bundle(base_config(["/bin/sleep", "60"]))
    results = []

    def go():
        results.append(skiff("create", "--bundle", b, "race", check=False))

    threads = [threading.Thread(target=go) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.returncode for r in results)
    assert codes == [0, 1, 1, 1, 1, 1], [(r.returncode, r.stderr) for r in results]
    assert all("already exists" in r.stderr for r in results if r.returncode)
    assert skiff.state("race")["status"] == "created"


def test_run_detach_records_exit_status(skiff):
    b = skiff.bundle(base_config(["/bin/sh", "-c", "sleep 0.3; exit 5"]))
    r = skiff("run", "--detach", "--bundle", b, "det")
    assert r.returncode == 0
    wait_status(skiff, "det", "stopped")
    for _ in range(200):
        st = skiff.state("det")
        if st.get("exitStatus") is not None:
            break
        time.sleep(0.02)
    assert st["exitStatus"] == 5
    assert st["finished"].endswith("Z")
    skiff("delete", "det")


def test_version_lines():
    out = subprocess.run([SKIFF, "--version"], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0].startswith("skiff version ")
    assert out[1].startswith("commit: ")
    assert out[2] == "spec: 1.3.0"
    assert out[3].startswith("libseccomp: 2.")


def test_log_json_receives_the_error(skiff, tmp_path):
    import json
    log = tmp_path / "log.json"
    r = subprocess.run([SKIFF, "--root", skiff.root, "--log", str(log), "--log-format", "json", "kill", "zz", "9"],
                       capture_output=True, text=True)
    assert r.returncode == 1
    line = json.loads(log.read_text().splitlines()[-1])
    assert line["level"] == "error" and "does not exist" in line["msg"]
    r = subprocess.run([SKIFF, "--root", skiff.root, "--log", str(log), "--log-format=json", "state", "zz"],
                       capture_output=True, text=True)
    assert r.returncode == 1 and len(log.read_text().splitlines()) == 2


def test_systemd_cgroup_is_refused_clearly(skiff):
    r = subprocess.run([SKIFF, "--root", skiff.root, "--systemd-cgroup", "list"], capture_output=True, text=True)
    assert r.returncode == 1 and "not supported" in r.stderr
