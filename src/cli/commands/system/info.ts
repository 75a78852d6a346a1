// berth info: docker's prettyPrintInfo (cli/command/system/info.go) over GET /info, or a
// --format template over {ClientInfo, ...server fields}. Lines follow Go's fmt.Fprintln
// (operands separated by one space); daemon warnings go to stderr.
import { messageOf } from '../../../lib/index.ts';
import type { SystemInfo } from '../../../client/index.ts';
import { describeError } from '../../describe-error.ts';
import { formatNumber, isPlainObject, printValue } from '../../format/go-value.ts';
import { bytesSize } from '../../format/human-size.ts';
import { Template } from '../../format/template.ts';
import { StatusError } from '../../status-error.ts';
import { CLI_VERSION } from '../../version.ts';
import type { VerbSpec } from '../../verb.ts';
import { writeOut } from '../../write-out.ts';

type Obj = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'number' ? formatNumber(v) : v === undefined ? '' : printValue(v, false));
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => str(x)) : []);
const obj = (v: unknown): Obj => (isPlainObject(v) ? v : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Renders the Server section; returns stdout text and the warnings for stderr. */
export function formatServerInfo(info: SystemInfo): { text: string; warnings: string[] } {
  const lines: string[] = [];
  const ln = (...parts: unknown[]): void => { lines.push(parts.map(str).join(' ')); };
  const nonEmpty = (label: string, v: unknown): void => { if (str(v) !== '') ln(label, v); };
  ln(' Containers:', info['Containers'] ?? 0);
  ln('  Running:', info['ContainersRunning'] ?? 0);
  ln('  Paused:', info['ContainersPaused'] ?? 0);
  ln('  Stopped:', info['ContainersStopped'] ?? 0);
  ln(' Images:', info['Images'] ?? 0);
  nonEmpty(' Server Version:', info['ServerVersion']);
  nonEmpty(' Storage Driver:', info['Driver']);
  for (const pair of arr(info['DriverStatus']).map(arr)) lines.push(`  ${str(pair[0])}: ${str(pair[1])}`);
  for (const pair of arr(info['SystemStatus']).map(arr)) lines.push(` ${str(pair[0])}: ${str(pair[1])}`);
  nonEmpty(' Logging Driver:', info['LoggingDriver']);
  nonEmpty(' Cgroup Driver:', info['CgroupDriver']);
  nonEmpty(' Cgroup Version:', info['CgroupVersion']);
  const plugins = obj(info['Plugins']);
  ln(' Plugins:');
  ln('  Volume:', list(plugins['Volume']).join(' '));
  ln('  Network:', list(plugins['Network']).join(' '));
  if (list(plugins['Authorization']).length > 0) ln('  Authorization:', list(plugins['Authorization']).join(' '));
  ln('  Log:', list(plugins['Log']).join(' '));
  const cdi = list(info['CDISpecDirs']);
  if (cdi.length > 0) {
    ln(' CDI spec directories:');
    for (const d of cdi) lines.push(`  ${d}`);
  }
  const swarm = obj(info['Swarm']);
  ln(' Swarm:', swarm['LocalNodeState'] ?? '');
  if (swarm['LocalNodeState'] !== 'inactive' && swarm['LocalNodeState'] !== 'locked') {
    // berth has no swarm mode; the node lines docker prints for an active node, as it prints them.
    ln('  NodeID:', swarm['NodeID'] ?? '');
    if (str(swarm['Error']) !== '') ln('  Error:', swarm['Error']);
    ln('  Is Manager:', swarm['ControlAvailable'] === true);
    ln('  Node Address:', swarm['NodeAddr'] ?? '');
  }
  const runtimes = Object.keys(obj(info['Runtimes']));
  if (runtimes.length > 0) {
    ln(' Runtimes:', runtimes.join(' '));
    ln(' Default Runtime:', info['DefaultRuntime'] ?? '');
  }
  if (info['OSType'] === 'linux') {
    ln(' Init Binary:', info['InitBinary'] ?? '');
    ln(' containerd version:', obj(info['ContainerdCommit'])['ID'] ?? '');
    ln(' runc version:', obj(info['RuncCommit'])['ID'] ?? '');
    ln(' init version:', obj(info['InitCommit'])['ID'] ?? '');
    const secopts = list(info['SecurityOptions']);
    if (secopts.length > 0) {
      ln(' Security Options:');
      for (const so of secopts) {
        const kv = new Map(so.split(',').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] as const));
        lines.push(`  ${kv.get('name') ?? so}`);
        if (kv.has('profile')) ln('   Profile:', kv.get('profile'));
      }
    }
  }
  nonEmpty(' Kernel Version:', info['KernelVersion']);
  nonEmpty(' Operating System:', info['OperatingSystem']);
  nonEmpty(' OSType:', info['OSType']);
  nonEmpty(' Architecture:', info['Architecture']);
  ln(' CPUs:', info['NCPU'] ?? 0);
  ln(' Total Memory:', bytesSize(Number(info['MemTotal'] ?? 0)));
  nonEmpty(' Name:', info['Name']);
  nonEmpty(' ID:', info['ID']);
  ln(' Docker Root Dir:', info['DockerRootDir'] ?? '');
  ln(' Debug Mode:', info['Debug'] === true);
  if (info['Debug'] === true) {
    ln('  File Descriptors:', info['NFd'] ?? 0);
    ln('  Goroutines:', info['NGoroutines'] ?? 0);
    ln('  System Time:', info['SystemTime'] ?? '');
    ln('  EventsListeners:', info['NEventsListener'] ?? 0);
  }
  nonEmpty(' HTTP Proxy:', info['HttpProxy']);
  nonEmpty(' HTTPS Proxy:', info['HttpsProxy']);
  nonEmpty(' No Proxy:', info['NoProxy']);
  const labels = list(info['Labels']);
  if (labels.length > 0) {
    ln(' Labels:');
    for (const l of labels) lines.push(`  ${l}`);
  }
  ln(' Experimental:', info['ExperimentalBuild'] === true);
  insecureRegistries(obj(info['RegistryConfig']), lines);
  ln(' Live Restore Enabled:', info['LiveRestoreEnabled'] === true);
  if (str(info['ProductLicense']) !== '') ln(' Product License:', info['ProductLicense']);
  const pools = arr(info['DefaultAddressPools']).map(obj);
  if (pools.length > 0) {
    ln(' Default Address Pools:');
    for (const p of pools) lines.push(`   Base: ${str(p['Base'])}, Size: ${str(p['Size'])}`);
  }
  lines.push('');
  return { text: `${lines.join('\n')}\n`, warnings: list(info['Warnings']) };
}

function insecureRegistries(reg: Obj, lines: string[]): void {
  // moby's NetIPNet marshals as "127.0.0.0/8"; an {IP, Mask} object is read too.
  const cidrs = arr(reg['InsecureRegistryCIDRs']);
  const index = Object.values(obj(reg['IndexConfigs'])).map(obj);
  if (cidrs.length > 0 || index.length > 0) {
    lines.push(' Insecure Registries:');
    for (const c of index) if (c['Secure'] !== true) lines.push(`  ${str(c['Name'])}`);
    for (const c of cidrs) {
      if (typeof c === 'string') {
        lines.push(`  ${c}`);
        continue;
      }
      const cidr = obj(c);
      const bits = [...Buffer.from(str(cidr['Mask']), 'base64')].reduce((n, b) => n + b.toString(2).split('1').length - 1, 0);
      lines.push(`  ${str(cidr['IP'])}/${bits}`);
    }
  }
  const mirrors = list(reg['Mirrors']);
  if (mirrors.length > 0) {
    lines.push(' Registry Mirrors:');
    for (const m of mirrors) lines.push(`  ${m}`);
  }
}

const CLIENT_TEXT = ` Version:    ${CLI_VERSION}\n Context:    default\n Debug Mode: false\n`;

export function infoVerb(): VerbSpec<{ format?: string }> {
  return {
    name: 'info',
    usage: '[OPTIONS]',
    description: 'Display system-wide information',
    args: { max: 0 },
    options: (cmd) => cmd.option('-f, --format <string>', 'Format output using a custom template'),
    action: async ({ ctx, opts, client }) => {
      if (opts.format !== undefined && opts.format !== '') {
        let tmpl: Template;
        try {
          tmpl = Template.parse(opts.format === 'json' ? '{{json .}}' : opts.format);
        } catch (e) {
          throw new StatusError(64, `template parsing error: ${messageOf(e)}`);
        }
        let server: SystemInfo = {};
        try {
          server = await client().system.info();
        } catch (e) {
          await writeOut(ctx.err, `${describeError(e)}\n`);
        }
        const data = { ...server, ClientInfo: { Debug: false, Version: CLI_VERSION, Context: 'default', Plugins: [], Warnings: null } };
        await writeOut(ctx.out, `${tmpl.execute(data)}\n`);
        return;
      }
      await writeOut(ctx.out, `Client:\n${CLIENT_TEXT}\nServer:\n`);
      const info = await client().system.info();
      const { text, warnings } = formatServerInfo(info);
      await writeOut(ctx.out, text);
      for (const w of warnings) await writeOut(ctx.err, `${w}\n`);
    },
  };
}
