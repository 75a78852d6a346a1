// logdriver (layer L3, beside logs): where a container's output goes — Docker's log
// drivers json-file, local, none, syslog, gelf, fluentd (and k8s-file, conmon's own file).
//
// Design: conmon always writes the container's output to its capture file (ctr.log,
// k8s-file records, bounded with --log-size-max), so the container never waits for berthd.
// A shipper per container in berthd tails the capture and feeds the driver: json-file and
// local write Docker's JSON lines with rotation (20m × 5 by default); the remote drivers
// encode (encoders.ts) and send through bounded queues (transport.ts).
//
// Vocabulary
//   capture   conmon's ctr.log; a buffer for every driver but k8s-file, where it is the log.
//   shipper   the per-container tail loop (shipper.ts); its position survives berthd restarts.
//   driver    record → destination (driver.ts): RotatingJsonFile, or a remote driver.
export { validateLogConfig, resolveLogConfig, canRead, fileOptions, DRIVERS, type LogConfig } from './options.ts';
export { LogShipping, logFilePath, captureSizeMax, capturePath, type ShipSpec } from './service.ts';
export type { ContainerInfo } from './encoders.ts';
