#!/bin/sh
# `make bench`: hyperfine on `run /bin/true` of the same default bundle under skiff and
# Debian's runc; prints both means and the ratio (target: skiff <= 0.15 x runc).
set -eu
skiff=$(realpath "$1")
rootfs=$(realpath "$2")
work=$(mktemp -d /tmp/skiff-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bundle"
"$skiff" spec --bundle "$work/bundle"
python3 - "$work/bundle/config.json" "$rootfs" <<'PY'
import json, sys
path, rootfs = sys.argv[1], sys.argv[2]
c = json.load(open(path))
c["root"]["path"] = rootfs
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
json.dump(c, open(path, "w"))
PY
cd "$work/bundle"
hyperfine --warmup 5 --runs "${RUNS:-100}" -N \
    --export-json "$work/result.json" \
    -n skiff "$skiff --root $work/skiff-state run --bundle $work/bundle bench" \
    -n runc "runc --root $work/runc-state run --bundle $work/bundle bench"
python3 - "$work/result.json" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
print(f"skiff {r['skiff']*1000:.2f} ms, runc {r['runc']*1000:.2f} ms, ratio {r['skiff']/r['runc']:.3f} (target <= 0.15)")
PY
