#!/bin/sh
# The cgroup v2 suite, run inside the UML guest by scripts/vm/run-guest.sh: each limit
# is written by skiff and then enforced by the kernel.  Prints "N passed, M failed".
S="/bin/skiff --root /run/skiff"
CG=/sys/fs/cgroup
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   - $1"; }
no() { fail=$((fail + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && echo "       $2"; }
field() { $S state "$1" | sed -n "s/.*\"$2\" *: *\"*\([^\",]*\)\"*.*/\1/p"; }
wait_stopped() {
    i=0
    while [ "$(field "$1" status)" != stopped ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
}

echo "# skiff $($S --version | head -1) on $(uname -r), controllers: $(cat $CG/cgroup.controllers)"

# 1. memory.max: 128 MB under 64 MiB is OOM-killed (137) and an oom event is emitted.
$S run --detach --bundle oom oom1 || no "run oom"
[ "$(cat $CG/oom1/memory.max)" = 67108864 ] && ok "memory.max written" || no "memory.max written" "$(cat $CG/oom1/memory.max)"
[ "$(cat $CG/oom1/memory.swap.max)" = 0 ] && ok "memory.swap.max = swap - limit" || no "memory.swap.max" "$(cat $CG/oom1/memory.swap.max)"
$S events --interval 30s oom1 > /tmp/oom.events &
evpid=$!
sleep 0.3
$S exec oom1 /bin/touch /tmp/go
wait_stopped oom1
for i in $(seq 100); do [ -n "$(field oom1 exitStatus)" ] && break; sleep 0.05; done
[ "$(field oom1 exitStatus)" = 137 ] && ok "OOM kill exits 137" || no "OOM kill exits 137" "exitStatus=$(field oom1 exitStatus)"
wait $evpid
grep -q '"type":"oom"' /tmp/oom.events && ok "oom event" || no "oom event" "$(cat /tmp/oom.events)"
grep -q '"type":"exit"' /tmp/oom.events && ok "exit event" || no "exit event"
$S delete oom1
[ ! -d $CG/oom1 ] && ok "delete removes the cgroup" || no "delete removes the cgroup"

# 2. pids.max stops forks.
out=$($S run --bundle pids pids1 2>/dev/null)
max=$(echo "$out" | head -1)
n=$(echo "$out" | tail -1)
[ "$max" = 10 ] && ok "pids.max written" || no "pids.max written" "$max"
[ "$n" -gt 0 ] && [ "$n" -le 8 ] && ok "pids.max stops forks ($n of 30 forks succeeded)" || no "pids.max stops forks" "$n forks"

# 3. cpu.max and cpu.weight: written, and the busy loop is throttled.
out=$($S run --bundle cpu cpu1)
echo "$out" | grep -q "^10000 100000$" && ok "cpu.max written" || no "cpu.max written" "$out"
echo "$out" | sed -n 2p | grep -q "^20$" && ok "cpu.weight from shares 512" || no "cpu.weight" "$out"
thr=$(echo "$out" | sed -n 's/nr_throttled //p')
[ "${thr:-0}" -gt 0 ] && ok "cpu.max enforced ($thr throttled periods)" || no "cpu.max enforced" "$out"

# 4. io.max: written, and 3 MiB of direct reads at 1 MiB/s take more than a second.
out=$($S run --bundle io io1)
echo "$out" | grep -q "^1:0 rbps=1048576" && ok "io.max written" || no "io.max written" "$out"
el=$(echo "$out" | sed -n 's/elapsed //p')
[ "${el:-0}" -ge 2 ] && ok "io.max enforced (${el}s for 3 MiB)" || no "io.max enforced" "$out"

# 5. pause/resume, update, device filter, delete.
$S run --detach --bundle sleeper s1 || no "run sleeper"
$S pause s1 && [ "$(field s1 status)" = paused ] && grep -q "frozen 1" $CG/s1/cgroup.events \
    && ok "pause freezes" || no "pause freezes"
$S resume s1 && [ "$(field s1 status)" = running ] && grep -q "frozen 0" $CG/s1/cgroup.events \
    && ok "resume thaws" || no "resume thaws"
$S update --memory 32m --pids-limit 5 s1 && [ "$(cat $CG/s1/memory.max)" = 33554432 ] && [ "$(cat $CG/s1/pids.max)" = 5 ] \
    && ok "update changes live limits" || no "update changes live limits" "$(cat $CG/s1/memory.max) $(cat $CG/s1/pids.max)"
echo '{"cpu":{"shares":2048}}' | $S update --resources - s1 && [ "$(cat $CG/s1/cpu.weight)" = 79 ] \
    && ok "update --resources -" || no "update --resources -" "$(cat $CG/s1/cpu.weight)"
out=$($S exec s1 /bin/sh -c 'mknod /tmp/ram b 1 0; (exec 3</tmp/ram) 2>/dev/null && echo opened || echo denied')
[ "$out" = denied ] && ok "denied device cannot be opened after mknod" || no "device filter" "$out"
$S ps --format json s1 | grep -q '^\[[0-9]' && ok "ps" || no "ps"
$S delete --force s1
[ ! -d $CG/s1 ] && [ "$($S list -q)" = "" ] && ok "delete --force leaves nothing" || no "delete --force leaves nothing"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
