import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PATH_ENV, mergeEnv, processEnv, replaceOrAppendEnv } from './env.ts';

const mergeCases: { name: string; input: { image: string[]; request: string[] }; want: string[] }[] = [
  { name: 'no request env: image env', input: { image: ['PATH=/bin', 'A=1'], request: [] }, want: ['PATH=/bin', 'A=1'] },
  { name: 'request first, then image keys not set', input: { image: ['PATH=/bin', 'A=1'], request: ['B=2', 'A=3'] }, want: ['B=2', 'A=3', 'PATH=/bin'] },
  { name: 'key without value overrides too', input: { image: ['A=1'], request: ['A'] }, want: ['A'] },
  { name: 'empty value', input: { image: ['A=1'], request: ['A='] }, want: ['A='] },
  { name: 'values with =', input: { image: ['X=a=b'], request: ['Y=c=d'] }, want: ['Y=c=d', 'X=a=b'] },
];
for (const c of mergeCases) {
  test(`mergeEnv: ${c.name}`, () => assert.deepEqual(mergeEnv(c.input.image, c.input.request), c.want));
}

const replaceCases: { name: string; input: { defaults: string[]; overrides: string[] }; want: string[] }[] = [
  { name: 'replace in place', input: { defaults: ['A=1', 'B=2'], overrides: ['A=9'] }, want: ['A=9', 'B=2'] },
  { name: 'append new', input: { defaults: ['A=1'], overrides: ['C=3'] }, want: ['A=1', 'C=3'] },
  { name: 'bare key unsets a default', input: { defaults: ['A=1', 'B=2'], overrides: ['A'] }, want: ['B=2'] },
  { name: 'bare unknown key is dropped', input: { defaults: ['A=1'], overrides: ['Z'] }, want: ['A=1'] },
];
for (const c of replaceCases) {
  test(`replaceOrAppendEnv: ${c.name}`, () => assert.deepEqual(replaceOrAppendEnv(c.input.defaults, c.input.overrides), c.want));
}

const processCases: { name: string; input: { env: string[]; hostname: string; tty: boolean }; want: string[] }[] = [
  { name: 'defaults added', input: { env: [], hostname: 'abc', tty: false }, want: [DEFAULT_PATH_ENV, 'HOSTNAME=abc'] },
  { name: 'TERM with tty', input: { env: ['A=1'], hostname: 'h', tty: true }, want: [DEFAULT_PATH_ENV, 'HOSTNAME=h', 'TERM=xterm', 'A=1'] },
  { name: 'image PATH wins, in place', input: { env: ['PATH=/bin', 'A=1'], hostname: 'h', tty: false }, want: ['PATH=/bin', 'HOSTNAME=h', 'A=1'] },
  { name: 'TERM from the user wins', input: { env: ['TERM=vt100'], hostname: 'h', tty: true }, want: [DEFAULT_PATH_ENV, 'HOSTNAME=h', 'TERM=vt100'] },
];
for (const c of processCases) {
  test(`processEnv: ${c.name}`, () => assert.deepEqual(processEnv(c.input.env, c.input.hostname, c.input.tty), c.want));
}
