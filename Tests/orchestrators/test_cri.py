"""Kubernetes' path: containerd's CRI plugin with runtime type io.containerd.runc.v2 and
BinaryName = skiff (a RuntimeClass handler), driven by a small CRI v1 client."""
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time

import pytest

from conftest import SKIFF, WORK, sh, stop_pid, unmount_below, wait_for

grpc = pytest.importorskip("grpc")
pytest.importorskip("grpc_tools")
pytestmark = pytest.mark.skipif(not shutil.which("containerd"), reason="containerd is not installed")

HERE = os.path.dirname(os.path.abspath(__file__))
IMAGE = "docker.io/library/skiff-busybox:1"
PAUSE = "docker.io/library/skiff-pause:1"


def oci_archive(rootfs, name, cmd, out):
    """An OCI image layout tarball of `rootfs` (one layer), for `ctr images import`."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as t:
        t.add(rootfs, arcname=".", filter=lambda i: (setattr(i, "uid", 0), setattr(i, "gid", 0), i)[2])
    diff_id = hashlib.sha256(raw.getvalue()).hexdigest()
    layer = gzip.compress(raw.getvalue(), 1)
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "config": {"Cmd": cmd, "Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]},
                         "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff_id]}}).encode()
    blobs = {}

    def blob(data):
        d = hashlib.sha256(data).hexdigest()
        blobs[d] = data
        return {"digest": "sha256:" + d, "size": len(data)}

    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": dict(blob(config), mediaType="application/vnd.oci.image.config.v1+json"),
                           "layers": [dict(blob(layer), mediaType="application/vnd.oci.image.layer.v1.tar+gzip")]}).encode()
    index = {"schemaVersion": 2, "manifests": [dict(blob(manifest), mediaType="application/vnd.oci.image.manifest.v1+json",
                                                     annotations={"io.containerd.image.name": name,
                                                                  "org.opencontainers.image.ref.name": name.rsplit(":", 1)[1]})]}
    with tarfile.open(out, "w") as t:
        def put(path, data):
            ti = tarfile.TarInfo(path)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
        put("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        put("index.json", json.dumps(index).encode())
        for d, data in blobs.items():
            put(f"blobs/sha256/{d}", data)


@pytest.fixture(scope="module")
def cri(rootfs):
    d = os.path.join(WORK, "cri")
    for sub in ("root", "state", "opt", "net.d", "runc-root", "logs"):
        os.makedirs(os.path.join(d, sub))
    with open(f"{d}/config.toml", "w") as f:
        f.write(f"""version = 2
root = "{d}/root"
state = "{d}/state"
[grpc]
  address = "{d}/c.sock"
[ttrpc]
  address = "{d}/c.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "{d}/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "{PAUSE}"
  restrict_oom_score_adj = true   # this VM lacks CAP_SYS_RESOURCE
  disable_apparmor = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "native"
    default_runtime_name = "skiff"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.skiff]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.skiff.options]
        BinaryName = "{SKIFF}"
        Root = "{d}/runc-root"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "{d}/net.d"
""")
    log = open(f"{d}/containerd.log", "w")
    p = subprocess.Popen(["containerd", "--config", f"{d}/config.toml"], stdout=log, stderr=log)
    wait_for(f"{d}/c.sock")
    for img, cmd in ((IMAGE, ["/bin/sh"]), (PAUSE, ["/bin/sleep", "1000000"])):
        tar = f"{d}/{img.rsplit('/', 1)[1].replace(':', '-')}.tar"
        oci_archive(rootfs, img, cmd, tar)
        sh(["ctr", "-a", f"{d}/c.sock", "-n", "k8s.io", "images", "import", "--snapshotter", "native", tar])
    gen = os.path.join(d, "gen")
    os.makedirs(gen)
    sh([sys.executable, "-m", "grpc_tools.protoc", "-I", HERE + "/cri", f"--python_out={gen}",
        f"--grpc_python_out={gen}", HERE + "/cri/api.proto"])
    sys.path.insert(0, gen)
    import api_pb2
    import api_pb2_grpc
    channel = grpc.insecure_channel(f"unix://{d}/c.sock")
    stub = api_pb2_grpc.RuntimeServiceStub(channel)
    stub.pb = api_pb2
    stub.dir = d
    yield stub
    channel.close()
    stop_pid(p.pid)
    p.wait(timeout=30)
    subprocess.run("pkill -f 'containerd-shim-runc-v2.*" + d + "'", shell=True)
    unmount_below(d)


def test_pod_lifecycle_on_skiff(cri):
    pb = cri.pb
    sandbox = pb.PodSandboxConfig(
        metadata=pb.PodSandboxMetadata(name="pod1", uid="uid-1", namespace="default"),
        log_directory=f"{cri.dir}/logs",  # no hostname: the pod shares the node's UTS namespace
        linux=pb.LinuxPodSandboxConfig(
            cgroup_parent="/skiff-cri-pod",
            security_context=pb.LinuxSandboxSecurityContext(
                namespace_options=pb.NamespaceOption(network=pb.NODE, pid=pb.CONTAINER, ipc=pb.POD))))
    sb = cri.RunPodSandbox(pb.RunPodSandboxRequest(config=sandbox, runtime_handler="skiff"), timeout=60).pod_sandbox_id
    cfg = pb.ContainerConfig(metadata=pb.ContainerMetadata(name="c1"), image=pb.ImageSpec(image=IMAGE),
                             command=["/bin/sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"],
                             log_path="c1.log")
    cid = cri.CreateContainer(pb.CreateContainerRequest(pod_sandbox_id=sb, config=cfg, sandbox_config=sandbox),
                              timeout=60).container_id
    cri.StartContainer(pb.StartContainerRequest(container_id=cid), timeout=60)
    st = cri.ContainerStatus(pb.ContainerStatusRequest(container_id=cid), timeout=30).status
    assert st.state == pb.CONTAINER_RUNNING

    r = cri.ExecSync(pb.ExecSyncRequest(container_id=cid, cmd=["/bin/sh", "-c", "echo out; echo err >&2; exit 3"],
                                        timeout=20), timeout=30)
    assert (r.stdout, r.stderr, r.exit_code) == (b"out\n", b"err\n", 3)

    cri.UpdateContainerResources(pb.UpdateContainerResourcesRequest(
        container_id=cid, linux=pb.LinuxContainerResources(cpu_shares=512, memory_limit_in_bytes=64 << 20)), timeout=30)
    shares = [f"{root}/skiff-cri-pod/{cid}/cpu.shares" for root in ("/sys/fs/cgroup/cpu",)]
    weight = f"/sys/fs/cgroup/skiff-cri-pod/{cid}/cpu.weight"
    if os.path.exists(shares[0]):
        assert open(shares[0]).read().strip() == "512"
        assert int(open(f"/sys/fs/cgroup/memory/skiff-cri-pod/{cid}/memory.limit_in_bytes").read()) == 64 << 20
    else:
        assert open(weight).read().strip() == "20"

    t0 = time.time()
    cri.StopContainer(pb.StopContainerRequest(container_id=cid, timeout=2), timeout=60)
    assert time.time() - t0 < 2  # the TERM reached the process
    st = cri.ContainerStatus(pb.ContainerStatusRequest(container_id=cid), timeout=30).status
    assert st.state == pb.CONTAINER_EXITED and st.exit_code == 0
    cri.RemoveContainer(pb.RemoveContainerRequest(container_id=cid), timeout=60)
    cri.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=sb), timeout=60)
    cri.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=sb), timeout=60)
    for h in ("memory", "cpu", "pids", "unified"):
        path = f"/sys/fs/cgroup/{h}/skiff-cri-pod/{cid}"
        assert not os.path.exists(path), path
    # The pod's parent cgroups are the caller's to remove, as with runc.
    for h in os.listdir("/sys/fs/cgroup"):
        if os.path.isdir(f"/sys/fs/cgroup/{h}/skiff-cri-pod"):
            os.rmdir(f"/sys/fs/cgroup/{h}/skiff-cri-pod")
