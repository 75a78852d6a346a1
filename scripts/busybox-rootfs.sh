#!/usr/bin/env bash
# Writes a busybox rootfs tarball made from the host's static busybox (Debian busybox-static)
# to the path given ($1, default /tmp/berth-busybox-rootfs.tar). Used by the demo, the tests
# and the benchmarks to make a local base image: `berth import <tar> busybox:latest`.
set -euo pipefail
out=${1:-/tmp/berth-busybox-rootfs.tar}
bb=$(command -v busybox)
file "$bb" 2>/dev/null | grep -q 'statically linked' || [ -x /bin/busybox ] || { echo "busybox-static missing" >&2; exit 1; }
dir=$(mktemp -d /tmp/berth-rootfs.XXXXXX)
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"
mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,etc,tmp,root,var/www,home}
chmod 1777 "$dir/tmp"
cp "$bb" "$dir/bin/busybox"
for a in $("$dir/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$dir/bin/$a"; done
cat > "$dir/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
P
cat > "$dir/etc/group" <<'G'
root:x:0:
daemon:x:1:
www-data:x:33:
users:x:100:www-data
nogroup:x:65534:
G
echo '<h1>hello from berth</h1>' > "$dir/var/www/index.html"
tar --numeric-owner --owner=0 --group=0 -C "$dir" -cf "$out" .
echo "$out"
