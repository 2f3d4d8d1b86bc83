"""Hostile bundles: each runc CVE class, attacked for real, then the host checked.

../shared/notes/security.md lists the CVEs; each test names the one it guards."""
import hashlib
import json
import os
import shutil
import subprocess
import tempfile

from conftest import ROOTFS, SKIFF, base_config, private_rootfs, wait_status


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def host_mounts():
    with open("/proc/self/mountinfo") as f:
        return f.read()


# CVE-2019-5736 ------------------------------------------------------------------------

def test_proc_self_exe_interpreter_cannot_reach_the_skiff_binary(skiff):
    before = digest(SKIFF)
    rootfs = private_rootfs()
    with open(os.path.join(rootfs, "evil"), "w") as f:
        f.write("#!/proc/self/exe\n")
    os.chmod(os.path.join(rootfs, "evil"), 0o755)
    # The payload: anything that would open the interpreter for writing.
    cfg = base_config(["/evil"])
    cfg["root"]["path"] = rootfs
    r = skiff.run(cfg, timeout=30)
    assert r.returncode != 0  # the trampoline refuses to be a shell for the script
    assert digest(SKIFF) == before


def test_container_cannot_write_to_any_visible_proc_exe(skiff):
    before = digest(SKIFF)
    # The init of one container stays a (non-dumpable) copy of skiff until `start`;
    # exec processes join it.  Try every /proc/PID/exe the container can see.
    cfg = base_config(["/bin/sleep", "60"])
    skiff("create", "--bundle", skiff.bundle(cfg), "victim")
    script = ("for p in /proc/[0-9]*; do "
              "  (echo pwned >> $p/exe) 2>/dev/null && echo WROTE $p; "
              "  cat $p/exe > /dev/null 2>&1 && echo READ $p; "
              "done; echo scanned")
    r = skiff("exec", "victim", "/bin/sh", "-c", script)
    assert "scanned" in r.stdout
    assert "WROTE" not in r.stdout
    assert "READ /proc/1" not in r.stdout  # the waiting init is not dumpable
    skiff("start", "victim")
    r = skiff("exec", "victim", "/bin/sh", "-c", script)
    assert "WROTE" not in r.stdout
    assert digest(SKIFF) == before


def test_exec_through_proc_self_exe_interpreter(skiff):
    before = digest(SKIFF)
    cfg = base_config(["/bin/sleep", "60"])
    cfg["root"]["readonly"] = False
    cfg["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"})
    skiff("create", "--bundle", skiff.bundle(cfg), "ex5736")
    skiff("start", "ex5736")
    skiff("exec", "ex5736", "/bin/sh", "-c", "printf '#!/proc/self/exe\\n' > /tmp/evil; chmod +x /tmp/evil")
    r = skiff("exec", "ex5736", "/tmp/evil", check=False, timeout=30)
    assert r.returncode != 0
    assert digest(SKIFF) == before


def test_the_exec_trampoline_is_sealed(skiff):
    # From inside: the program's parent exe chain ends in a memfd, and it is read-only.
    cfg = base_config(["/bin/sh", "-c", "echo x > /proc/self/exe 2>&1 || echo refused"])
    r = skiff.run(cfg)
    assert "refused" in r.stdout


# CVE-2021-30465 / CVE-2024-45310 ------------------------------------------------------

def test_mount_through_symlink_to_host_lands_inside(skiff):
    rootfs = private_rootfs()
    hostdir = tempfile.mkdtemp()
    os.symlink(hostdir, os.path.join(rootfs, "escape"))
    os.symlink("/", os.path.join(rootfs, "slash"))
    cfg = base_config(["/bin/true"])
    cfg["root"]["path"] = rootfs
    cfg["mounts"] += [
        {"destination": "/escape", "type": "tmpfs", "source": "tmpfs"},
        {"destination": "/slash/etc/skiff-test", "type": "tmpfs", "source": "tmpfs"},
        {"destination": "/escape/deeper/still", "type": "bind", "source": "/etc", "options": ["rbind"]},
    ]
    before = host_mounts()
    r = skiff.run(cfg)
    assert r.returncode == 0, r.stderr
    assert os.listdir(hostdir) == []
    assert not os.path.exists("/etc/skiff-test")
    assert host_mounts() == before
    # The symlink was followed inside the rootfs: that is where the mount point was made
    # (what went below it lived in the container's tmpfs and went with it).
    assert os.path.isdir(os.path.join(rootfs, hostdir.lstrip("/")))
    shutil.rmtree(hostdir)


# CVE-2024-21626 -----------------------------------------------------------------------

def test_cwd_through_proc_self_fd_never_reaches_the_host(skiff):
    for n in range(3, 16):
        cfg = base_config(["/bin/sh", "-c", "pwd; ls .. | head -3"])
        cfg["process"]["cwd"] = f"/proc/self/fd/{n}"
        r = skiff.run(cfg)
        if r.returncode == 0:
            assert not r.stdout.startswith("(unreachable)"), (n, r.stdout)
            assert r.stdout.startswith("/"), (n, r.stdout)
        else:
            assert "cwd" in r.stderr, (n, r.stderr)


def test_exec_cwd_through_proc_self_fd(skiff):
    skiff("create", "--bundle", skiff.bundle(base_config(["/bin/sleep", "60"])), "cw")
    skiff("start", "cw")
    for n in range(3, 12):
        r = skiff("exec", "--cwd", f"/proc/self/fd/{n}", "cw", "/bin/pwd", check=False)
        if r.returncode == 0:
            assert r.stdout.startswith("/") and "unreachable" not in r.stdout, (n, r.stdout)


def test_exec_sees_only_stdio(skiff):
    skiff("create", "--bundle", skiff.bundle(base_config(["/bin/sleep", "60"])), "fdx")
    skiff("start", "fdx")
    r = skiff("exec", "fdx", "/bin/ls", "/proc/self/fd")
    assert sorted(int(x) for x in r.stdout.split()) == [0, 1, 2, 3]  # 3: ls's own dir fd
    pid = skiff.state("fdx")["pid"]
    # The init, seen from the host, holds nothing but stdio either.
    assert sorted(int(x) for x in os.listdir(f"/proc/{pid}/fd")) == [0, 1, 2]


# CVE-2025-31133 -----------------------------------------------------------------------

def test_dev_null_symlink_is_never_bound_over_masked_paths(skiff):
    rootfs = private_rootfs()
    dev = os.path.join(rootfs, "dev")
    os.makedirs(dev, exist_ok=True)
    os.symlink("/proc/sys/kernel/core_pattern", os.path.join(dev, "null"))
    cfg = base_config(["/bin/true"])
    cfg["root"]["path"] = rootfs
    # The rootfs's own /dev (a bind of itself), so skiff adds no nodes of its own.
    cfg["mounts"] = [m for m in cfg["mounts"] if not m["destination"].startswith("/dev")]
    cfg["mounts"].append({"destination": "/dev", "type": "bind", "source": dev, "options": ["rbind"]})
    before = host_mounts()
    r = skiff("create", "--bundle", skiff.bundle(cfg), "null1", check=False)
    assert r.returncode == 1
    assert "not the null device" in r.stderr
    assert host_mounts() == before


# CVE-2025-52565 -----------------------------------------------------------------------

def test_dev_console_symlink_is_not_followed(skiff, tmp_path):
    import console
    rootfs = private_rootfs()
    dev = os.path.join(rootfs, "dev")
    os.makedirs(os.path.join(dev, "pts"), exist_ok=True)
    target = tmp_path / "host-file"
    target.write_text("host\n")
    os.symlink(str(target), os.path.join(dev, "console"))
    cfg = base_config(["/bin/true"])
    cfg["root"]["path"] = rootfs
    cfg["process"]["terminal"] = True
    cfg["mounts"] = [m for m in cfg["mounts"] if m["destination"] not in ("/dev", "/dev/shm", "/dev/mqueue")]
    cfg["mounts"].insert(1, {"destination": "/dev", "type": "bind", "source": dev, "options": ["rbind"]})
    sock = str(tmp_path / "c.sock")
    server = console.listen(sock)
    before = host_mounts()
    r = skiff("create", "--bundle", skiff.bundle(cfg), "--console-socket", sock, "con1", check=False)
    assert r.returncode == 1 and "console" in r.stderr
    assert target.read_text() == "host\n"
    assert host_mounts() == before
    server.close()


def test_dev_pts_symlink_stays_in_the_rootfs(skiff, tmp_path):
    import console
    rootfs = private_rootfs()
    os.makedirs(os.path.join(rootfs, "dev"), exist_ok=True)
    hostdir = tempfile.mkdtemp()
    os.symlink(hostdir, os.path.join(rootfs, "dev", "pts"))
    cfg = base_config(["/bin/true"])
    cfg["root"]["path"] = rootfs
    cfg["process"]["terminal"] = True
    cfg["mounts"] = [m for m in cfg["mounts"] if m["destination"] != "/dev"]
    sock = str(tmp_path / "p.sock")
    server = console.listen(sock)
    r = skiff("create", "--bundle", skiff.bundle(cfg), "--console-socket", sock, "pts1", check=False)
    # Whatever happened, nothing was mounted on or created in the host directory.
    assert os.listdir(hostdir) == []
    assert hostdir not in host_mounts()
    if r.returncode == 0:
        skiff("delete", "--force", "pts1")
    server.close()
    shutil.rmtree(hostdir)


# CVE-2025-52881 -----------------------------------------------------------------------

def test_sysctl_writes_cannot_be_redirected_by_container_mounts(skiff, tmp_path):
    decoy = tmp_path / "decoy"
    decoy.write_text("untouched\n")
    os.chmod(decoy, 0o644)
    cfg = base_config(["/bin/cat", "/proc/sys/kernel/domainname"])
    cfg["linux"]["readonlyPaths"] = []
    # A bind over the sysctl's path inside the container, the redirection runc fell for.
    cfg["mounts"].append({"destination": "/proc/sys/kernel/domainname", "type": "bind", "source": str(decoy),
                          "options": ["bind"]})
    cfg["linux"]["sysctl"] = {"kernel.domainname": "written-properly"}
    r = skiff.run(cfg)
    assert r.returncode == 0, r.stderr
    assert decoy.read_text() == "untouched\n"
    assert r.stdout == "untouched\n"  # the container sees the decoy at that path…
    # …while the real sysctl (in the container's UTS namespace) got the value.
    cfg["mounts"].pop()
    cfg["process"]["args"] = ["/bin/cat", "/proc/sys/kernel/domainname"]
    assert skiff.run(cfg).stdout == "written-properly\n"
