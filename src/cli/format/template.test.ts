import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from './template.ts';
import { GoStruct } from './go-value.ts';
import { HEADER_FUNCS } from './template-funcs.ts';

const ctr = new GoStruct('*formatter.ContainerContext', {
  ID: () => 'abc123',
  Names: () => 'web',
  Label: (k: unknown) => ({ a: '1' } as Record<string, string>)[String(k)] ?? '',
  Size: 42,
});

const data = {
  Name: 'box',
  Count: 3,
  Zero: 0,
  Ratio: 1.5,
  Big: 1234567.5,
  Empty: '',
  List: ['a', 'b', 'c'],
  None: [],
  Labels: { 'com.x': 'y', b: '2', a: '1' },
  Config: { Env: ['A=1', 'B=2'], Cmd: null, User: '' },
  State: { Status: 'running', Running: true, Pid: 42 },
  Nested: { Deep: { Value: 'v' } },
};

const cases: { name: string; tmpl: string; data?: unknown; want: string }[] = [
  { name: 'text only', tmpl: 'hello', want: 'hello' },
  { name: 'field', tmpl: '{{.Name}}', want: 'box' },
  { name: 'nested field', tmpl: '{{.Nested.Deep.Value}}', want: 'v' },
  { name: 'missing map key', tmpl: '{{.Nope}}', want: '<no value>' },
  { name: 'missing nested', tmpl: '{{.Nope.Deeper}}', want: '<no value>' },
  { name: 'null', tmpl: '{{.Config.Cmd}}', want: '<nil>' },
  { name: 'int', tmpl: '{{.Count}}', want: '3' },
  { name: 'float', tmpl: '{{.Ratio}}', want: '1.5' },
  { name: 'float exponent like Go', tmpl: '{{.Big}}', want: '1.2345675e+06' },
  { name: 'slice', tmpl: '{{.List}}', want: '[a b c]' },
  { name: 'map sorted', tmpl: '{{.Labels}}', want: 'map[a:1 b:2 com.x:y]' },
  { name: 'struct-like object', tmpl: '{{.State}}', want: '{running true 42}' },
  { name: 'dot', tmpl: '{{.}}', data: 'x', want: 'x' },
  { name: 'json of dot', tmpl: '{{json .}}', data: { b: 1, a: '<&>' }, want: '{"a":"<&>","b":1}' },
  { name: 'json field', tmpl: '{{json .List}}', want: '["a","b","c"]' },
  { name: 'json struct keeps order', tmpl: '{{json .State}}', want: '{"Status":"running","Running":true,"Pid":42}' },
  { name: 'json missing', tmpl: '{{json .Nope}}', want: 'null' },
  { name: 'range', tmpl: '{{range .List}}[{{.}}]{{end}}', want: '[a][b][c]' },
  { name: 'range vars', tmpl: '{{range $i, $e := .List}}{{$i}}={{$e}} {{end}}', want: '0=a 1=b 2=c ' },
  { name: 'range map', tmpl: '{{range $k, $v := .Labels}}{{$k}}:{{$v}},{{end}}', want: 'a:1,b:2,com.x:y,' },
  { name: 'range else', tmpl: '{{range .None}}x{{else}}empty{{end}}', want: 'empty' },
  { name: 'range break', tmpl: '{{range .List}}{{if eq . "b"}}{{break}}{{end}}{{.}}{{end}}', want: 'a' },
  { name: 'range continue', tmpl: '{{range .List}}{{if eq . "b"}}{{continue}}{{end}}{{.}}{{end}}', want: 'ac' },
  { name: 'range dollar', tmpl: '{{range .List}}{{$.Name}}{{end}}', want: 'boxboxbox' },
  { name: 'if true', tmpl: '{{if .Name}}yes{{end}}', want: 'yes' },
  { name: 'if else', tmpl: '{{if .Empty}}yes{{else}}no{{end}}', want: 'no' },
  { name: 'if zero', tmpl: '{{if .Zero}}yes{{else}}no{{end}}', want: 'no' },
  { name: 'else if', tmpl: '{{if .Empty}}a{{else if .Count}}b{{else}}c{{end}}', want: 'b' },
  { name: 'with', tmpl: '{{with .Nested.Deep}}{{.Value}}{{end}}', want: 'v' },
  { name: 'with else', tmpl: '{{with .Empty}}x{{else}}none{{end}}', want: 'none' },
  { name: 'index map', tmpl: '{{index .Labels "com.x"}}', want: 'y' },
  { name: 'index missing string map', tmpl: '[{{index .Labels "zz"}}]', want: '[]' },
  { name: 'index slice', tmpl: '{{index .List 1}}', want: 'b' },
  { name: 'join', tmpl: '{{join .List ","}}', want: 'a,b,c' },
  { name: 'split pipe join', tmpl: '{{join (split . ":") "/"}}', data: 'text:with:colon', want: 'text/with/colon' },
  { name: 'lower upper title', tmpl: '{{lower "AbC"}} {{upper "AbC"}} {{title "hello wide-world"}}', want: 'abc ABC Hello Wide-World' },
  { name: 'pipe', tmpl: '{{.Name | upper}}', want: 'BOX' },
  { name: 'pipe chain', tmpl: '{{.Name | printf "%s!" | upper}}', want: 'BOX!' },
  { name: 'printf', tmpl: '{{printf "%-5s|%3d|%q|%v|%.2f" .Name .Count .Name .List .Ratio}}', want: 'box  |  3|"box"|[a b c]|1.50' },
  { name: 'printf bad verb', tmpl: '{{printf "%d" .Name}}', want: '%!d(string=box)' },
  { name: 'println', tmpl: '{{println .Name .Count}}', want: 'box 3\n' },
  { name: 'print spacing', tmpl: '{{print 1 2 "a" 3}}', want: '1 2a3' },
  { name: 'truncate', tmpl: '{{truncate . 5}}', data: 'tupx5xzf6hvsrhnruz5cr8gwp', want: 'tupx5' },
  { name: 'truncate longer', tmpl: '{{truncate . 30}}', data: 'tupx5', want: 'tupx5' },
  { name: 'pad', tmpl: '{{pad . 3 3}}', data: 'x', want: '   x   ' },
  { name: 'pad empty', tmpl: '[{{pad . 3 3}}]', data: '', want: '[]' },
  { name: 'len', tmpl: '{{len .List}} {{len .Name}} {{len .Labels}}', want: '3 3 3' },
  { name: 'eq ne', tmpl: '{{eq .Name "box"}} {{ne .Count 3}} {{eq .Count 1 2 3}}', want: 'true false true' },
  { name: 'lt gt', tmpl: '{{lt 1 2}} {{gt "b" "a"}} {{le 2 2}} {{ge 1 2}}', want: 'true true true false' },
  { name: 'and or not', tmpl: '{{and .Name .Count}} {{or .Empty "dflt"}} {{not .Empty}}', want: '3 dflt true' },
  { name: 'and short-circuit', tmpl: '{{and .Empty (index .List 9)}}', want: '' },
  { name: 'variables', tmpl: '{{$x := .Name}}{{$x}}-{{$x = "y"}}{{$x}}', want: 'box-y' },
  { name: 'trim markers', tmpl: 'a  {{- .Name -}}  b', want: 'aboxb' },
  { name: 'trim newline', tmpl: '{{.Name}}\n{{- "x"}}', want: 'boxx' },
  { name: 'comment', tmpl: 'a{{/* c */}}b', want: 'ab' },
  { name: 'raw string', tmpl: '{{`a\\tb`}}', want: 'a\\tb' },
  { name: 'escapes', tmpl: '{{"a\\tb"}}', want: 'a\tb' },
  { name: 'paren field', tmpl: '{{(.Nested).Deep.Value}}', want: 'v' },
  { name: 'method', tmpl: '{{.ID}} {{.Names}}', data: ctr, want: 'abc123 web' },
  { name: 'method with args', tmpl: '{{.Label "a"}}|{{.Label "b"}}', data: ctr, want: '1|' },
  { name: 'struct json', tmpl: '{{json .}}', data: ctr, want: '{"ID":"abc123","Names":"web","Size":42}' },
  { name: 'eq nil', tmpl: '{{if eq .Config.Cmd nil}}nil{{end}}', want: 'nil' },
  { name: 'ne nil', tmpl: '{{if ne .State nil}}set{{end}}', want: 'set' },
  { name: 'range int', tmpl: '{{range 3}}{{.}}{{end}}', want: '012' },
  { name: 'slice fn', tmpl: '{{slice .List 1 2}}', want: '[b]' },
];

for (const c of cases) {
  test(`template: ${c.name}`, () => {
    assert.equal(Template.parse(c.tmpl).execute(c.data === undefined ? data : c.data), c.want);
  });
}

const parseErrors: { tmpl: string; want: RegExp }[] = [
  { tmpl: '{{foo}}', want: /template: :1: function "foo" not defined$/ },
  { tmpl: '{{.Name', want: /unclosed action/ },
  { tmpl: '{{if .X}}a', want: /unexpected EOF/ },
  { tmpl: '{{end}}', want: /unexpected \{\{end\}\}/ },
  { tmpl: '{{$x}}', want: /undefined variable "\$x"/ },
  { tmpl: '{{break}}', want: /outside \{\{range\}\}/ },
  { tmpl: '{{"abc}}', want: /unterminated quoted string/ },
  { tmpl: '{{}}', want: /missing value for command/ },
];

for (const c of parseErrors) {
  test(`template parse error: ${c.tmpl}`, () => {
    assert.throws(() => Template.parse(c.tmpl), c.want);
  });
}

const execErrors: { tmpl: string; data: unknown; want: string }[] = [
  {
    tmpl: '{{.Foo}}', data: ctr,
    want: 'template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type *formatter.ContainerContext',
  },
  { tmpl: '{{join .Names ","}}', data: ctr, want: 'template: :1:2: executing "" at <join .Names ",">: wrong type for value; expected []string; got string' },
  { tmpl: '{{index .List 5}}', data, want: 'template: :1:2: executing "" at <index .List 5>: error calling index: index out of range: 5' },
  { tmpl: '{{.Name.X}}', data, want: 'template: :1:7: executing "" at <.Name.X>: can\'t evaluate field X in type string' },
  { tmpl: '{{.Label}}', data: ctr, want: 'template: :1:2: executing "" at <.Label>: wrong number of args for Label: want 1 got 0' },
];

for (const c of execErrors) {
  test(`template exec error: ${c.tmpl}`, () => {
    const t = Template.parse(c.tmpl);
    assert.throws(() => t.execute(c.data), (e: Error) => {
      assert.equal(e.message, c.want);
      return true;
    });
  });
}

test('header functions keep the column titles', () => {
  const t = Template.parse('{{json .Labels}}\t{{upper .Names}}\t{{truncate .ID 3}}\t{{pad .ID 1 1}}');
  const header = { Labels: 'LABELS', Names: 'NAMES', ID: 'CONTAINER ID' };
  assert.equal(t.execute(header, { funcs: HEADER_FUNCS }), 'LABELS\tNAMES\tCONTAINER ID\t CONTAINER ID ');
});

test('missingkey=error (docker inspect raw fallback)', () => {
  const t = Template.parse('{{.State.Health.Status}}');
  assert.throws(() => t.execute({ State: { Status: 'running' } }, { missingKey: 'error' }),
    { message: 'template: :1:8: executing "" at <.State.Health.Status>: map has no entry for key "Health"' });
  assert.equal(Template.parse('{{.State.Status}}').execute({ State: { Status: 'running' } }, { missingKey: 'error' }), 'running');
});
