// The effectful mount steps against a fake volume provider: rollback at create, the inspect
// view, and engine files giving way to user mounts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../lib/index.ts';
import type { ContainerContext } from './context.ts';
import type { Container } from './record.ts';
import type { VolumeProvider } from './volume-provider.ts';
import { acquireVolumes, mergeMounts, mountPointsView } from './mounts.ts';
import { planMounts } from './mount-parse.ts';

function fakeVolumes(failOn: string | null): { provider: VolumeProvider; calls: string[] } {
  const calls: string[] = [];
  let n = 0;
  const provider: VolumeProvider = {
    acquire: async (name, cid) => {
      if (failOn !== null && name === failOn) throw new Error(`create ${name}: boom`);
      const got = name ?? `anon${++n}`;
      calls.push(`acquire ${got} ${cid}`);
      return got;
    },
    release: async (name, cid, rmAnon) => { calls.push(`release ${name} ${cid} ${rmAnon}`); },
    mount: async () => '/x', unmount: async () => {}, restoreRef: () => {}, restoreActive: () => {}, unmountIdle: async () => {},
    dataPath: (name) => `/data/volumes/${name}/_data`,
  };
  return { provider, calls };
}

const ctxWith = (volumes: VolumeProvider): ContainerContext => ({ volumes, log: silentLogger } as unknown as ContainerContext);

test('acquireVolumes names anonymous volumes and undoes everything when one fails', async () => {
  const plan = planMounts({ binds: ['/h:/h', 'good:/a', 'bad:/b'], mounts: [], tmpfs: [], volumes: ['/anon'], volumesFrom: [] });
  const ok = fakeVolumes(null);
  const mounts = await acquireVolumes(ctxWith(ok.provider), 'c1', plan.filter((m) => m.name !== 'bad'));
  assert.deepEqual(mounts.map((m) => `${m.type}:${m.name}:${m.destination}`), ['bind::/h', 'volume:good:/a', 'volume:anon1:/anon']);
  const bad = fakeVolumes('bad');
  await assert.rejects(acquireVolumes(ctxWith(bad.provider), 'c2', plan), /create bad: boom/);
  assert.deepEqual(bad.calls, ['acquire good c2', 'release good c2 true']);
});

test('Mounts view: Docker\'s MountPoint fields, sorted by destination', async () => {
  const { provider } = fakeVolumes(null);
  const plan = planMounts({ binds: ['/srv:/z:ro', 'v1:/a'], mounts: [{ Type: 'tmpfs', Target: '/m' }], tmpfs: [], volumes: [], volumesFrom: [] });
  const c = { config: { id: 'c', mounts: plan } } as unknown as Container;
  assert.deepEqual(mountPointsView(ctxWith(provider), c), [
    { Type: 'volume', Name: 'v1', Source: '/data/volumes/v1/_data', Destination: '/a', Driver: 'local', Mode: 'z', RW: true, Propagation: '' },
    { Type: 'tmpfs', Source: '', Destination: '/m', Mode: '', RW: true, Propagation: '' },
    { Type: 'bind', Source: '/srv', Destination: '/z', Mode: 'ro', RW: false, Propagation: 'rprivate' },
  ]);
});

test('a user mount replaces the engine\'s file at the same place', () => {
  const engine = [
    { destination: '/etc/hosts', source: '/run/c/hosts', type: 'bind' as const, options: ['rbind'] },
    { destination: '/etc/resolv.conf', source: '/run/c/resolv.conf', type: 'bind' as const, options: ['rbind'] },
  ];
  const user = [{ destination: '/etc/hosts', source: '/mine', type: 'bind' as const, options: ['rbind', 'ro'] }];
  assert.deepEqual(mergeMounts(engine, user).map((m) => `${m.destination}=${m.source}`), ['/etc/resolv.conf=/run/c/resolv.conf', '/etc/hosts=/mine']);
});
