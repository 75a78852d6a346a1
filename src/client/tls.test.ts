import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveTls, type TlsFlags } from './tls.ts';

const files: Record<string, string> = {
  '/certs/ca.pem': 'CA', '/certs/cert.pem': 'CERT', '/certs/key.pem': 'KEY',
  '/home/u/.docker/ca.pem': 'HOMECA', '/x/cert.pem': 'XCERT', '/x/key.pem': 'XKEY',
};
const read = (p: string): Buffer => {
  const f = files[p];
  if (f === undefined) throw Object.assign(new Error(`open ${p}: no such file or directory`), { code: 'ENOENT' });
  return Buffer.from(f);
};
const show = (s: ReturnType<typeof resolveTls>) => s && {
  verify: s.verify, ca: s.ca?.toString(), cert: s.cert?.toString(), key: s.key?.toString(),
};

const cases: { name: string; flags: TlsFlags; env: Record<string, string>; want: unknown }[] = [
  { name: 'no TLS', flags: {}, env: {}, want: null },
  { name: 'DOCKER_TLS_VERIFY with DOCKER_CERT_PATH', flags: {}, env: { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' },
    want: { verify: true, ca: 'CA', cert: 'CERT', key: 'KEY' } },
  { name: '--tls alone: no verification, default files that exist', flags: { tls: true }, env: { HOME: '/home/u' },
    want: { verify: false, ca: 'HOMECA', cert: undefined, key: undefined } },
  { name: 'DOCKER_TLS enables TLS', flags: {}, env: { DOCKER_TLS: '1', DOCKER_CERT_PATH: '/certs' },
    want: { verify: false, ca: 'CA', cert: 'CERT', key: 'KEY' } },
  { name: 'explicit files win over the cert path', flags: { tlsverify: true, tlscert: '/x/cert.pem', tlskey: '/x/key.pem' },
    env: { DOCKER_CERT_PATH: '/certs' }, want: { verify: true, ca: 'CA', cert: 'XCERT', key: 'XKEY' } },
];
for (const c of cases) {
  test(`resolveTls: ${c.name}`, () => {
    assert.deepEqual(show(resolveTls(c.flags, c.env, read)), c.want);
  });
}

test('resolveTls: an explicit file that is missing is an error; a cert without a key too', () => {
  assert.throws(() => resolveTls({ tlsverify: true, tlscacert: '/nope/ca.pem' }, {}, read), /could not read TLS file \/nope\/ca\.pem/);
  assert.throws(() => resolveTls({ tlsverify: true, tlscert: '/x/cert.pem' }, { DOCKER_CERT_PATH: '/empty' }, read), /needs both --tlscert and --tlskey/);
});
