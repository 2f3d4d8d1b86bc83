#!/bin/sh
# Boot a User-Mode-Linux guest with a pure cgroup v2 hierarchy and run the cgroup suite
# in it: run-guest.sh SKIFF-BINARY PAYLOAD-DIR.  The payload (rootfs, bundles,
# cgtest.sh) is packed into the initramfs with skiff and its library closure.  Exits
# with the suite's status (124: timeout, 125: the guest reported nothing).
set -eu
skiff=$(realpath "$1")
payload=$(realpath "$2")
here=$(dirname "$(realpath "$0")")
uml=${UML:-/usr/bin/linux.uml}
kver=$(ls /usr/lib/uml/modules | head -1)
work=$(mktemp -d /tmp/skiff-vm.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root/bin" "$root/lib/modules" "$root/host" "$root/etc"
cp /bin/busybox "$root/bin/busybox"
cp "$here/init" "$root/init"
chmod 755 "$root/init"
cp "/usr/lib/uml/modules/$kver/kernel/drivers/block/brd.ko" "$root/lib/modules/"
cp "$skiff" "$root/bin/skiff"
# A dynamically linked skiff brings its library closure (the static build has none).
for lib in $(ldd "$skiff" | awk '/=>/ {print $3} /^\t\/lib/ {print $1}'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done
cp -a "$payload/." "$root/host/"
echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initrd.gz"
# UML keeps guest memory in a file under TMPDIR, which must allow exec.
export TMPDIR=/dev/shm
log=$work/console.log
set +e
timeout "${VM_TIMEOUT:-900}" "$uml" mem=1G initrd="$work/initrd.gz" con=null con0=null,fd:1 \
    rw quiet loglevel=0 > "$log" 2>&1 < /dev/null
rc=$?
set -e
sed -e '/SKIFF-VM-STATUS/d' -e 's/\r$//' "$log"
[ $rc -eq 124 ] && { echo "guest timed out" >&2; exit 124; }
status=$(sed -n 's/.*SKIFF-VM-STATUS: \([0-9]*\).*/\1/p' "$log" | tail -1)
[ -n "$status" ] || { echo "the guest reported no status (UML exit $rc)" >&2; exit 125; }
exit "$status"
