// Paths of /proc and /sys that a container must not read or write (moby
// daemon/pkg/oci/defaults.go). The runtime binds /dev/null over masked files and an empty
// read-only tmpfs over masked directories; read-only paths are remounted ro. Both lists are
// dropped for privileged containers and for `--security-opt systempaths=unconfined`.
// moby also masks /sys/devices/system/cpu/cpu<N>/thermal_throttle when present; that needs
// a look at the host, so the caller may pass those paths as extra masked paths.

export const DEFAULT_MASKED_PATHS: readonly string[] = Object.freeze([
  '/proc/acpi',
  '/proc/asound',
  '/proc/interrupts', // GHSA-6fw5-f8r9-fgfm
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/sys/devices/virtual/powercap', // GHSA-jq35-85cj-fj4p
  '/sys/firmware',
]);

export const DEFAULT_READONLY_PATHS: readonly string[] = Object.freeze([
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
]);
