// runtime: the OCI runtime driver (layer L3, below the container service). Vocabulary:
// bundle = <exec-root>/c/<id> with config.json; conmon = the per-container monitor that
// outlives berthd; exit dir = where conmon drops <id> files holding exit codes; attach
// socket = conmon's SOCK_SEQPACKET socket, packets prefixed by a stream byte (2 stdout, 3 stderr).
export { OciRuntime, type RuntimeBinary } from './oci-runtime.ts';
export { ConmonLauncher, type CreatedContainer, type CreateOptions, type ExecOptions as ConmonExecOptions, type ExecHandle } from './conmon.ts';
export { ExitWatcher, type ExitHandler } from './exit-watcher.ts';
export { AttachConnection, type AttachStream } from './attach-connection.ts';
export { SeccompBpfCompiler, SECCOMP_BPF_ANNOTATION, type SeccompBpfCompilerOptions } from './seccomp-bpf.ts';
export { writeControl, resizeMessage } from './control-fifo.ts';
export { sealedCopy } from './sealed-binary.ts';
export { readOnlyBinding, releaseReadOnlyBindings } from './readonly-binary.ts';
