import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerSummary, ImageSummary } from '../../api/types/index.ts';
import { renderList, preFormat } from './formatter.ts';
import { containerContext, containerFormat, CONTAINER_HEADER } from './container-context.ts';
import { imageFormat, imageRows, IMAGE_HEADER } from './image-context.ts';
import { displayablePorts } from './ports-display.ts';
import { indentJson } from './json-indent.ts';
import { ellipsis, truncateId } from './short-text.ts';

const now = new Date('2024-05-01T12:00:00Z');
const at = (secondsAgo: number): number => Math.floor(now.getTime() / 1000) - secondsAgo;

function summary(over: Partial<ContainerSummary>): ContainerSummary {
  return {
    Id: 'a'.repeat(64), Names: ['/web'], Image: 'busybox', ImageID: 'sha256:' + 'b'.repeat(64),
    Command: 'sh -c \'echo hello; sleep 1000\'', Created: at(3), Ports: [], Labels: {}, State: 'running',
    Status: 'Up 3 seconds', HostConfig: { NetworkMode: 'bridge' }, NetworkSettings: { Networks: { bridge: {} } },
    Mounts: [], ...over,
  };
}

test('ps default table', () => {
  const items = [
    summary({}),
    summary({ Id: 'c'.repeat(64), Names: ['/db'], Command: 'true', State: 'exited', Status: 'Exited (0) 2 minutes ago', Created: at(125) }),
  ].map((c) => containerContext(c, { trunc: true, now }));
  const out = renderList({ format: containerFormat('', false, false), header: CONTAINER_HEADER, items });
  assert.equal(out, [
    'CONTAINER ID   IMAGE     COMMAND                  CREATED         STATUS                     PORTS     NAMES',
    'aaaaaaaaaaaa   busybox   "sh -c \'echo hello; …"   3 seconds ago   Up 3 seconds                         web',
    'cccccccccccc   busybox   "true"                   2 minutes ago   Exited (0) 2 minutes ago             db',
    '',
  ].join('\n'));
});

test('ps --no-trunc, -q, custom table and json', () => {
  const c = summary({ Labels: { b: '2', a: '1' } });
  const full = containerContext(c, { trunc: false, now });
  assert.equal(renderList({ format: '{{.ID}}', header: CONTAINER_HEADER, items: [full] }), 'a'.repeat(64) + '\n');
  assert.equal(renderList({ format: containerFormat('', true, false), header: CONTAINER_HEADER, items: [containerContext(c, { trunc: true, now })] }), 'aaaaaaaaaaaa\n');
  assert.equal(
    renderList({ format: 'table {{.Names}}\\t{{.Labels}}\\t{{.Label "a"}}', header: CONTAINER_HEADER, items: [full] }),
    // .Label is a method of docker's header map too: the column is titled after the key.
    'NAMES     LABELS    a\nweb       a=1,b=2   1\n',
  );
  const json = JSON.parse(renderList({ format: 'json', header: CONTAINER_HEADER, items: [full] })) as Record<string, string>;
  assert.equal(json['Command'], '"sh -c \'echo hello; sleep 1000\'"');
  assert.equal(json['Networks'], 'bridge');
  assert.equal(json['RunningFor'], '3 seconds ago');
  assert.deepEqual(Object.keys(json), [...Object.keys(json)].sort());
});

test('ps size column', () => {
  let used = false;
  const c = containerContext(summary({ SizeRw: 12, SizeRootFs: 4_261_888 }), { trunc: true, now, onSizeUsed: () => { used = true; } });
  assert.equal(renderList({ format: '{{.Size}}', header: CONTAINER_HEADER, items: [c] }), '12B (virtual 4.26MB)\n');
  assert.ok(used);
  assert.match(containerFormat('', false, true), /\{\{\.Size\}\}$/);
});

test('displayablePorts like docker', () => {
  const cases: { ports: ContainerSummary['Ports']; want: string }[] = [
    { ports: [], want: '' },
    { ports: [{ PrivatePort: 9988, Type: 'tcp' }], want: '9988/tcp' },
    { ports: [{ PrivatePort: 80, Type: 'tcp' }, { PrivatePort: 81, Type: 'tcp' }, { PrivatePort: 82, Type: 'tcp' }], want: '80-82/tcp' },
    { ports: [{ IP: '0.0.0.0', PrivatePort: 9090, PublicPort: 80, Type: 'tcp' }], want: '0.0.0.0:80->9090/tcp' },
    { ports: [{ IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }], want: '[::]:8080->80/tcp' },
    { ports: [{ IP: '1.2.3.4', PrivatePort: 6677, PublicPort: 6677, Type: 'tcp' }, { IP: '1.2.3.4', PrivatePort: 6678, PublicPort: 6678, Type: 'tcp' }], want: '1.2.3.4:6677-6678->6677-6678/tcp' },
    { ports: [{ PrivatePort: 53, Type: 'udp' }, { PrivatePort: 80, Type: 'tcp' }, { PrivatePort: 90, Type: 'tcp' }], want: '80/tcp, 53/udp, 90/tcp' },
  ];
  for (const c of cases) assert.equal(displayablePorts(c.ports), c.want, c.want);
});

function image(over: Partial<ImageSummary>): ImageSummary {
  return {
    Id: 'sha256:' + 'd'.repeat(64), ParentId: '', RepoTags: ['busybox:latest'], RepoDigests: [], Created: at(7200),
    Size: 4_261_888, SharedSize: -1, Labels: {}, Containers: -1, ...over,
  };
}

test('images default table', () => {
  const rows = imageRows([
    image({}),
    image({ Id: 'sha256:' + 'e'.repeat(64), RepoTags: ['docker.io/library/alpine:3.19', 'my/app:1'], Created: at(90) }),
    image({ Id: 'sha256:' + 'f'.repeat(64), RepoTags: [], Created: at(86400 * 3) }),
  ], { trunc: true, now, digest: false, formatHasDigest: false });
  const out = renderList({ format: imageFormat('table', false, false), header: IMAGE_HEADER, items: rows });
  assert.equal(out, [
    'REPOSITORY   TAG       IMAGE ID       CREATED          SIZE',
    'busybox      latest    dddddddddddd   2 hours ago      4.26MB',
    'alpine       3.19      eeeeeeeeeeee   About a minute ago   4.26MB',
    'my/app       1         eeeeeeeeeeee   About a minute ago   4.26MB',
    '<none>       <none>    ffffffffffff   3 days ago       4.26MB',
    '',
  ].join('\n').replace(/CREATED {10}/, 'CREATED              ').replace(/2 hours ago {6}/, '2 hours ago          ').replace(/3 days ago {7}/, '3 days ago           '));
});

test('preFormat handles table, json and escapes', () => {
  assert.equal(preFormat('table {{.ID}}\\t{{.Names}}'), '{{.ID}}\t{{.Names}}');
  assert.equal(preFormat('json'), '{{json .}}');
  assert.equal(preFormat('  {{.ID}}\\n'), '{{.ID}}\n');
});

test('bad templates are reported like docker', () => {
  assert.throws(() => renderList({ format: '{{.Nope}}', header: {}, items: [containerContext(summary({}), { trunc: true, now })] }),
    { message: 'template parsing error: template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type *formatter.ContainerContext' });
  assert.throws(() => renderList({ format: '{{nope}}', header: {}, items: [] }), { message: 'template parsing error: template: :1: function "nope" not defined' });
});

test('indentJson matches encoding/json.Indent', () => {
  assert.equal(indentJson('[{"a":1,"b":[],"c":{},"d":[1,2],"e":"x\\"y,{"}]'),
    '[\n    {\n        "a": 1,\n        "b": [],\n        "c": {},\n        "d": [\n            1,\n            2\n        ],\n        "e": "x\\"y,{"\n    }\n]');
  assert.equal(indentJson('[]'), '[]');
});

test('truncateId and ellipsis', () => {
  assert.equal(truncateId('sha256:' + '0123456789abcdef'), '0123456789ab');
  assert.equal(truncateId('abc'), 'abc');
  assert.equal(ellipsis('sh -c \'echo hello; sleep 1000\'', 20), 'sh -c \'echo hello; …');
  assert.equal(ellipsis('short', 20), 'short');
  assert.equal(ellipsis('abc', 1), 'a');
});

test('{{json .}} of a formatter context escapes HTML like json.Marshal', () => {
  const rows = imageRows([image({ RepoTags: [] })], { trunc: true, now, digest: false, formatHasDigest: false });
  const out = renderList({ format: '{{json .}}|{{json .Tag}}', header: IMAGE_HEADER, items: rows });
  assert.match(out, /"Tag":"\\u003cnone\\u003e"/);
  assert.match(out, /\|"<none>"\n$/);
});
