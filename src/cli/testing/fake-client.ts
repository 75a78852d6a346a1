// A fake EngineApi for command tests (docker/cli's fakeClient pattern): every method fails
// with "not faked" unless the test supplies it, so a test states exactly which API calls a
// command may make.
import { Duplex, PassThrough } from 'node:stream';
import type {
  ContainerFsApi, ContainersApi, EngineApi, ExecApi, HijackedConnection, ImagesApi, NetworksApi, SystemApi, VolumesApi,
} from '../../client/index.ts';

export interface FakeApi {
  system?: Partial<SystemApi>;
  containers?: Partial<ContainersApi>;
  images?: Partial<ImagesApi>;
  exec?: Partial<ExecApi>;
  networks?: Partial<NetworksApi>;
  volumes?: Partial<VolumesApi>;
  containerFs?: Partial<ContainerFsApi>;
}

function notFaked(group: string, name: string): () => never {
  return () => {
    throw new Error(`fake client: ${group}.${name} was called but not faked`);
  };
}

export function fakeClient(api: FakeApi = {}): EngineApi {
  const { system: s = {}, containers: c = {}, images: i = {}, exec: e = {}, networks: n = {}, volumes: v = {}, containerFs: f = {} } = api;
  return {
    hostUrl: 'unix:///fake.sock',
    apiVersion: () => '1.50',
    close: async () => {},
    containerFs: {
      statPath: f.statPath ?? notFaked('containerFs', 'statPath'),
      getArchive: f.getArchive ?? notFaked('containerFs', 'getArchive'),
      putArchive: f.putArchive ?? notFaked('containerFs', 'putArchive'),
      export: f.export ?? notFaked('containerFs', 'export'),
      changes: f.changes ?? notFaked('containerFs', 'changes'),
    },
    system: {
      ping: s.ping ?? notFaked('system', 'ping'),
      version: s.version ?? notFaked('system', 'version'),
      info: s.info ?? notFaked('system', 'info'),
      events: s.events ?? notFaked('system', 'events'),
    },
    containers: {
      create: c.create ?? notFaked('containers', 'create'),
      inspect: c.inspect ?? notFaked('containers', 'inspect'),
      list: c.list ?? notFaked('containers', 'list'),
      start: c.start ?? notFaked('containers', 'start'),
      stop: c.stop ?? notFaked('containers', 'stop'),
      restart: c.restart ?? notFaked('containers', 'restart'),
      kill: c.kill ?? notFaked('containers', 'kill'),
      pause: c.pause ?? notFaked('containers', 'pause'),
      unpause: c.unpause ?? notFaked('containers', 'unpause'),
      rename: c.rename ?? notFaked('containers', 'rename'),
      remove: c.remove ?? notFaked('containers', 'remove'),
      wait: c.wait ?? notFaked('containers', 'wait'),
      logs: c.logs ?? notFaked('containers', 'logs'),
      top: c.top ?? notFaked('containers', 'top'),
      resize: c.resize ?? notFaked('containers', 'resize'),
      attach: c.attach ?? notFaked('containers', 'attach'),
      stats: c.stats ?? notFaked('containers', 'stats'),
      update: c.update ?? notFaked('containers', 'update'),
    },
    images: {
      list: i.list ?? notFaked('images', 'list'),
      inspect: i.inspect ?? notFaked('images', 'inspect'),
      history: i.history ?? notFaked('images', 'history'),
      tag: i.tag ?? notFaked('images', 'tag'),
      remove: i.remove ?? notFaked('images', 'remove'),
      import: i.import ?? notFaked('images', 'import'),
      pull: i.pull ?? notFaked('images', 'pull'),
      build: i.build ?? notFaked('images', 'build'),
      buildSession: i.buildSession ?? notFaked('images', 'buildSession'),
      push: i.push ?? notFaked('images', 'push'),
      login: i.login ?? notFaked('images', 'login'),
      save: i.save ?? notFaked('images', 'save'),
      load: i.load ?? notFaked('images', 'load'),
    },
    exec: {
      create: e.create ?? notFaked('exec', 'create'),
      startDetached: e.startDetached ?? notFaked('exec', 'startDetached'),
      attach: e.attach ?? notFaked('exec', 'attach'),
      inspect: e.inspect ?? notFaked('exec', 'inspect'),
      resize: e.resize ?? notFaked('exec', 'resize'),
    },
    networks: {
      list: n.list ?? notFaked('networks', 'list'),
      inspect: n.inspect ?? notFaked('networks', 'inspect'),
      create: n.create ?? notFaked('networks', 'create'),
      remove: n.remove ?? notFaked('networks', 'remove'),
      prune: n.prune ?? notFaked('networks', 'prune'),
      connect: n.connect ?? notFaked('networks', 'connect'),
      disconnect: n.disconnect ?? notFaked('networks', 'disconnect'),
    },
    volumes: {
      create: v.create ?? notFaked('volumes', 'create'),
      list: v.list ?? notFaked('volumes', 'list'),
      inspect: v.inspect ?? notFaked('volumes', 'inspect'),
      remove: v.remove ?? notFaked('volumes', 'remove'),
      prune: v.prune ?? notFaked('volumes', 'prune'),
      diskUsage: v.diskUsage ?? notFaked('volumes', 'diskUsage'),
    },
  };
}

/** A hijacked connection that plays `output` and records what the CLI wrote (stdin). */
export function fakeHijack(output: Buffer[], opts: { keepOpen?: boolean } = {}): { conn: HijackedConnection; written: () => string; closedWrite: () => boolean } {
  const readable = new PassThrough();
  const sink = new PassThrough();
  let input = '';
  let ended = false;
  sink.on('data', (d: Buffer) => { input += d.toString(); });
  sink.on('end', () => { ended = true; });
  const socket = Duplex.from({ readable, writable: sink });
  setImmediate(() => {
    for (const chunk of output) readable.write(chunk);
    if (!opts.keepOpen) readable.end();
  });
  return {
    conn: { socket, contentType: undefined, closeWrite: () => { socket.end(); }, close: () => { socket.destroy(); } },
    written: () => input,
    closedWrite: () => ended,
  };
}
