#!/usr/bin/env bash
# The per-driver matrix of `make test`: the image-operation suites run again on the vfs
# driver and on btrfs (a 2 GiB loop-mounted image file made here, removed at the end; the
# daemons' roots go there through BERTH_TEST_TMP). overlay2 is what the main run covers.
# A driver whose tools or kernel support are missing is skipped with the reason printed.
#   bash scripts/test-drivers.sh [vfs] [btrfs]      (default: both)
set -uo pipefail
cd "$(dirname "$0")/.."

VFS_SUITES=(image-ops images commit save-load shared-blob prune container-fs)
BTRFS_SUITES=(image-ops images commit save-load prune)
drivers=("$@")
[ ${#drivers[@]} -eq 0 ] && drivers=(vfs btrfs)
status=0

suites() { local s; for s in "$@"; do printf 'test/integration/%s.test.ts\n' "$s"; done; }

run() {
  local driver=$1; shift
  echo "== integration suites on the $driver driver: $*"
  local start=$SECONDS
  local out="$logs/$driver.log"
  # shellcheck disable=SC2046
  if ! BERTH_TEST_STORAGE_DRIVER=$driver node --import tsx --test --test-concurrency=1 --test-reporter=spec $(suites "$@") 2>&1 | tee "$out"; then
    echo "== FAILED on $driver"
    failed+=("$driver")
    status=1
  fi
  echo "== $driver: $((SECONDS - start)) s"
}

# Each driver's output is kept, so that a failure's details are printed again at the very
# end, where the tail of a CI log shows them (not only above the next driver's run).
logs=$(mktemp -d /tmp/berth-test-driver-logs-XXXXXX)
failed=()
btrfs_dir=''
btrfs_dev=''
cleanup() {
  if [ -n "$btrfs_dir" ]; then
    if mountpoint -q "$btrfs_dir/mnt"; then umount "$btrfs_dir/mnt" 2>/dev/null || umount -l "$btrfs_dir/mnt"; fi
    [ -n "$btrfs_dev" ] && losetup -d "$btrfs_dev" 2>/dev/null
    rm -rf "$btrfs_dir"
  fi
}
report() {
  local d
  for d in "${failed[@]}"; do
    echo "== what failed on $d (again, from its run above):"
    sed -n '/failing tests:/,$p' "$logs/$d.log"
  done
  rm -rf "$logs"
}
trap 'cleanup; report' EXIT
trap 'exit 130' INT TERM

for driver in "${drivers[@]}"; do
  case $driver in
    vfs) run vfs "${VFS_SUITES[@]}" ;;
    btrfs)
      if ! command -v mkfs.btrfs >/dev/null || ! command -v losetup >/dev/null; then echo "== skipping btrfs: btrfs-progs is not installed (make deps)"; continue; fi
      if ! grep -qw btrfs /proc/filesystems && ! modprobe btrfs 2>/dev/null; then echo "== skipping btrfs: the kernel has no btrfs"; continue; fi
      btrfs_dir=$(mktemp -d /tmp/berth-test-btrfs-matrix-XXXXXX)
      truncate -s 2G "$btrfs_dir/fs.img" && mkfs.btrfs -q "$btrfs_dir/fs.img" &&
        btrfs_dev=$(losetup --find --show "$btrfs_dir/fs.img") && mkdir "$btrfs_dir/mnt" && mount "$btrfs_dev" "$btrfs_dir/mnt" ||
        { echo "== FAILED to make the btrfs file system"; status=1; continue; }
      BERTH_TEST_TMP="$btrfs_dir/mnt" run btrfs "${BTRFS_SUITES[@]}"
      cleanup
      btrfs_dir=''
      ;;
    *) echo "unknown driver $driver" >&2; exit 2 ;;
  esac
done
exit $status
