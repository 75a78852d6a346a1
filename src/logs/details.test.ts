import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detailsPrefix, goQueryEscape } from './details.ts';

test('goQueryEscape matches Go url.QueryEscape', () => {
  const cases: [string, string][] = [
    ['plain-_.~AZaz09', 'plain-_.~AZaz09'],
    ['a b', 'a+b'],
    ["!'()*", '%21%27%28%29%2A'],
    ['a=b,c&d/e?f', 'a%3Db%2Cc%26d%2Fe%3Ff'],
    ['é', '%C3%A9'],
    ['+', '%2B'],
  ];
  for (const [input, want] of cases) assert.equal(goQueryEscape(input), want, input);
});

test('detailsPrefix: sorted keys, escaped, trailing space; none → a lone space', () => {
  const cases: [unknown, string][] = [
    [undefined, ' '],
    [null, ' '],
    [{}, ' '],
    [{ tag: 'web', com_x: 'a b' }, 'com_x=a+b,tag=web '],
    [{ 'b.key': 'v=1', a: '' }, 'a=,b.key=v%3D1 '],
    [['x'], ' '],
  ];
  for (const [attrs, want] of cases) assert.equal(detailsPrefix(attrs), want, JSON.stringify(attrs));
});
