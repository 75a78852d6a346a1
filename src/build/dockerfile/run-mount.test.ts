import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvFields, parseRunMount, ramInBytes, runMountKey, type RunMount } from './run-mount.ts';
import { parseStages, type RunInstr } from './instructions.ts';

const base: RunMount = {
  type: 'bind', target: '', from: '', source: '', readOnly: true, id: '', sharing: 'shared',
  required: false, mode: null, uid: null, gid: null, size: null,
};

test('--mount values: types, defaults, options', () => {
  const cases: { raw: string; workdir?: string; want: Partial<RunMount> }[] = [
    { raw: 'target=/src', want: { type: 'bind', target: '/src', readOnly: true } },
    { raw: 'type=bind,source=app,target=/src,rw', want: { type: 'bind', source: 'app', target: '/src', readOnly: false } },
    { raw: 'type=bind,from=builder,src=/out,dst=/in', want: { from: 'builder', source: '/out', target: '/in' } },
    { raw: 'type=bind,target=/x,readwrite=true', want: { target: '/x', readOnly: false } },
    { raw: 'type=bind,target=/x,ro=false', want: { target: '/x', readOnly: false } },
    { raw: 'type=cache,target=/root/.cache', want: { type: 'cache', target: '/root/.cache', id: '/root/.cache', readOnly: false } },
    { raw: 'type=cache,id=go,target=/go/pkg,sharing=locked,mode=0700,uid=1000,gid=100', want: { type: 'cache', id: 'go', target: '/go/pkg', sharing: 'locked', readOnly: false, mode: 0o700, uid: 1000, gid: 100 } },
    { raw: 'type=cache,target=/c,sharing=private,readonly', want: { type: 'cache', id: '/c', target: '/c', sharing: 'private', readOnly: true } },
    { raw: 'type=cache,target=/c,from=seed,source=/data', want: { type: 'cache', id: '/c', target: '/c', from: 'seed', source: '/data', readOnly: false } },
    { raw: 'type=cache,target=cache', workdir: '/app', want: { type: 'cache', id: '/app/cache', target: '/app/cache', readOnly: false } },
    { raw: 'type=tmpfs,target=/tmp/t,size=64m', want: { type: 'tmpfs', target: '/tmp/t', size: 64 * 1024 * 1024, readOnly: false } },
    { raw: 'type=secret,id=token', want: { type: 'secret', id: 'token', target: '/run/secrets/token', readOnly: true } },
    { raw: 'type=secret,id=token,dst=/etc/token,required,mode=0440,uid=1,gid=2', want: { type: 'secret', id: 'token', target: '/etc/token', required: true, mode: 0o440, uid: 1, gid: 2, readOnly: true } },
    { raw: 'type=secret,src=aws', want: { type: 'secret', id: 'aws', target: '/run/secrets/aws' } },
    { raw: 'type=secret,target=/root/.npmrc', want: { type: 'secret', id: '.npmrc', target: '/root/.npmrc' } },
    { raw: 'type=secret,id=t,required=false', want: { type: 'secret', id: 't', target: '/run/secrets/t', required: false } },
    { raw: 'TYPE=CACHE,Target=/c', want: { type: 'cache', id: '/c', target: '/c', readOnly: false } },
    { raw: '"type=bind","target=/a,b"', want: { target: '/a,b' } },
    { raw: 'type=bind,target=/a/../b/', want: { target: '/b' } },
  ];
  for (const c of cases) {
    assert.deepEqual(parseRunMount(c.raw, undefined, c.workdir), { ...base, ...c.want }, c.raw);
  }
});

test('--mount values are expanded with the stage variables', () => {
  const vars: Record<string, string> = { DIR: '/cache', ID: 'pip' };
  const expand = (v: string): string => v.replace(/\$(\w+)/g, (_, k: string) => vars[k] ?? '');
  assert.deepEqual(parseRunMount('type=cache,id=$ID,target=$DIR', expand), { ...base, type: 'cache', id: 'pip', target: '/cache', readOnly: false });
});

test('--mount errors as BuildKit words them', () => {
  const cases: [string, RegExp][] = [
    ['type=nfs,target=/x', /unsupported mount type "nfs"/],
    ['type=ssh,from=x', /ssh mount should not have a from/],
    ['type=ssh,source=x', /ssh mount should not have a source/],
    ['type=ssh,size=1m', /unexpected key 'size' for mount type 'ssh'/],
    ['type=bind,target=/x,foo=bar', /unexpected key 'foo' in 'foo=bar'/],
    ['type=bind,target=/x,bogus', /invalid field 'bogus' must be a key=value pair/],
    ['type=bind,target=/x,required', /unexpected key 'required' for mount type 'bind'/],
    ['type=cache,target=/x,size=1m', /unexpected key 'size' for mount type 'cache'/],
    ['type=bind,target=/x,sharing=locked', /invalid cache sharing set for bind mount/],
    ['type=cache,target=/x,sharing=sometimes', /unsupported sharing value "sometimes"/],
    ['type=cache,target=/x,mode=999', /invalid value 999 for mode/],
    ['type=cache,target=/x,uid=-1', /invalid value -1 for uid/],
    ['type=bind,target=/x,mode=0755', /mode not allowed for "bind" type mounts/],
    ['type=tmpfs,target=/x,uid=1', /uid not allowed for "tmpfs" type mounts/],
    ['type=bind,target=/x,ro=maybe', /invalid value for ro: maybe/],
    ['type=secret', /invalid secret mount. one of source, target required/],
    ['type=secret,id=a,source=b', /both source and id can't be set/],
    ['type=secret,id=a,from=x', /secret mount should not have a from/],
    ['type=cache', /mount type cache requires a target/],
    ['type=bind,target=/', /cannot replace the root filesystem/],
    ['type=tmpfs,target=/x,size=lots', /invalid size value lots/],
    ['"type=bind', /extraneous or missing " in quoted-field/],
  ];
  for (const [raw, re] of cases) assert.throws(() => parseRunMount(raw), re, raw);
});

test('csv fields and sizes', () => {
  assert.deepEqual(csvFields('a=1,b=2'), ['a=1', 'b=2']);
  assert.deepEqual(csvFields('"a=1,2",b'), ['a=1,2', 'b']);
  assert.deepEqual(csvFields('"x=""q"""'), ['x="q"']);
  assert.deepEqual(csvFields(''), ['']);
  assert.equal(ramInBytes('512k'), 512 * 1024);
  assert.equal(ramInBytes('1g'), 1024 ** 3);
  assert.equal(ramInBytes('100'), 100);
  assert.equal(ramInBytes('1x'), null);
});

test('the cache key changes with every field of the mount', () => {
  const a = parseRunMount('type=cache,target=/c');
  assert.equal(runMountKey(a), runMountKey(parseRunMount('type=cache,target=/c')));
  assert.notEqual(runMountKey(a), runMountKey(parseRunMount('type=cache,target=/c,sharing=locked')));
  assert.notEqual(runMountKey(a), runMountKey(parseRunMount('type=cache,target=/c,id=x')));
  assert.notEqual(runMountKey(a), runMountKey(parseRunMount('type=cache,target=/c,uid=1')));
});

test('RUN keeps every --mount flag for the builder', () => {
  const df = parseStages('# syntax=docker/dockerfile:1\nFROM a\nRUN --mount=type=cache,target=/c --mount=type=secret,id=s --network=none cat /run/secrets/s\n');
  const run = df.stages[0]!.instructions[0] as RunInstr;
  assert.deepEqual(run.mounts, ['type=cache,target=/c', 'type=secret,id=s']);
  assert.equal(run.network, 'none');
  assert.deepEqual(run.cmd, ['cat /run/secrets/s']);
});

test('type=ssh: BuildKit\'s defaults (id default, target /run/buildkit/ssh_agent.<n>, mode 0600 when mounted); required unless required=false', () => {
  const d = parseRunMount('type=ssh');
  assert.equal(d.type, 'ssh');
  assert.equal(d.id, 'default');
  assert.equal(d.target, '/run/buildkit/ssh_agent.0');
  assert.equal(d.required, true);
  assert.equal(parseRunMount('type=ssh', (v) => v, '/', 2).target, '/run/buildkit/ssh_agent.2');
  const o = parseRunMount('type=ssh,id=gh,target=agent,required=false,mode=0666,uid=1000', (v) => v, '/w');
  assert.deepEqual([o.id, o.target, o.required, o.mode, o.uid], ['gh', '/w/agent', false, 0o666, 1000]);
});
