import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyChanges } from './apply-changes.ts';

const cases = [
  { name: 'cmd exec form', changes: ['CMD ["httpd","-f"]'], want: { Cmd: ['httpd', '-f'] } },
  { name: 'cmd shell form', changes: ['CMD echo hi'], want: { Cmd: ['/bin/sh', '-c', 'echo hi'] } },
  { name: 'entrypoint', changes: ['ENTRYPOINT ["/bin/sh"]'], want: { Entrypoint: ['/bin/sh'] } },
  { name: 'env key=value pairs', changes: ['ENV A=1 B="two words"'], want: { Env: ['A=1', 'B=two words'] } },
  { name: 'env legacy form', changes: ['ENV A hello world'], want: { Env: ['A=hello world'] } },
  { name: 'env override', changes: ['ENV A=1', 'ENV A=2'], want: { Env: ['A=2'] } },
  { name: 'workdir user', changes: ['WORKDIR /app', 'USER nobody'], want: { WorkingDir: '/app', User: 'nobody' } },
  { name: 'expose', changes: ['EXPOSE 80 53/udp'], want: { ExposedPorts: { '80/tcp': {}, '53/udp': {} } } },
  { name: 'label', changes: ['LABEL a=b c=d'], want: { Labels: { a: 'b', c: 'd' } } },
  { name: 'volume json', changes: ['VOLUME ["/data"]'], want: { Volumes: { '/data': {} } } },
  { name: 'lower-case instruction', changes: ['cmd ["x"]'], want: { Cmd: ['x'] } },
];
for (const c of cases) {
  test(`applyChanges: ${c.name}`, () => assert.deepEqual(applyChanges({}, c.changes), c.want));
}

test('applyChanges rejects unknown instructions with Docker\'s wording', () => {
  assert.throws(() => applyChanges({}, ['RUN echo']), /run is not a valid change command/);
  assert.throws(() => applyChanges({}, ['EXPOSE abc']), /invalid containerPort: abc/);
});
