// logs (layer L3): reads container logs for GET /containers/{id}/logs (`docker logs`).
//
// conmon writes each container's output to one file in the k8s-file format (CRI container
// log format; PLATFORM.md §1.2 "Log format"):
//   2026-11-27T17:14:43.345467782+00:00 stdout F out-line
//   2026-11-27T17:17:20.139907998+00:00 stdout P stt
// readLogs turns such a file into the bytes Docker puts on the wire.
//
// Vocabulary
//   record   one line of the file: timestamp, stream, tag, payload, LF.
//   tag      F = the payload ends a line (the LF is the container's newline);
//            P = partial: no newline yet, the next record of that stream continues it.
//   line     what --tail counts: an F record plus the P records of its stream before it.
//   torn     a last record without LF (conmon mid-write, or killed mid-write).
//   message  what Docker sends per record: [timestamp SP] payload [LF]; with multiplexing
//            wrapped in one stdcopy frame: [1=stdout|2=stderr, 0, 0, 0, uint32 BE length].
//   batch    one yielded Buffer: many messages, up to 64 KiB (more only for one huge message).
//
// Invariants
//   - Output bytes are exactly what the container wrote (P chunks as they are, F adds the
//     newline), optionally with Docker's `2006-01-02T15:04:05.000000000Z ` prefix per message.
//   - A torn record is emitted only once complete, or as it is once the container stopped.
//   - Memory is bounded by the read buffer (1 MiB) and one batch, whatever the file size;
//     --tail reads backwards in blocks and never reads the part of the file it skips.
//   - Every fd and watcher is closed when the iteration ends: end, error, abort or break.
//   - Malformed records are skipped (counted), never fatal: a corrupt line must not hide
//     the rest of the log.
export { readLogs } from './read-logs.ts';
export { readJsonLogs, rotatedFiles } from './read-json-logs.ts';
export { ChangeWaiter } from './change-waiter.ts';
export { validateLogReadOptions, type LogReadOptions } from './log-read-options.ts';
export { parseK8sLine, type K8sLine, type LogStream } from './parse-k8s-line.ts';
export { formatK8sLine } from './format-k8s-line.ts';
export { formatDockerTimestamp, parseTimestamp } from './timestamp-parser.ts';
export { EscapeScanner, firstSpecial } from './json-escape-scan.ts';
