// cli: the `berth` command line (layer C2), Docker's verbs, flags, output and exit codes
// over the typed client. Layout: run-cli.ts (parse, run, map errors to docker's wording),
// program.ts (the command tree), verb.ts (one verb = usage line + arg checks + action),
// commands/<resource>/<verb>.ts, opts/ (pure flag parsers → API request bodies), format/
// (Go text/template subset, tabwriter, docker's ps/images fields), streams/ (hijacked
// attach/exec I/O, TTY, signal proxy, JSON-message progress). Commands get everything from
// a CliContext, so tests run them against a fake client and in-memory streams.
export { main } from './main.ts';
export { runCli } from './run-cli.ts';
export type { CliContext } from './cli-context.ts';
