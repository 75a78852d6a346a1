import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAEMON_ERROR_CODE } from '../../client/index.ts';
import { NotFoundError } from '../../lib/index.ts';
import { fakeClient } from '../testing/fake-client.ts';
import { runTest } from '../testing/test-context.ts';

const daemon = { code: DAEMON_ERROR_CODE };
const raw = '{"Id":"abc","State":{"Status":"running","Pid":42},"Config":{"Labels":{"b":"2","a":"1"},"Cmd":["sh"]},"Empty":{},"List":[]}';

const client = fakeClient({
  containers: {
    inspect: async (id) => {
      if (id !== 'web') throw new NotFoundError(`No such container: ${id}`, daemon);
      return { value: JSON.parse(raw), raw };
    },
  },
  images: {
    inspect: async (name) => {
      if (name !== 'busybox') throw new NotFoundError(`No such image: ${name}`, daemon);
      return { value: JSON.parse('{"Id":"sha256:1"}'), raw: '{"Id":"sha256:1"}' };
    },
  },
  volumes: {
    inspect: async (name) => {
      if (name !== 'data') throw new NotFoundError(`get ${name}: no such volume`, daemon);
      const v = '{"Name":"data","Driver":"local"}';
      return { value: JSON.parse(v), raw: v };
    },
  },
});

test('inspect prints the raw bodies as an indented JSON array', async () => {
  const r = await runTest(['inspect', 'web', 'busybox'], { client });
  assert.equal(r.code, 0);
  assert.equal(r.out, [
    '[', '    {', '        "Id": "abc",', '        "State": {', '            "Status": "running",', '            "Pid": 42',
    '        },', '        "Config": {', '            "Labels": {', '                "b": "2",', '                "a": "1"',
    '            },', '            "Cmd": [', '                "sh"', '            ]', '        },', '        "Empty": {},',
    '        "List": []', '    },', '    {', '        "Id": "sha256:1"', '    }', ']', '',
  ].join('\n'));
});

test('inspect --format runs the template per object', async () => {
  const r = await runTest(['container', 'inspect', '-f', '{{.State.Status}} {{.State.Pid}} {{json .Config.Labels}} {{.Config.Cmd}}', 'web'], { client });
  assert.equal(r.out, 'running 42 {"a":"1","b":"2"} [sh]\n');
  const missingKey = await runTest(['inspect', '-f', '{{.State.Health.Status}}', 'web'], { client });
  assert.equal(missingKey.code, 1);
  assert.equal(missingKey.out, '\n');
  assert.equal(missingKey.err, 'template parsing error: template: :1:8: executing "" at <.State.Health.Status>: map has no entry for key "Health"\n');
  const badTemplate = await runTest(['inspect', '-f', '{{.State', 'web'], { client });
  assert.equal(badTemplate.code, 64);
  assert.match(badTemplate.err, /^template parsing error: template: :1: unclosed action/);
});

test('inspect reports what it cannot find, after printing the rest', async () => {
  const r = await runTest(['inspect', '-f', '{{.Id}}', 'web', 'nothing'], { client });
  assert.equal(r.code, 1);
  assert.equal(r.out, 'abc\n');
  assert.equal(r.err, 'Error: No such object: nothing\n');
  const v = await runTest(['inspect', '-f', '{{.Name}} {{.Driver}}', 'data'], { client });
  assert.equal(v.out, 'data local\n', 'a volume is found after containers and images');
  const t = await runTest(['inspect', '--type', 'volume', 'web'], { client });
  assert.equal(t.err, 'Error response from daemon: get web: no such volume\n');
  const c = await runTest(['container', 'inspect', 'nothing'], { client });
  assert.equal(c.out, '[]\n');
  assert.equal(c.err, 'Error response from daemon: No such container: nothing\n');
  const typed = await runTest(['inspect', '--type', 'image', 'web'], { client });
  assert.equal(typed.err, 'Error response from daemon: No such image: web\n');
  assert.equal((await runTest(['image', 'inspect', '-f', '{{.Id}}', 'busybox'], { client })).out, 'sha256:1\n');
});
