"""The root filesystem: mount types and options, read-only root, masked and read-only
paths, /dev contents, propagation, and destinations that never leave the rootfs."""
import os

from conftest import ROOTFS, base_config, private_rootfs


def run_ok(skiff, cfg):
    r = skiff.run(cfg)
    assert r.returncode == 0, r.stderr
    return r.stdout


def mountinfo_line(text, dest):
    for line in text.splitlines():
        f = line.split()
        if len(f) > 4 and f[4] == dest:
            return f
    raise AssertionError(f"{dest} not mounted:\n{text}")


def test_tmpfs_with_options(skiff):
    cfg = base_config(["/bin/sh", "-c", "cat /proc/self/mountinfo; stat -c %a /scratch"])
    cfg["mounts"].append({"destination": "/scratch", "type": "tmpfs", "source": "tmpfs",
                          "options": ["nosuid", "nodev", "noexec", "mode=1700", "size=1m"]})
    text = run_ok(skiff, cfg)
    f = mountinfo_line(text, "/scratch")
    assert {"nosuid", "nodev", "noexec"} <= set(f[5].split(","))
    assert text.strip().endswith("1700")


def test_bind_mounts_ro_and_rw(skiff, tmp_path):
    src = tmp_path / "share"
    src.mkdir()
    (src / "in").write_text("from host\n")
    cfg = base_config(["/bin/sh", "-c", "cat /ro/in; echo x > /ro/new || echo ro-refused; echo y > /rw/new && echo rw-ok"])
    cfg["mounts"] += [
        {"destination": "/ro", "type": "bind", "source": str(src), "options": ["rbind", "ro"]},
        {"destination": "/rw", "type": "none", "source": str(src), "options": ["bind", "rw"]},
    ]
    text = run_ok(skiff, cfg)
    assert "from host" in text and "ro-refused" in text and "rw-ok" in text
    assert (src / "new").read_text() == "y\n"


def test_bind_mount_of_a_file(skiff, tmp_path):
    f = tmp_path / "file.txt"
    f.write_text("one file\n")
    cfg = base_config(["/bin/cat", "/etc/extra/file.txt"])
    cfg["mounts"].append({"destination": "/etc/extra/file.txt", "type": "bind", "source": str(f), "options": ["bind", "ro"]})
    assert run_ok(skiff, cfg) == "one file\n"


def test_relative_bind_source_resolves_against_bundle(skiff):
    cfg = base_config(["/bin/cat", "/data/hello"])
    cfg["mounts"].append({"destination": "/data", "type": "bind", "source": "data", "options": ["bind"]})
    b = skiff.bundle(cfg, "relbundle")
    os.makedirs(os.path.join(b, "data"))
    with open(os.path.join(b, "data", "hello"), "w") as fh:
        fh.write("relative\n")
    r = skiff("run", "--bundle", b, "rel", check=False)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "relative\n"


def test_proc_sysfs_mqueue_devpts_cgroup2(skiff):
    cfg = base_config(["/bin/cat", "/proc/self/mountinfo"])
    cfg["mounts"].append({"destination": "/sys/fs/cgroup", "type": "cgroup2", "source": "cgroup2",
                          "options": ["nosuid", "noexec", "nodev", "ro"]})
    text = run_ok(skiff, cfg)
    kinds = {mountinfo_line(text, d)[-3] for d in ("/proc", "/sys", "/dev/mqueue", "/dev/pts", "/dev", "/sys/fs/cgroup")}
    assert kinds == {"proc", "sysfs", "mqueue", "devpts", "tmpfs", "cgroup2"}


def test_readonly_root(skiff):
    cfg = base_config(["/bin/sh", "-c", "touch /x 2>/dev/null && echo wrote || echo refused"])
    cfg["root"]["readonly"] = True
    assert run_ok(skiff, cfg) == "refused\n"
    cfg["root"]["readonly"] = False
    cfg["process"]["args"] = ["/bin/sh", "-c", "touch /skiff-rw-test && rm /skiff-rw-test && echo wrote"]
    assert run_ok(skiff, cfg) == "wrote\n"


def test_masked_and_readonly_paths(skiff):
    cfg = base_config(["/bin/sh", "-c",
                       "cat /proc/cpuinfo | wc -c; ls /proc/tty | wc -l; "
                       "echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo wrote || echo ro"])
    cfg["linux"]["maskedPaths"] += ["/proc/cpuinfo", "/proc/tty"]
    text = run_ok(skiff, cfg).split()
    assert text == ["0", "0", "ro"]


def test_default_dev_contents(skiff):
    cfg = base_config(["/bin/sh", "-c", "ls /dev; stat -c '%t:%T %a' /dev/null; readlink /dev/ptmx; readlink /dev/fd"])
    cfg["mounts"] = [m for m in cfg["mounts"] if not m["destination"].startswith("/dev")]
    text = run_ok(skiff, cfg).split()
    for name in ("null", "zero", "full", "random", "urandom", "tty", "ptmx", "fd", "stdin", "stdout", "stderr", "shm", "pts"):
        assert name in text, name
    assert "1:3" in text and "666" in text
    assert "pts/ptmx" in text and "/proc/self/fd" in text


def test_linux_devices(skiff):
    cfg = base_config(["/bin/sh", "-c", "stat -c '%F %t:%T %a %u:%g' /dev/mynull /dev/sub/fifo"])
    cfg["linux"]["devices"] = [
        {"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 0o640, "uid": 7, "gid": 8},
        {"path": "/dev/sub/fifo", "type": "p", "fileMode": 0o600},
    ]
    lines = run_ok(skiff, cfg).splitlines()
    assert lines[0] == "character special file 1:3 640 7:8"
    assert lines[1].startswith("fifo 0:0 600")


def test_mount_destination_symlink_stays_in_rootfs(skiff, tmp_path):
    # The rootfs has /evil -> /tmp/<host dir>; the mount must land inside the rootfs.
    import pathlib
    rootfs = pathlib.Path(private_rootfs())
    host_dir = tmp_path / "hostdir"
    host_dir.mkdir()
    os.symlink(str(host_dir), rootfs / "evil")
    cfg = base_config(["/bin/sh", "-c", "cat /proc/self/mountinfo | grep -c ' /tmp/' ; ls -d /evil"])
    cfg["root"]["path"] = str(rootfs)
    cfg["mounts"].append({"destination": "/evil", "type": "tmpfs", "source": "tmpfs"})
    r = skiff.run(cfg)
    assert r.returncode == 0, r.stderr
    assert os.listdir(host_dir) == []
    # Nothing was mounted on the host directory either.
    with open("/proc/self/mountinfo") as f:
        assert str(host_dir) not in f.read()


def test_mount_destination_creation_never_escapes(skiff, tmp_path):
    import pathlib
    rootfs = pathlib.Path(private_rootfs())
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(str(outside), rootfs / "link")
    cfg = base_config(["/bin/true"])
    cfg["root"]["path"] = str(rootfs)
    cfg["root"]["readonly"] = False
    cfg["mounts"].append({"destination": "/link/made/here", "type": "tmpfs", "source": "tmpfs"})
    r = skiff.run(cfg)
    assert r.returncode == 0, r.stderr
    assert os.listdir(outside) == []
    assert os.path.isdir(rootfs / str(outside).lstrip("/") / "made" / "here")


def test_rootfs_propagation_private(skiff):
    cfg = base_config(["/bin/cat", "/proc/self/mountinfo"])
    cfg["linux"]["rootfsPropagation"] = "rprivate"
    text = run_ok(skiff, cfg)
    root = mountinfo_line(text, "/")
    assert not any(x.startswith("shared:") or x.startswith("master:") for x in root[6:root.index("-")])


def test_no_pivot(skiff):
    r = skiff.run(base_config(["/bin/sh", "-c", "ls /bin/busybox"]), "--no-pivot")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "/bin/busybox\n"


def test_sysctl(skiff):
    cfg = base_config(["/bin/cat", "/proc/sys/net/ipv4/ip_unprivileged_port_start", "/proc/sys/kernel/msgmax"])
    cfg["linux"]["sysctl"] = {"net.ipv4.ip_unprivileged_port_start": "0", "kernel.msgmax": "12345"}
    assert run_ok(skiff, cfg).split() == ["0", "12345"]
    # The host's values are untouched (the writes went to the container's namespaces).
    with open("/proc/sys/kernel/msgmax") as f:
        assert f.read().strip() != "12345"


def test_idmapped_bind_mount(skiff):
    import pathlib
    import tempfile
    # Under the (world-traversable) rootfs work dir: the namespace's root must reach it.
    data = pathlib.Path(tempfile.mkdtemp(dir=os.path.dirname(ROOTFS)))
    (data / "owned-by-host-root").write_text("x")
    os.chmod(data, 0o777)
    cfg = base_config(["/bin/sh", "-c", "stat -c %u /idmapped/owned-by-host-root /plain/owned-by-host-root; "
                                        "touch /idmapped/made-inside"])
    cfg["linux"]["namespaces"].append({"type": "user"})
    cfg["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    cfg["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    for m in cfg["mounts"]:
        if m["destination"] == "/dev/pts":
            m["options"].remove("gid=5")
        if m["destination"] == "/sys":
            m.update(type="bind", source="/sys", options=["rbind", "ro"])
    cfg["mounts"] += [
        {"destination": "/idmapped", "type": "bind", "source": str(data), "options": ["bind", "idmap"]},
        {"destination": "/plain", "type": "bind", "source": str(data), "options": ["bind"]},
    ]
    # The user namespace's root cannot create mount points in a host-owned rootfs.
    os.makedirs(os.path.join(ROOTFS, "idmapped"), exist_ok=True)
    os.makedirs(os.path.join(ROOTFS, "plain"), exist_ok=True)
    r = skiff.run(cfg)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["0", "65534"]
    # Created as root inside, through the mapping: root-owned on the host.
    assert os.stat(data / "made-inside").st_uid == 0


def test_rro_makes_submounts_read_only_too(skiff, tmp_path):
    import subprocess
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(src / "sub")], check=True)
    try:
        script = ("touch /data/x 2>/dev/null && echo top-rw || echo top-ro; "
                  "touch /data/sub/y 2>/dev/null && echo sub-rw || echo sub-ro")
        cfg = base_config(["/bin/sh", "-c", script])
        cfg["mounts"].append({"destination": "/data", "type": "bind", "source": str(src), "options": ["rbind", "ro"]})
        assert run_ok(skiff, cfg).split() == ["top-ro", "sub-rw"]  # plain ro stops at the top mount
        cfg["mounts"][-1]["options"] = ["rbind", "rro"]
        assert run_ok(skiff, cfg).split() == ["top-ro", "sub-ro"]
    finally:
        subprocess.run(["umount", str(src / "sub")])


def test_mount_propagation_rslave_sees_host_mounts(skiff, tmp_path):
    import subprocess
    import time
    src = tmp_path / "shared"
    src.mkdir()
    subprocess.run(["mount", "--bind", str(src), str(src)], check=True)
    subprocess.run(["mount", "--make-shared", str(src)], check=True)
    try:
        for prop, expect in (("rslave", "1"), ("rprivate", "0")):
            cfg = base_config(["/bin/sleep", "60"])
            cfg["mounts"].append({"destination": "/data", "type": "bind", "source": str(src), "options": ["rbind", prop]})
            cid = f"prop-{prop}"
            skiff("create", "--bundle", skiff.bundle(cfg), cid)
            skiff("start", cid)
            (src / prop).mkdir()
            subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(src / prop)], check=True)
            time.sleep(0.1)
            r = skiff("exec", cid, "/bin/sh", "-c", f"grep -c ' /data/{prop} ' /proc/self/mountinfo; true")
            subprocess.run(["umount", str(src / prop)])
            assert r.stdout.strip() == expect, (prop, r.stdout)
            skiff("delete", "--force", cid)
    finally:
        subprocess.run(["umount", "-R", str(src)])
