"""podman 4.3 + conmon with skiff registered under [engine.runtimes]."""
import os
import shutil
import time

import pytest

from conftest import SKIFF, WORK, sh

pytestmark = pytest.mark.skipif(not shutil.which("podman"), reason="podman is not installed")


@pytest.fixture(scope="module")
def podman(rootfs):
    d = os.path.join(WORK, "podman")
    for sub in ("runroot", "root", "tmp"):
        os.makedirs(os.path.join(d, sub))
    with open(os.path.join(d, "storage.conf"), "w") as f:
        f.write(f'[storage]\ndriver = "vfs"\nrunroot = "{d}/runroot"\ngraphroot = "{d}/root"\n')
    with open(os.path.join(d, "containers.conf"), "w") as f:
        # This VM lacks CAP_SYS_RESOURCE and caps nofile at 20000: podman's default
        # ulimits (1048576) cannot be set here by any runtime, so they are lowered.
        f.write(f"""[containers]
netns = "none"
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "{d}/events.log"
tmp_dir = "{d}/tmp"
runtime_supports_json = ["crun", "runc", "skiff"]
[engine.runtimes]
skiff = ["{SKIFF}"]
""")
    env = dict(os.environ, CONTAINERS_STORAGE_CONF=f"{d}/storage.conf", CONTAINERS_CONF=f"{d}/containers.conf",
               XDG_RUNTIME_DIR="")

    def run(args, check=True, timeout=120):
        return sh(["podman", "--runtime", "skiff"] + args, check=check, timeout=timeout, env=env)

    run.rootfs = rootfs
    run.env = env
    yield run
    sh(["podman", "--runtime", "skiff", "rm", "-af", "-t", "0"], check=False, env=env)


# One test per operation, in order: later ones use the container "p1" started earlier.
ROOT = ["--network", "none", "--rootfs"]


def test_run_prints_output(podman):
    assert podman(["run", "--rm"] + ROOT + [podman.rootfs, "/bin/echo", "hello"])[1] == "hello\n"


def test_run_exit_code(podman):
    assert podman(["run", "--rm"] + ROOT + [podman.rootfs, "/bin/sh", "-c", "exit 42"], check=False)[0] == 42


def test_missing_binary_is_127_with_skiffs_words(podman):
    rc, out = podman(["run", "--rm"] + ROOT + [podman.rootfs, "/bin/nope"], check=False)
    assert rc == 127 and 'stat /bin/nope: no such file or directory' in out  # skiff's text, via the JSON log


def test_non_executable_is_126(podman):
    assert podman(["run", "--rm"] + ROOT + [podman.rootfs, "/etc/passwd"], check=False)[0] == 126


def test_default_pids_limit_is_enforced(podman):
    # podman's default pids limit (2048) reaches the pids controller, v1 or v2.
    rc, out = podman(["run", "--rm"] + ROOT + [podman.rootfs, "/bin/sh", "-c",
                      "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max"])
    assert out.strip() == "2048"


def test_run_with_a_terminal(podman):
    rc, out = sh(f"script -q -e -c \"podman --runtime skiff run -it --rm --network none --rootfs {podman.rootfs} "
                 f"/bin/sh -c 'sleep 0.3; tty; exit 7'\" /dev/null </dev/null", check=False, env=podman.env)
    assert rc == 7 and "/dev/pts/0" in out


def test_run_detached(podman):
    podman(["run", "-d", "--name", "p1"] + ROOT + [podman.rootfs, "/bin/sh", "-c",
            "trap 'exit 0' TERM; while :; do sleep 0.1; done"])
    assert "p1 Up" in podman(["ps", "--format", "{{.Names}} {{.Status}}"])[1]


def test_exec(podman):
    assert podman(["exec", "p1", "/bin/echo", "hi"])[1] == "hi\n"


def test_exec_missing_binary(podman):
    assert podman(["exec", "p1", "/bin/nope"], check=False)[0] == 127


def test_exec_detached(podman):
    podman(["exec", "-d", "p1", "/bin/sleep", "5"])


def test_exec_with_a_terminal(podman):
    rc, out = sh("script -q -e -c \"podman --runtime skiff exec -it p1 /bin/sh -c 'tty; exit 3'\" /dev/null </dev/null",
                 check=False, env=podman.env)
    assert rc == 3 and "/dev/pts/" in out


def test_top(podman):
    assert "sleep 5" in podman(["top", "p1"])[1]


def test_pause(podman):
    podman(["pause", "p1"])
    assert "p1 Paused" in podman(["ps", "-a", "--format", "{{.Names}} {{.Status}}"])[1]


def test_unpause(podman):
    podman(["unpause", "p1"])
    assert "p1 Up" in podman(["ps", "--format", "{{.Names}} {{.Status}}"])[1]


def test_kill_with_a_signal(podman):
    podman(["kill", "--signal", "HUP", "p1"])  # the init traps only TERM: HUP leaves it running
    assert "p1 Up" in podman(["ps", "--format", "{{.Names}} {{.Status}}"])[1]


def test_stop(podman):
    t0 = time.time()
    podman(["stop", "-t", "5", "p1"])
    assert time.time() - t0 < 5  # TERM reached the init's trap, no SIGKILL needed
    assert "Exited (0)" in podman(["ps", "-a", "--format", "{{.Names}} {{.Status}}"])[1]


def test_rm(podman):
    podman(["rm", "p1"])
    assert "p1" not in podman(["ps", "-a", "--format", "{{.Names}}"])[1]


def test_info_shows_the_runtime_version(podman):
    assert "skiff version" in podman(["info"])[1]
