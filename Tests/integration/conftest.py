"""Integration harness: real containers, as root, on this host.

SKIFF is the binary under test and ROOTFS a busybox rootfs built from Debian's
busybox-static (the Makefile passes both).  Each test gets its own state root and
bundle.  Tests wait on skiff's own state (a zombie counts as stopped), never on
/proc entries vanishing, since this host's PID 1 reaps orphans slowly.
"""
import atexit
import json
import os
import shutil
import subprocess
import tempfile

import pytest

SKIFF = os.environ.get("SKIFF") or os.path.abspath(".build/release/skiff")
SOURCE_ROOTFS = os.environ.get("ROOTFS") or os.path.abspath("spec-examples/rootfs")

# Mount destinations get created inside the rootfs (as runc does): give the tests their
# own copy so spec-examples/rootfs stays pristine.
_WORK = tempfile.mkdtemp(prefix="skiff-it-")
os.chmod(_WORK, 0o755)  # user-namespaced containers must traverse it
ROOTFS = os.path.join(_WORK, "rootfs")
subprocess.run(["cp", "-a", SOURCE_ROOTFS, ROOTFS], check=True)
atexit.register(shutil.rmtree, _WORK, True)


def private_rootfs():
    """A copy of the rootfs a test may change or make hostile (traversable by userns)."""
    d = tempfile.mkdtemp(dir=_WORK)
    os.chmod(d, 0o755)
    r = os.path.join(d, "rootfs")
    subprocess.run(["cp", "-a", ROOTFS, r], check=True)
    return r


def base_config(args):
    """`skiff spec` output, pointed at the test rootfs, without a terminal."""
    tmp = tempfile.mkdtemp()
    subprocess.run([SKIFF, "spec", "--bundle", tmp], check=True)
    with open(os.path.join(tmp, "config.json")) as f:
        cfg = json.load(f)
    shutil.rmtree(tmp)
    cfg["root"]["path"] = ROOTFS
    cfg["process"]["terminal"] = False
    cfg["process"]["args"] = args
    return cfg


class Skiff:
    def __init__(self, root, workdir):
        self.root = root
        self.workdir = workdir
        self.counter = 0

    def cmd(self, *args):
        return [SKIFF, "--root", self.root, *args]

    def __call__(self, *args, check=True, input=None, timeout=60, **kw):
        # Files, not pipes: a created container inherits skiff's stdio and keeps it open,
        # so waiting for EOF on a pipe would wait for the container.
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            p = subprocess.run(self.cmd(*args), stdout=out, stderr=err, text=True, input=input,
                               timeout=timeout, **kw)
            out.seek(0)
            err.seek(0)
            r = subprocess.CompletedProcess(p.args, p.returncode, out.read(), err.read())
        if check and r.returncode != 0:
            raise AssertionError(f"skiff {' '.join(args)} exited {r.returncode}: {r.stderr}")
        return r

    def bundle(self, cfg, name=None):
        self.counter += 1
        path = os.path.join(self.workdir, name or f"bundle{self.counter}")
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, "config.json"), "w") as f:
            json.dump(cfg, f)
        return path

    def run(self, cfg, *extra, id=None, check=False, **kw):
        """`skiff run` of a config; returns the CompletedProcess."""
        b = self.bundle(cfg)
        cid = id or f"t{os.getpid()}-{self.counter}"
        return self("run", "--bundle", b, *extra, cid, check=check, **kw)

    def state(self, cid):
        return json.loads(self("state", cid).stdout)


@pytest.fixture
def skiff(tmp_path):
    root = str(tmp_path / "state")
    s = Skiff(root, str(tmp_path))
    yield s
    # Never leave a container behind, whatever the test did.
    if os.path.isdir(root):
        for cid in os.listdir(root):
            subprocess.run(s.cmd("delete", "--force", cid), capture_output=True)


@pytest.fixture
def cfg():
    return base_config(["/bin/true"])


def wait_status(skiff, cid, want, timeout=10.0):
    import time
    deadline = time.time() + timeout
    st = None
    while time.time() < deadline:
        r = skiff("state", cid, check=False)
        if r.returncode != 0:  # not created yet
            time.sleep(0.02)
            continue
        import json
        st = json.loads(r.stdout)["status"]
        if st == want:
            return
        time.sleep(0.02)
    raise AssertionError(f"{cid}: status {st}, wanted {want}")
