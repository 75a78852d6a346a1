// Go's text/tabwriter (elastic tabstops) as docker's table output uses it: tab-terminated
// cells in consecutive lines form a column padded to its widest cell plus `padding` (at least
// `minWidth`); the text after a line's last tab is not part of any column; a line with a
// single cell flushes, so column widths restart after it (as Go's Writer.Write does).
import { displayWidth } from './display-width.ts';

export interface TabWriterOptions {
  minWidth: number;
  tabWidth: number;
  padding: number;
  padChar?: string;
}

interface Cell { text: string; width: number }

export class TabWriter {
  readonly #opts: Required<TabWriterOptions>;
  #lines: Cell[][] = [[]];
  #cell = '';
  #widths: number[] = [];
  #out = '';

  constructor(opts: TabWriterOptions) {
    this.#opts = { padChar: ' ', ...opts };
  }

  write(text: string): void {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch !== '\t' && ch !== '\n') continue;
      this.#cell += text.slice(start, i);
      start = i + 1;
      const ncells = this.#terminateCell();
      if (ch === '\n') {
        this.#lines.push([]);
        if (ncells === 1) this.#flushLines();
      }
    }
    this.#cell += text.slice(start);
  }

  /** Formats what is buffered and returns all output produced so far. */
  flush(): string {
    if (this.#cell.length > 0) this.#terminateCell();
    this.#flushLines();
    const out = this.#out;
    this.#out = '';
    return out;
  }

  #terminateCell(): number {
    const line = this.#lines[this.#lines.length - 1]!;
    line.push({ text: this.#cell, width: displayWidth(this.#cell) });
    this.#cell = '';
    return line.length;
  }

  #flushLines(): void {
    this.#format(0, this.#lines.length);
    this.#lines = [[]];
    this.#widths = [];
  }

  #format(line0: number, line1: number): void {
    const column = this.#widths.length;
    for (let cur = line0; cur < line1; cur++) {
      if (column >= this.#lines[cur]!.length - 1) continue;
      // A cell exists in this column: print the lines before the block, then size the block.
      this.#writeLines(line0, cur);
      line0 = cur;
      let width = this.#opts.minWidth;
      for (; cur < line1; cur++) {
        const line = this.#lines[cur]!;
        if (column >= line.length - 1) break;
        width = Math.max(width, line[column]!.width + this.#opts.padding);
      }
      this.#widths.push(width);
      this.#format(line0, cur);
      this.#widths.pop();
      line0 = cur;
    }
    this.#writeLines(line0, line1);
  }

  #writeLines(line0: number, line1: number): void {
    for (let i = line0; i < line1; i++) {
      const line = this.#lines[i]!;
      line.forEach((c, j) => {
        this.#out += c.text;
        const w = this.#widths[j];
        if (w !== undefined) this.#out += this.#opts.padChar.repeat(Math.max(0, w - c.width));
      });
      if (i + 1 === this.#lines.length) this.#out += this.#cell;
      else this.#out += '\n';
    }
  }
}
