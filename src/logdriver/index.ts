// logdriver (layer L3, beside logs): where a container's output goes — Docker's log
// drivers json-file, local, none, syslog, gelf, fluentd (and k8s-file, conmon's own file).
//
// Design: conmon always writes the container's output to its capture file (ctr.log,
// k8s-file records; the shipper punches out what it shipped), so the container never waits for berthd.
// A shipper per container in berthd tails the capture and feeds the driver: json-file and
// local write Docker's JSON lines with rotation (20m × 5 by default); the remote drivers
// encode (encoders.ts) and send through bounded queues (transport.ts): UDP, TCP, TLS,
// unix stream and datagram sockets. The attribute options (labels, env, their regexes, tag
// templates) are attrs.ts. At a container's exit the capture is final once conmon's exit
// file exists (conmon drains the pipes before writing it).
//
// Vocabulary
//   capture   conmon's ctr.log; a buffer for every driver but k8s-file, where it is the log.
//   shipper   the per-container tail loop (shipper.ts); its position survives berthd restarts.
//   driver    record → destination (driver.ts): RotatingJsonFile, or a remote driver.
export { validateLogConfig, resolveLogConfig, canRead, fileOptions, DRIVERS, type LogConfig } from './options.ts';
export { LogShipping, logFilePath, captureSizeMax, capturePath, type ShipSpec } from './service.ts';
export type { ContainerInfo } from './encoders.ts';
