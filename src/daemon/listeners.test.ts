import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from './config.ts';
import { tcpSecurity } from './listeners.ts';

test('TCP listeners: mutual TLS with --tlsverify, server TLS with --tls, plain only with --tls=false, else refused', async () => {
  const dir = mkdtempSync('/tmp/berth-test-listen-');
  try {
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, f), `pem ${f}`);
    const paths = { tlsCaCert: join(dir, 'ca.pem'), tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'key.pem') };
    await assert.rejects(tcpSecurity({ ...DEFAULTS }), /listening on TCP requires mutual TLS: give --tlsverify/);
    assert.deepEqual(await tcpSecurity({ ...DEFAULTS, tls: false }), { kind: 'plain' });
    const m = await tcpSecurity({ ...DEFAULTS, tlsVerify: true, ...paths });
    assert.equal(m.kind, 'mtls');
    assert.equal(m.kind === 'mtls' && m.tls.verifyClients, true);
    assert.equal(m.kind === 'mtls' && m.tls.ca?.toString(), 'pem ca.pem');
    const s = await tcpSecurity({ ...DEFAULTS, tls: true, ...paths });
    assert.equal(s.kind, 'tls');
    await assert.rejects(tcpSecurity({ ...DEFAULTS, tlsVerify: true, ...paths, tlsCaCert: join(dir, 'missing.pem') }), /could not read TLS CA certificate .*missing\.pem: ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
