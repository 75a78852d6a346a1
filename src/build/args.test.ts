import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BuildArgs, runArgEnv, setEnv, stageLookup } from './args.ts';
import { parseStages, type ArgInstr } from './dockerfile/index.ts';

function metaArgs(text: string): ArgInstr[] {
  return parseStages(text + '\nFROM x').metaArgs;
}

test('meta args: defaults, --build-arg overrides, earlier args in later defaults', () => {
  const a = new BuildArgs({ TAG: '1.2', NOVAL: null });
  a.evalMeta(metaArgs('ARG BASE=busybox\nARG TAG=latest\nARG REF=${BASE}:${TAG}\nARG NOVAL\nARG NOVAL2'), '\\');
  assert.deepEqual([...a.meta], [['BASE', 'busybox'], ['TAG', '1.2'], ['REF', 'busybox:1.2'], ['NOVAL', undefined], ['NOVAL2', undefined]]);
});

test('stage ARG: given beats default beats the meta value; undeclared build args are reported', () => {
  const a = new BuildArgs({ GIVEN: 'g', EXTRA: 'e', HTTP_PROXY: 'http://p' });
  a.evalMeta(metaArgs('ARG META=m'), '\\');
  const look = stageLookup(['E=env'], new Map());
  const cases: [string, string | null, string | undefined][] = [
    ['GIVEN', 'default', 'g'],
    ['OTHER', 'def-$E', 'def-env'],
    ['META', null, 'm'],
    ['NONE', null, undefined],
  ];
  for (const [name, def, want] of cases) assert.equal(a.stageValue(name, def, look, '\\'), want, name);
  assert.deepEqual(a.unconsumed(), ['EXTRA']);
  assert.deepEqual(a.predefined(), [['HTTP_PROXY', 'http://p']]);
});

test('lookups: ENV beats ARG; RUN gets ARGs with values not shadowed by ENV, sorted', () => {
  const args = new Map<string, string | undefined>([['B', 'argb'], ['A', 'arga'], ['X', undefined]]);
  const look = stageLookup(['A=enva', 'P=1'], args);
  assert.equal(look('A'), 'enva');
  assert.equal(look('B'), 'argb');
  assert.equal(look('X'), undefined);
  assert.deepEqual(runArgEnv(['A=enva'], args), ['B=argb']);
  assert.deepEqual(runArgEnv([], args), ['A=arga', 'B=argb']);
});

test('setEnv replaces in place or appends', () => {
  assert.deepEqual(setEnv(['PATH=/bin', 'A=1'], 'A', '2'), ['PATH=/bin', 'A=2']);
  assert.deepEqual(setEnv(['PATH=/bin'], 'B', 'x=y'), ['PATH=/bin', 'B=x=y']);
});
