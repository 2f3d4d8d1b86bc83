#!/bin/sh
# Build a busybox rootfs from Debian's busybox-static into $1 (never committed).
set -eu
dest=$1
bb=/bin/busybox
[ -x "$bb" ] || { echo "mkrootfs: $bb missing: apt-get install busybox-static" >&2; exit 1; }
file -L "$bb" 2>/dev/null | grep -q 'statically linked' || ldd "$bb" 2>&1 | grep -q 'not a dynamic' || {
    echo "mkrootfs: $bb is not static: apt-get install busybox-static" >&2; exit 1; }
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
cd "$dest.tmp"
mkdir -p bin sbin usr/bin usr/sbin etc proc sys dev tmp root run var/tmp home
chmod 1777 tmp var/tmp
cp "$bb" bin/busybox
for applet in $(bin/busybox --list); do
    [ -e "bin/$applet" ] || ln -s busybox "bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > etc/passwd
printf 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n' > etc/group
echo skiff > etc/hostname
cd - >/dev/null
rm -rf "$dest"
mv "$dest.tmp" "$dest"
