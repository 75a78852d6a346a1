import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TabWriter } from './tab-writer.ts';

const table = (text: string, minWidth = 10, padding = 3): string => {
  const w = new TabWriter({ minWidth, tabWidth: 1, padding });
  w.write(text);
  return w.flush();
};

const cases: { name: string; input: string; minWidth?: number; padding?: number; want: string }[] = [
  {
    name: 'docker ps layout',
    input: 'CONTAINER ID\tIMAGE\tNAMES\nabc\tbusybox:latest\tweb\n',
    want: 'CONTAINER ID   IMAGE            NAMES\nabc            busybox:latest   web\n',
  },
  {
    name: 'min width',
    input: 'A\tB\nx\ty\n',
    want: 'A         B\nx         y\n',
  },
  {
    name: 'empty cells are padded',
    input: 'ID\tPORTS\tNAMES\n1\t\tx\n',
    want: 'ID        PORTS     NAMES\n1                   x\n',
  },
  {
    name: 'single-cell line flushes the column block',
    input: 'Client:\n Version:\t1\n API version:\t2\n\nServer:\n Engine:\n  Version:\t3\n',
    minWidth: 20, padding: 1,
    want: 'Client:\n Version:           1\n API version:       2\n\nServer:\n Engine:\n  Version:          3\n',
  },
  {
    name: 'non-contiguous columns',
    input: 'aaaa\tbbb\td\naa\tb\tdd\na\t\naa\tcccc\teee\n',
    minWidth: 0, padding: 1,
    want: 'aaaa bbb d\naa   b   dd\na    \naa   cccc eee\n',
  },
  { name: 'no trailing newline', input: 'a\tb', minWidth: 0, padding: 1, want: 'a b' },
  { name: 'wide characters', input: '日本\tx\nab\ty\n', minWidth: 0, padding: 1, want: '日本 x\nab   y\n' },
];

for (const c of cases) {
  test(`tabwriter: ${c.name}`, () => {
    assert.equal(table(c.input, c.minWidth, c.padding), c.want);
  });
}
