import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { ImageSummary } from '../../../api/types/index.ts';
import { DAEMON_ERROR_CODE, type Filters, type ImportOptions } from '../../../client/index.ts';
import { ConflictError, NotFoundError } from '../../../lib/index.ts';
import { fakeClient } from '../../testing/fake-client.ts';
import { runTest } from '../../testing/test-context.ts';

const daemon = { code: DAEMON_ERROR_CODE };
const now = new Date('2024-05-01T12:00:00Z');
const images: ImageSummary[] = [{
  Id: 'sha256:' + '9'.repeat(64), ParentId: '', RepoTags: ['busybox:latest'], RepoDigests: [], Created: now.getTime() / 1000 - 7200,
  Size: 2_140_000, SharedSize: -1, Labels: {}, Containers: -1,
}];

test('images: table, -q, --no-trunc, reference argument', async () => {
  let filters: Filters | undefined;
  const client = fakeClient({ images: { list: async (o) => { filters = o?.filters; return images; } } });
  const r = await runTest(['images'], { client, now });
  assert.equal(r.out, 'REPOSITORY   TAG       IMAGE ID       CREATED       SIZE\nbusybox      latest    999999999999   2 hours ago   2.14MB\n');
  assert.equal((await runTest(['image', 'ls', '-q'], { client, now })).out, '999999999999\n');
  assert.equal((await runTest(['images', '-q', '--no-trunc'], { client, now })).out, `sha256:${'9'.repeat(64)}\n`);
  await runTest(['images', '-f', 'dangling=false', 'busy*'], { client, now });
  assert.deepEqual(filters, new Map([['dangling', ['false']], ['reference', ['busy*']]]));
  assert.equal((await runTest(['images', '--format', '{{.Repository}}:{{.Tag}} {{.Size}}'], { client, now })).out, 'busybox:latest 2.14MB\n');
});

test('tag sends repository and tag', async () => {
  const seen: string[] = [];
  const client = fakeClient({ images: { tag: async (s, r, t) => { seen.push(`${s} ${r} ${t}`); } } });
  await runTest(['tag', 'busybox', 'me/box'], { client });
  await runTest(['image', 'tag', 'busybox:latest', 'localhost:5000/box:v1'], { client });
  assert.deepEqual(seen, ['busybox docker.io/me/box latest', 'busybox:latest localhost:5000/box v1']);
  assert.equal((await runTest(['tag', 'a', 'b@sha256:' + '0'.repeat(64)], { client })).err, 'refusing to create a tag with a digest reference\n');
});

test('rmi prints what happened; -f hides missing images', async () => {
  const client = fakeClient({
    images: {
      remove: async (name) => {
        if (name === 'gone') throw new NotFoundError('No such image: gone:latest', daemon);
        if (name === 'used') throw new ConflictError('conflict: unable to remove repository reference "used"', daemon);
        return [{ Untagged: 'busybox:latest' }, { Deleted: 'sha256:99' }];
      },
    },
  });
  const r = await runTest(['rmi', 'busybox', 'gone'], { client });
  assert.equal(r.code, 1);
  assert.equal(r.out, 'Untagged: busybox:latest\nDeleted: sha256:99\n');
  assert.equal(r.err, 'Error response from daemon: No such image: gone:latest\n');
  assert.equal((await runTest(['rmi', '-f', 'gone'], { client })).code, 0);
  assert.equal((await runTest(['image', 'rm', '-f', 'gone', 'used'], { client })).code, 1);
});

test('import streams the file and shows the new id', async () => {
  let body = '';
  let opts: ImportOptions | undefined;
  const client = fakeClient({
    images: {
      import: async (src, o) => {
        opts = o;
        for await (const c of src as Readable) body += String(c);
        return Readable.from([Buffer.from('{"status":"sha256:abc"}\r\n')]);
      },
    },
  });
  const r = await runTest(['import', '-c', 'CMD ["sh"]', '-c', 'ENV A=1', '-m', 'msg', 'root.tar', 'me/root:1'], { client, files: { 'root.tar': 'TARBYTES' } });
  assert.equal(r.code, 0);
  assert.equal(r.out, 'sha256:abc\n');
  assert.equal(body, 'TARBYTES');
  assert.deepEqual(opts, { sourceName: '-', reference: 'me/root:1', changes: ['CMD ["sh"]', 'ENV A=1'], message: 'msg' });
  const fromStdin = await runTest(['import', '-'], { client, stdin: 'STDIN' });
  assert.equal(fromStdin.code, 0);
  assert.equal(body, 'TARBYTESSTDIN');
});

test('import fails with the error from the progress stream', async () => {
  const client = fakeClient({
    images: { import: async () => Readable.from([Buffer.from('{"errorDetail":{"message":"bad tar"},"error":"bad tar"}\n')]) },
  });
  const r = await runTest(['import', '-'], { client, stdin: 'x' });
  assert.equal(r.code, 1);
  assert.equal(r.err, 'bad tar\n');
});

test('history: docker\'s table, -q, -H=false', async () => {
  const client = fakeClient({
    images: {
      history: async () => [
        { Id: 'sha256:' + '7'.repeat(64), Created: now.getTime() / 1000 - 120, CreatedBy: '/bin/sh -c #(nop) ADD file:0123456789abcdef in / ', Tags: ['busybox:latest'], Size: 2_140_000, Comment: 'Imported from -' },
        { Id: '<missing>', Created: now.getTime() / 1000 - 3600 * 30, CreatedBy: 'CMD ["sh"]', Tags: null, Size: 0, Comment: '' },
      ],
    },
  });
  const r = await runTest(['history', 'busybox'], { client, now });
  assert.equal(r.out, [
    'IMAGE          CREATED         CREATED BY                                      SIZE      COMMENT',
    '777777777777   2 minutes ago   /bin/sh -c #(nop) ADD file:0123456789abcdef …   2.14MB    Imported from -',
    '<missing>      30 hours ago    CMD ["sh"]                                      0B        ',
    '',
  ].join('\n'));
  assert.equal((await runTest(['image', 'history', '-q', 'busybox'], { client, now })).out, '777777777777\n<missing>\n');
  const raw = await runTest(['history', '-H=false', 'busybox'], { client, now });
  assert.match(raw.out, /2024-05-01T11:58:00Z .* 2140000 /);
});
