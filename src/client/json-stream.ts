// Reads a stream of concatenated JSON values (GET /events, the JSON-message progress of
// POST /images/create), as Go's json.Decoder does: values may be separated by newlines or
// nothing at all, and may be split across chunks.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { InternalError } from '../lib/index.ts';

/** Splits text into complete top-level JSON values; returns them and the unfinished rest. */
export function splitJsonValues(text: string): { values: string[]; rest: string } {
  const values: string[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') { inString = true; if (start < 0) start = i; continue; }
    if (c === '{' || c === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) {
        values.push(text.slice(start, i + 1));
        start = -1;
      }
    } else if (depth === 0 && !/\s/.test(c)) {
      throw new InternalError(`invalid character ${JSON.stringify(c)} looking for beginning of value`);
    }
  }
  return { values, rest: depth > 0 || inString ? text.slice(start) : '' };
}

export async function* readJsonStream<T>(body: Readable): AsyncGenerator<T> {
  for await (const text of readJsonTexts(body)) yield JSON.parse(text) as T;
}

/** The JSON values of the stream as text (for callers that need digits JSON.parse would round). */
export async function* readJsonTexts(body: Readable): AsyncGenerator<string> {
  let rest = '';
  const decoder = new StringDecoder('utf8');
  for await (const chunk of body) {
    rest += typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    const split = splitJsonValues(rest);
    rest = split.rest;
    yield* split.values;
  }
  if (rest.trim() !== '') throw new InternalError('unexpected EOF');
}
