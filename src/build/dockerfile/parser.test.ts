import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile, extractFlags, splitKeepQuotes, DockerfileParseError } from './parser.ts';
import { parseStages, parseGoDuration, type CopyInstr, type RunInstr, type KeyValueInstr, type HealthcheckInstr } from './instructions.ts';

test('logical lines: comments, continuations, directives', () => {
  const cases: { name: string; text: string; want: [string, string, number][]; escape?: string }[] = [
    { name: 'simple', text: 'FROM busybox\nRUN echo hi\n', want: [['from', 'busybox', 1], ['run', 'echo hi', 2]] },
    { name: 'lower-case keyword', text: 'from busybox\nrun echo hi', want: [['from', 'busybox', 1], ['run', 'echo hi', 2]] },
    { name: 'comments and blank lines', text: '# c\n\nFROM a\n  # indented\nRUN x\n', want: [['from', 'a', 3], ['run', 'x', 5]] },
    { name: 'continuation', text: 'FROM a\nRUN echo a \\\n  b \\\n  c\n', want: [['from', 'a', 1], ['run', 'echo a   b   c', 2]] },
    { name: 'continuation with trailing space', text: 'RUN a \\  \nb', want: [['run', 'a b', 1]] },
    { name: 'comment inside continuation', text: 'RUN a \\\n# note\n b', want: [['run', 'a  b', 1]] },
    { name: 'crlf', text: 'FROM a\r\nRUN b \\\r\n c\r\n', want: [['from', 'a', 1], ['run', 'b  c', 2]] },
    { name: 'escape directive', text: '# escape=`\nFROM a\nRUN dir c:\\ `\n  x', want: [['from', 'a', 2], ['run', 'dir c:\\   x', 3]], escape: '`' },
    { name: 'directive after instruction is a comment', text: 'FROM a\n# escape=`\nRUN b \\\nc', want: [['from', 'a', 1], ['run', 'b c', 3]] },
    { name: 'continuation at EOF', text: 'RUN a \\', want: [['run', 'a', 1]] },
  ];
  for (const c of cases) {
    const p = parseDockerfile(c.text);
    assert.deepEqual(p.nodes.map((n) => [n.cmd, n.rest, n.line]), c.want, c.name);
    assert.equal(p.directives.escape, c.escape ?? '\\', c.name);
  }
});

test('directives', () => {
  const p = parseDockerfile('# syntax=docker/dockerfile:1\n# check=skip=all\nFROM a');
  assert.equal(p.directives.syntax, 'docker/dockerfile:1');
  assert.equal(p.directives.check, 'skip=all');
  assert.throws(() => parseDockerfile('# escape=x\nFROM a'), /line 1: invalid escape token 'x'/);
  assert.throws(() => parseDockerfile('# escape=`\n# escape=\\\nFROM a'), /line 2: only one escape parser directive/);
});

test('heredocs', () => {
  const p = parseDockerfile('FROM a\nRUN <<EOF\necho 1\necho $X\nEOF\nCOPY <<-"F1" <<F2 /dst/\n\t\tone\n\tF1\ntwo\nF2\nRUN x');
  assert.equal(p.nodes.length, 4);
  assert.deepEqual(p.nodes[1]!.heredocs, [{ name: 'EOF', content: 'echo 1\necho $X\n', expand: true, chomp: false }]);
  assert.deepEqual(p.nodes[2]!.heredocs, [
    { name: 'F1', content: 'one\n', expand: false, chomp: true },
    { name: 'F2', content: 'two\n', expand: true, chomp: false },
  ]);
  assert.equal(p.nodes[3]!.line, 11);
  assert.throws(() => parseDockerfile('FROM a\nRUN <<EOF\necho'), /line 2: unterminated heredoc EOF/);
  // not a heredoc outside RUN/COPY/ADD
  assert.equal(parseDockerfile('FROM a\nLABEL x=<<EOF\nEXPOSE 1').nodes.length, 3);
});

test('flags', () => {
  assert.deepEqual(extractFlags('--from=build --chown=1:2 --link a b'), {
    flags: [{ name: 'from', value: 'build' }, { name: 'chown', value: '1:2' }, { name: 'link', value: null }], rest: 'a b',
  });
  assert.deepEqual(extractFlags('--mount=type=cache,target=/c echo'), { flags: [{ name: 'mount', value: 'type=cache,target=/c' }], rest: 'echo' });
  assert.deepEqual(extractFlags('--chown="a b" x'), { flags: [{ name: 'chown', value: 'a b' }], rest: 'x' });
  assert.deepEqual(extractFlags('echo --x'), { flags: [], rest: 'echo --x' });
});

test('splitKeepQuotes', () => {
  assert.deepEqual(splitKeepQuotes('a="b c" d=e\\ f \'g h\'', '\\'), ['a="b c"', 'd=e\\ f', "'g h'"]);
});

test('instructions: typed forms', () => {
  const df = parseStages([
    'ARG BASE=busybox',
    'FROM ${BASE} AS Build',
    'RUN ["echo", "a  b"]',
    'RUN --mount=type=cache,target=/c echo hi',
    'CMD echo $HOME',
    'ENTRYPOINT ["/bin/sh", "-c"]',
    'ENV A=1 B="two words" C=x\\ y',
    'ENV LEGACY some value',
    'LABEL "com.x"="y" k=v',
    'ARG X Y=2',
    'EXPOSE 80/tcp 443',
    'VOLUME ["/data", "/logs"]',
    'VOLUME /a /b',
    'USER app:app',
    'WORKDIR /srv/my dir',
    'COPY --from=0 --chown=1:1 --chmod=644 a b /dst/',
    'ADD ["x y", "/z"]',
    'HEALTHCHECK --interval=5s --retries=3 CMD wget -q localhost',
    'STOPSIGNAL SIGTERM',
    'ONBUILD RUN echo triggered',
    'SHELL ["/bin/bash", "-c"]',
    'MAINTAINER someone',
    'FROM build',
    'HEALTHCHECK NONE',
  ].join('\n'));
  assert.equal(df.metaArgs.length, 1);
  assert.equal(df.stages.length, 2);
  const [s0, s1] = df.stages;
  assert.equal(s0!.name, 'build');
  assert.equal(s0!.from.image, '${BASE}');
  const k = s0!.instructions.map((i) => i.kind);
  assert.deepEqual(k, ['run', 'run', 'cmd', 'entrypoint', 'env', 'env', 'label', 'arg', 'expose', 'volume', 'volume', 'user', 'workdir', 'copy', 'add', 'healthcheck', 'stopsignal', 'onbuild', 'shell', 'maintainer']);
  const ins = s0!.instructions;
  assert.deepEqual(ins[0], { kind: 'run', line: 3, original: 'RUN ["echo", "a  b"]', json: true, cmd: ['echo', 'a  b'], heredocs: [], mounts: [], network: null, security: null });
  assert.deepEqual((ins[1] as RunInstr).mounts, ['type=cache,target=/c']);
  assert.deepEqual((ins[2] as { cmd: string[] }).cmd, ['echo $HOME']);
  assert.deepEqual((ins[4] as KeyValueInstr).pairs, [['A', '1'], ['B', '"two words"'], ['C', 'x\\ y']]);
  assert.deepEqual((ins[5] as KeyValueInstr).pairs, [['LEGACY', 'some value']]);
  assert.deepEqual((ins[6] as KeyValueInstr).pairs, [['"com.x"', '"y"'], ['k', 'v']]);
  assert.deepEqual(ins[7]!.kind === 'arg' && ins[7].args, [{ name: 'X', value: null }, { name: 'Y', value: '2' }]);
  assert.deepEqual(ins[9]!.kind === 'volume' && ins[9].paths, ['/data', '/logs']);
  assert.deepEqual(ins[12]!.kind === 'workdir' && ins[12].value, '/srv/my dir');
  const cp = ins[13] as CopyInstr;
  assert.deepEqual([cp.sources, cp.dest, cp.from, cp.chown, cp.chmod, cp.link], [['a', 'b'], '/dst/', '0', '1:1', '644', false]);
  assert.deepEqual([(ins[14] as CopyInstr).sources, (ins[14] as CopyInstr).dest], [['x y'], '/z']);
  const hc = ins[15] as HealthcheckInstr;
  assert.deepEqual([hc.test, hc.interval, hc.retries], [['CMD-SHELL', 'wget -q localhost'], 5e9, 3]);
  assert.deepEqual(s1!.instructions[0]!.kind === 'healthcheck' && s1!.instructions[0].test, ['NONE']);
});

test('instructions: errors carry the line', () => {
  const cases: [string, RegExp][] = [
    ['FROM a\nFOO bar', /^dockerfile parse error on line 2: unknown instruction: FOO$/],
    ['RUN x', /line 1: no build stage in current context/],
    ['FROM a\nCOPY onlyone', /line 2: COPY requires at least two arguments/],
    ['FROM a\nCOPY --bogus=1 a b', /line 2: unknown flag: bogus/],
    ['FROM a b', /line 1: FROM requires either one or three arguments/],
    ['FROM a AS 1x', /invalid name for build stage/],
    ['FROM a AS x\nFROM b AS x', /line 2: duplicate name x/],
    ['FROM a\nENV', /line 2: ENV requires at least one argument/],
    ['FROM a\nENV a=b c', /line 2: Syntax error - can't find = in "c"/],
    ['FROM a\nSHELL /bin/sh', /line 2: SHELL requires the arguments to be in JSON form/],
    ['FROM a\nONBUILD ONBUILD RUN x', /Chaining ONBUILD/],
    ['FROM a\nONBUILD FROM x', /FROM isn't allowed as an ONBUILD trigger/],
    ['FROM a\nHEALTHCHECK --interval=xyz CMD true', /line 2: time: invalid duration "xyz"/],
    ['FROM a\nHEALTHCHECK FOO', /Unknown type "FOO" in HEALTHCHECK/],
    ['FROM a\nUSER a b', /USER requires exactly one argument/],
    ['FROM a\nCOPY --link=maybe a b', /expecting boolean value for flag link/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parseStages(text), (e: Error) => e instanceof DockerfileParseError && re.test(e.message), text);
  }
});

test('parseGoDuration', () => {
  const cases: [string, number | null][] = [['30s', 30e9], ['1m30s', 90e9], ['500ms', 5e8], ['1h', 3600e9], ['1.5s', 1.5e9], ['0', 0], ['x', null], ['10', null], ['', null]];
  for (const [s, want] of cases) assert.equal(parseGoDuration(s), want, s);
});
