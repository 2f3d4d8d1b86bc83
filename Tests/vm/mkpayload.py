#!/usr/bin/env python3
"""Build the cgroup v2 guest payload: a busybox rootfs, the bundles cgtest.sh runs, and
cgtest.sh itself.  Usage: mkpayload.py SKIFF ROOTFS OUTDIR"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

skiff, rootfs, out = sys.argv[1:4]
here = os.path.dirname(os.path.abspath(__file__))
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
subprocess.run(["cp", "-a", rootfs, os.path.join(out, "rootfs")], check=True)
shutil.copy(os.path.join(here, "cgtest.sh"), out)

tmp = tempfile.mkdtemp()
subprocess.run([skiff, "spec", "--bundle", tmp], check=True)
base = json.load(open(os.path.join(tmp, "config.json")))
shutil.rmtree(tmp)
base["root"]["path"] = "../rootfs"
base["process"]["terminal"] = False
caps = base["process"]["capabilities"]
for k in caps:
    caps[k] = caps[k] + ["CAP_MKNOD"]
base["mounts"] += [
    {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["dev"]},
    {"destination": "/sys/fs/cgroup", "type": "cgroup2", "source": "cgroup2", "options": ["ro", "nosuid", "nodev", "noexec"]},
]

MIB = 1 << 20


def bundle(name, args, resources=None, devices=None):
    cfg = json.loads(json.dumps(base))
    cfg["process"]["args"] = args
    if resources:
        cfg["linux"]["resources"] = resources
    if devices:
        cfg["linux"]["devices"] = devices
    os.makedirs(os.path.join(out, name))
    with open(os.path.join(out, name, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)


wait_go = "while [ ! -e /tmp/go ]; do sleep 0.05; done; "
# 128 MB held in a shell variable under a 64 MiB limit (swap included: no escape).
bundle("oom", ["/bin/sh", "-c", wait_go + "x=$(head -c 134217728 /dev/zero | tr '\\000' a); echo survived"],
       {"memory": {"limit": 64 * MIB, "swap": 64 * MIB}})
# An inner shell forks until it cannot (busybox sh gives up at the first failure),
# noting each success with a builtin; the outer one counts with builtins too.
bundle("pids", ["/bin/sh", "-c", "cat /sys/fs/cgroup/pids.max; "
                "sh -c 'i=0; while [ $i -lt 30 ]; do sleep 3 & echo x >> /tmp/forks; i=$((i+1)); done' 2>/dev/null; "
                "n=0; while read l; do n=$((n+1)); done < /tmp/forks; echo $n"],
       {"pids": {"limit": 10}})
bundle("cpu", ["/bin/sh", "-c", "cat /sys/fs/cgroup/cpu.max /sys/fs/cgroup/cpu.weight; end=$(($(date +%s) + 2)); "
               "while [ $(date +%s) -lt $end ]; do :; done; grep nr_throttled /sys/fs/cgroup/cpu.stat"],
       {"cpu": {"quota": 10000, "period": 100000, "shares": 512}})
bundle("io", ["/bin/sh", "-c", "cat /sys/fs/cgroup/io.max; s=$(date +%s); "
              "dd if=/dev/ram0 of=/dev/null bs=64k count=48 iflag=direct 2>/dev/null; echo elapsed $(($(date +%s) - s))"],
       {"blockIO": {"throttleReadBpsDevice": [{"major": 1, "minor": 0, "rate": MIB}]}},
       devices=[{"path": "/dev/ram0", "type": "b", "major": 1, "minor": 0, "fileMode": 0o600}])
bundle("sleeper", ["/bin/sleep", "300"],
       {"memory": {"limit": 128 * MIB}, "pids": {"limit": 100},
        "devices": [{"allow": False, "access": "rwm"}]})
