import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageConfig, ImageRuntimeConfig } from '../../oci/index.ts';
import { parseOneInstruction, lookupOf } from '../dockerfile/index.ts';
import { metaChange, exposedPorts, type MetaInstruction, type MetaContext } from './meta.ts';
import { runCommand, runCreatedBy, checkRunFlags } from './run.ts';
import type { RunInstr } from '../dockerfile/index.ts';

const ctx: MetaContext = { lookup: lookupOf(['HOME=/root', 'V=1.2']), escape: '\\', shell: ['/bin/sh', '-c'], cmdSet: false, workdir: '/srv' };

function apply(line: string, base: ImageRuntimeConfig = {}, c: Partial<MetaContext> = {}): { createdBy: string; config: ImageRuntimeConfig; full: ImageConfig } {
  const ch = metaChange(parseOneInstruction(line) as MetaInstruction, { ...ctx, ...c });
  const config: ImageRuntimeConfig = JSON.parse(JSON.stringify(base)) as ImageRuntimeConfig;
  const full = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } } as ImageConfig;
  ch.apply(config, full);
  return { createdBy: ch.createdBy, config, full };
}

test('metadata instructions: history line and config, as Docker writes them', () => {
  const cases: [string, string, ImageRuntimeConfig, ImageRuntimeConfig?][] = [
    ['ENV A=1 B="x y" C=$V', 'ENV A=1 B=x y C=1.2', { Env: ['PATH=/bin', 'A=1', 'B=x y', 'C=1.2'] }, { Env: ['PATH=/bin', 'A=0'] }],
    ['ENV OLD legacy form', 'ENV OLD=legacy form', { Env: ['OLD=legacy form'] }],
    ['LABEL a=b "c d"=e', 'LABEL a=b c d=e', { Labels: { x: 'y', a: 'b', 'c d': 'e' } }, { Labels: { x: 'y' } }],
    ['EXPOSE 80 53/udp 7000-7001/TCP', 'EXPOSE 80 53/udp 7000-7001/TCP', { ExposedPorts: { '80/tcp': {}, '53/udp': {}, '7000/tcp': {}, '7001/tcp': {} } }],
    ['VOLUME /a $HOME/b', 'VOLUME [/a /root/b]', { Volumes: { '/a': {}, '/root/b': {} } }],
    ['USER ${NOBODY:-nobody}:nogroup', 'USER nobody:nogroup', { User: 'nobody:nogroup' }],
    ['WORKDIR sub/../app', 'WORKDIR /srv/app', { WorkingDir: '/srv/app' }],
    ['WORKDIR /abs//x/', 'WORKDIR /abs/x', { WorkingDir: '/abs/x' }],
    ['WORKDIR /', 'WORKDIR /', { WorkingDir: '/' }],
    ['STOPSIGNAL SIGKILL', 'STOPSIGNAL SIGKILL', { StopSignal: 'SIGKILL' }],
    ['CMD echo $HOME', 'CMD ["/bin/sh" "-c" "echo $HOME"]', { Cmd: ['/bin/sh', '-c', 'echo $HOME'] }],
    ['CMD ["a", "b c"]', 'CMD ["a" "b c"]', { Cmd: ['a', 'b c'] }],
    ['ENTRYPOINT ["/init"]', 'ENTRYPOINT ["/init"]', { Entrypoint: ['/init'], Cmd: null }, { Cmd: ['x'] }],
    ['SHELL ["/bin/bash", "-c"]', 'SHELL [/bin/bash -c]', { Shell: ['/bin/bash', '-c'] }],
    ['HEALTHCHECK --interval=30s --retries=3 CMD ["true"]', 'HEALTHCHECK &{["CMD" "true"] "30s" "0s" "0s" "0s" \'\\x03\'}', { Healthcheck: { Test: ['CMD', 'true'], Interval: 30e9, Retries: 3 } }],
    ['HEALTHCHECK NONE', 'HEALTHCHECK &{["NONE"] "0s" "0s" "0s" "0s" \'\\x00\'}', { Healthcheck: { Test: ['NONE'] } }],
    ['onbuild run make', 'ONBUILD RUN make', { OnBuild: ['COPY . /', 'RUN make'] }, { OnBuild: ['COPY . /'] }],
  ];
  for (const [line, createdBy, want, base] of cases) {
    const got = apply(line, base);
    assert.equal(got.createdBy, createdBy, line);
    assert.deepEqual(got.config, want, line);
  }
  // ENTRYPOINT keeps a CMD set earlier in the same stage; MAINTAINER sets the author.
  assert.deepEqual(apply('ENTRYPOINT ["/init"]', { Cmd: ['x'] }, { cmdSet: true }).config, { Entrypoint: ['/init'], Cmd: ['x'] });
  assert.equal(apply('MAINTAINER me <me@x>').full.author, 'me <me@x>');
  // History lines: the stage's shell, "#(nop)", two spaces (one before WORKDIR); SHELL uses the new shell.
  assert.equal(metaChange(parseOneInstruction('ENV A=1') as MetaInstruction, ctx).history, '/bin/sh -c #(nop)  ENV A=1');
  assert.equal(metaChange(parseOneInstruction('WORKDIR /x') as MetaInstruction, ctx).history, '/bin/sh -c #(nop) WORKDIR /x');
  assert.equal(metaChange(parseOneInstruction('SHELL ["/bin/bash", "-c"]') as MetaInstruction, ctx).history, '/bin/bash -c #(nop)  SHELL [/bin/bash -c]');
  // A SHELL changes the shell form.
  assert.deepEqual(apply('CMD run', {}, { shell: ['pwsh', '-c'] }).config.Cmd, ['pwsh', '-c', 'run']);
});

test('metadata instruction errors', () => {
  assert.throws(() => exposedPorts(['http']), /Invalid containerPort: http/);
  assert.throws(() => exposedPorts(['90-80']), /Invalid range/);
  assert.throws(() => apply('STOPSIGNAL "a b"'), /Invalid signal/);
  assert.throws(() => apply('VOLUME $NOPE'), /can not be an empty string/);
});

test('RUN: command forms, heredocs, history line, refused flags', () => {
  const run = (line: string): RunInstr => parseOneInstruction(line) as RunInstr;
  const sh = ['/bin/sh', '-c'];
  assert.deepEqual(runCommand(run('RUN echo $A'), sh), ['/bin/sh', '-c', 'echo $A']);
  assert.deepEqual(runCommand(run('RUN ["echo", "a  b"]'), sh), ['echo', 'a  b']);
  assert.deepEqual(runCommand(run('RUN <<EOF\necho 1\necho 2\nEOF'), sh), ['/bin/sh', '-c', 'echo 1\necho 2\n']);
  assert.deepEqual(runCommand(run("RUN cat <<'EOT' > /f\n$X\nEOT"), sh), ['/bin/sh', '-c', "cat <<'EOT' > /f\n$X\nEOT\n"]);
  assert.equal(runCreatedBy(['/bin/sh', '-c', 'make'], ['A=1', 'B=2']), '|2 A=1 B=2 /bin/sh -c make');
  assert.equal(runCreatedBy(['make'], []), 'make');
  assert.doesNotThrow(() => checkRunFlags(run('RUN --mount=type=cache,target=/c true')));
  assert.throws(() => checkRunFlags(run('RUN --security=insecure true')), /not allowed/);
  assert.throws(() => checkRunFlags(run('RUN --network=bridge2 true')), /unsupported network mode/);
  assert.doesNotThrow(() => checkRunFlags(run('RUN --network=none true')));
});
