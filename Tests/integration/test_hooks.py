"""Hooks: all six kinds, their order, the state on stdin, failure semantics, timeout."""
import json
import os
import stat

from conftest import base_config


def hook_script(path, log):
    # Append "<kind> <status> <pid>" using the state JSON read from stdin.
    with open(path, "w") as f:
        f.write(f"""#!/usr/bin/python3
import json, sys
state = json.load(sys.stdin)
with open({log!r}, "a") as out:
    out.write(sys.argv[1] + " " + state["status"] + " " + str(state.get("pid", 0)) + " " + state["id"] + "\\n")
""")
    os.chmod(path, 0o755)


def test_hook_order_and_state(skiff, tmp_path):
    log = tmp_path / "hooks.log"
    script = str(tmp_path / "hook.py")
    hook_script(script, str(log))
    cfg = base_config(["/bin/sh", "-c", "cat /hookstate > /dev/null 2>&1; true"])
    cfg["root"]["readonly"] = False

    def h(kind):
        return {"path": script, "args": ["hook.py", kind]}

    cfg["hooks"] = {k: [h(k)] for k in ("prestart", "createRuntime", "createContainer", "poststart", "poststop")}
    # startContainer runs inside the container: its path resolves there.
    cfg["hooks"]["startContainer"] = [{"path": "/bin/sh", "args": ["sh", "-c", "cat > /startstate"]}]
    b = skiff.bundle(cfg)
    skiff("create", "--bundle", b, "hk")
    pid = skiff.state("hk")["pid"]
    skiff("start", "hk")
    import time
    for _ in range(200):
        if skiff.state("hk")["status"] == "stopped":
            break
        time.sleep(0.02)
    skiff("delete", "hk")
    rows = [l.split() for l in log.read_text().splitlines()]
    assert [r[0] for r in rows] == ["prestart", "createRuntime", "createContainer", "poststart", "poststop"]
    assert [r[1] for r in rows] == ["creating", "creating", "creating", "running", "stopped"]
    assert all(r[2] == str(pid) for r in rows[:4])
    assert all(r[3] == "hk" for r in rows)
    # startContainer saw the state too, inside the container's root.
    rootfs = cfg["root"]["path"]
    with open(os.path.join(rootfs, "startstate")) as f:
        st = json.load(f)
    os.unlink(os.path.join(rootfs, "startstate"))
    assert st["id"] == "hk" and st["pid"] == pid


def test_failing_create_hook_fails_create_and_runs_poststop(skiff, tmp_path):
    log = tmp_path / "hooks.log"
    script = str(tmp_path / "hook.py")
    hook_script(script, str(log))
    cfg = base_config(["/bin/true"])
    cfg["hooks"] = {"createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}],
                    "poststop": [{"path": script, "args": ["hook.py", "poststop"]}]}
    r = skiff("create", "--bundle", skiff.bundle(cfg), "hf", check=False)
    assert r.returncode == 1
    assert "createRuntime hook" in r.stderr and "exit status 3" in r.stderr
    assert skiff("state", "hf", check=False).returncode == 1
    assert log.read_text().split()[0] == "poststop"


def test_failing_poststop_hook_does_not_stop_the_others(skiff, tmp_path):
    log = tmp_path / "hooks.log"
    script = str(tmp_path / "hook.py")
    hook_script(script, str(log))
    cfg = base_config(["/bin/true"])
    cfg["hooks"] = {"poststop": [{"path": "/bin/false"}, {"path": script, "args": ["hook.py", "second"]}]}
    r = skiff.run(cfg)
    assert r.returncode == 0, r.stderr
    assert log.read_text().split()[0] == "second"


def test_hook_timeout(skiff):
    cfg = base_config(["/bin/true"])
    cfg["hooks"] = {"prestart": [{"path": "/bin/sleep", "args": ["sleep", "30"], "timeout": 1}]}
    r = skiff("create", "--bundle", skiff.bundle(cfg), "ht", check=False)
    assert r.returncode == 1 and "timed out" in r.stderr


def test_failing_poststart_hook_stops_the_container(skiff):
    cfg = base_config(["/bin/sleep", "60"])
    cfg["hooks"] = {"poststart": [{"path": "/bin/false"}]}
    b = skiff.bundle(cfg)
    skiff("create", "--bundle", b, "ps1")
    r = skiff("start", "ps1", check=False)
    assert r.returncode == 1 and "poststart hook" in r.stderr
    import time
    for _ in range(200):
        if skiff.state("ps1")["status"] == "stopped":
            break
        time.sleep(0.02)
    assert skiff.state("ps1")["status"] == "stopped"
