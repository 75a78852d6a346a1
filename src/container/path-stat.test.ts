import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodePathStat, goFileMode, isGoDir, isGoSymlink, rfc3339Nano } from './path-stat.ts';

test('st_mode converts to Go os.FileMode as Docker reports it', () => {
  const cases: [number, number][] = [
    [0o040755, 2147484141],   // "/bin" in Docker's own stat output
    [0o120777, 134218239],    // a symlink
    [0o100644, 420],          // a regular file
    [0o104755, 8389101], // setuid 4755
    [0o041777, 2 ** 31 + 2 ** 20 + 0o777], // sticky /tmp
    [0o020666, 2 ** 26 + 2 ** 21 + 0o666], // char device
    [0o010644, 2 ** 25 + 0o644],           // fifo
  ];
  for (const [st, want] of cases) assert.equal(goFileMode(st), want, st.toString(8));
  assert.ok(isGoDir(2147484141));
  assert.ok(!isGoDir(134218239));
  assert.ok(isGoSymlink(134218239));
  assert.ok(!isGoSymlink(2147484141));
});

test('times print as Go RFC3339Nano in UTC', () => {
  assert.equal(rfc3339Nano(1_700_000_000_000_000_000n), '2023-11-14T22:13:20Z');
  assert.equal(rfc3339Nano(1_700_000_000_500_000_000n), '2023-11-14T22:13:20.5Z');
  assert.equal(rfc3339Nano(1_700_000_000_000_000_123n), '2023-11-14T22:13:20.000000123Z');
});

test('the stat header is base64 JSON with Docker keys in order', () => {
  const h = encodePathStat({ name: 'x', size: 1, mode: 420, mtime: '2023-11-14T22:13:20Z', linkTarget: '' });
  assert.equal(Buffer.from(h, 'base64').toString(), '{"name":"x","size":1,"mode":420,"mtime":"2023-11-14T22:13:20Z","linkTarget":""}');
});
