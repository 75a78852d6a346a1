import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, parseHost } from './config.ts';

test('parseHost accepts unix and tcp forms', () => {
  assert.deepEqual(parseHost('unix:///tmp/x.sock'), { kind: 'unix', path: '/tmp/x.sock' });
  assert.deepEqual(parseHost('tcp://0.0.0.0:2376'), { kind: 'tcp', host: '0.0.0.0', port: 2376 });
  assert.deepEqual(parseHost('tcp://:2375'), { kind: 'tcp', host: '127.0.0.1', port: 2375 });
  assert.throws(() => parseHost('ftp://x'), /invalid host: ftp:\/\/x/);
});

test('daemon.json is read, flags win, unknown keys are refused', async () => {
  const dir = mkdtempSync('/tmp/berth-test-cfg-');
  try {
    const f = join(dir, 'daemon.json');
    writeFileSync(f, JSON.stringify({ 'data-root': '/srv/berth', 'log-level': 'debug' }));
    const c = await loadConfig({ configFile: f, execRoot: '/run/x' }, true);
    assert.equal(c.dataRoot, '/srv/berth');
    assert.equal(c.logLevel, 'debug');
    assert.equal(c.execRoot, '/run/x');
    assert.equal(c.pidFile, '/run/x/berth.pid');
    writeFileSync(f, JSON.stringify({ 'no-such-option': 1 }));
    await assert.rejects(loadConfig({ configFile: f }, true), /don't match any configuration option: no-such-option/);
    writeFileSync(f, '{bad json');
    await assert.rejects(loadConfig({ configFile: f }, true), /invalid config file/);
    await assert.rejects(loadConfig({ configFile: join(dir, 'missing.json') }, true), /unable to read config file/);
    const d = await loadConfig({ configFile: join(dir, 'missing.json') }, false);
    assert.equal(d.dataRoot, '/var/lib/berth');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('security keys of daemon.json: no-new-privileges, TLS, userns-remap, group', async () => {
  const dir = mkdtempSync('/tmp/berth-test-cfg-');
  try {
    const f = join(dir, 'daemon.json');
    writeFileSync(f, JSON.stringify({ 'no-new-privileges': true, tlsverify: true, tlscacert: '/c/ca.pem', tlscert: '/c/cert.pem', tlskey: '/c/key.pem', 'userns-remap': 'default', group: 'ops' }));
    const c = await loadConfig({ configFile: f }, true);
    assert.equal(c.noNewPrivileges, true);
    assert.equal(c.tlsVerify, true);
    assert.deepEqual([c.tlsCaCert, c.tlsCert, c.tlsKey], ['/c/ca.pem', '/c/cert.pem', '/c/key.pem']);
    assert.equal(c.usernsRemap, 'default');
    assert.equal(c.group, 'ops');
    writeFileSync(f, JSON.stringify({ 'no-new-privileges': 'yes' }));
    await assert.rejects(loadConfig({ configFile: f }, true), /invalid no-new-privileges/);
    const d = await loadConfig({ configFile: join(dir, 'none.json') }, false);
    assert.equal(d.noNewPrivileges, false);
    assert.equal(d.group, 'berth');
    assert.equal(d.usernsRemap, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('storage-driver in daemon.json; the flag wins; not given means automatic', async () => {
  const dir = mkdtempSync('/tmp/berth-test-cfg-');
  try {
    const f = join(dir, 'daemon.json');
    writeFileSync(f, JSON.stringify({ 'storage-driver': 'vfs' }));
    assert.equal((await loadConfig({ configFile: f }, true)).storageDriver, 'vfs');
    assert.equal((await loadConfig({ configFile: f, storageDriver: 'btrfs' }, true)).storageDriver, 'btrfs');
    writeFileSync(f, JSON.stringify({ 'storage-driver': 3 }));
    await assert.rejects(loadConfig({ configFile: f }, true), /invalid storage-driver/);
    assert.equal((await loadConfig({ configFile: join(dir, 'none.json') }, false)).storageDriver, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
