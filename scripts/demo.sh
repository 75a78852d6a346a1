#!/usr/bin/env bash
# make demo: start berthd in a temporary root, make a busybox base image from the host's
# static busybox, build and run a small web app (busybox httpd) on a published port, fetch
# its page, show ps and logs, then clean everything up.
set -euo pipefail
cd "$(dirname "$0")/.."
demo=$(mktemp -d /tmp/berth-demo.XXXXXX)
sock="$demo/berth.sock"
export DOCKER_HOST="unix://$sock"
DOCKER=${DOCKER:-/usr/local/bin/docker}
[ -x "$DOCKER" ] || DOCKER=node\ dist/berth.js
port=${DEMO_PORT:-18080}
pid=""
cleanup() {
  set +e
  $DOCKER rm -f berth-demo-web >/dev/null 2>&1
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  grep " $demo" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
  for c in /sys/fs/cgroup/*/berth-demo; do rmdir "$c" 2>/dev/null; done
  # the demo daemon's bridge, nftables table and FORWARD accept rules
  ip link del berth-demo0 2>/dev/null
  nft delete table inet berth-demo 2>/dev/null
  nft -a list chain ip filter FORWARD 2>/dev/null | sed -n 's/.*"berth:berth-demo".*# handle \([0-9]*\)$/\1/p' | xargs -r -n1 nft delete rule ip filter FORWARD handle
  rm -rf "$demo"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "starting berthd (data root $demo/data)"
node dist/berthd.js --data-root "$demo/data" --exec-root "$demo/run" -H "$DOCKER_HOST" --cgroup-parent /berth-demo \
  --bridge berth-demo0 --firewall-table berth-demo --bip 10.213.250.1/24 2>"$demo/berthd.log" &
pid=$!
for _ in $(seq 1 100); do $DOCKER version >/dev/null 2>&1 && break; sleep 0.1; done
$DOCKER version --format 'client {{.Client.Version}} (API {{.Client.APIVersion}}) -> server {{.Server.Version}} (API {{.Server.APIVersion}})'

step "making a busybox base image from the host's static busybox"
bash scripts/busybox-rootfs.sh "$demo/rootfs.tar" >/dev/null
$DOCKER import "$demo/rootfs.tar" busybox:latest

step "building the app image with docker build (FROM busybox:latest, COPY index.html, CMD httpd)"
app="$demo/app"
mkdir -p "$app"
cat > "$app/index.html" <<HTML
<h1>Hello from berth</h1><p>served by busybox httpd in a berth container</p>
HTML
cat > "$app/Dockerfile" <<DOCKERFILE
FROM busybox:latest
COPY index.html /var/www/index.html
EXPOSE $port
CMD ["httpd", "-f", "-v", "-p", "$port", "-h", "/var/www"]
DOCKERFILE
# The docker CLI has no buildx here: DOCKER_BUILDKIT=0 selects its classic builder (POST /build).
DOCKER_BUILDKIT=0 $DOCKER build -t berth-demo-app:latest "$app"
$DOCKER images

step "running it on the default bridge, publishing port $port (nftables DNAT, no proxy)"
$DOCKER run -d --name berth-demo-web -p "$port:$port" berth-demo-app:latest
$DOCKER port berth-demo-web
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1 && break; sleep 0.1; done

step "fetching http://127.0.0.1:$port/"
curl -fsS "http://127.0.0.1:$port/"

step "docker ps (the docker CLI 28, unchanged)"
$DOCKER ps

step "berth ps (berth's own CLI, same verbs and output)"
node dist/berth.js ps

step "docker logs berth-demo-web"
$DOCKER logs berth-demo-web

step "cleaning up"
$DOCKER rm -f berth-demo-web
$DOCKER rmi berth-demo-app:latest busybox:latest
echo "demo done"
