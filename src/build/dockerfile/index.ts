// dockerfile: the Dockerfile parser (pure): directives, continuations, heredocs, flags,
// typed instructions grouped into stages, and Docker's shell-word expansion.
export { DockerfileParseError, parseDockerfile, type Heredoc, type Directives, type Node } from './parser.ts';
export {
  parseStages, parseOneInstruction, parseGoDuration,
  type Dockerfile, type Stage, type Instruction, type FromInstr, type RunInstr, type CmdInstr, type KeyValueInstr,
  type ArgInstr, type ExposeInstr, type VolumeInstr, type WordInstr, type CopyInstr, type HealthcheckInstr,
  type OnbuildInstr, type ShellInstr,
} from './instructions.ts';
export { processWord, processWords, lookupOf, ShellLexError, type Lookup } from './shell-lex.ts';
export { parseRunMount, runMountKey, RunMountError, type RunMount, type RunMountType, type CacheSharing } from './run-mount.ts';
