// Result rows, medians, ratios, pass/fail against the targets, and the two outputs: a table on
// stdout and the same data as JSON.

export function median(xs) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * One line of the table. `better` is 'lower' (latency, memory) or 'higher' (throughput).
 * target: { op: '<=' | '>=', factor, basis: 'dockerd' | 'floor' } or null (informational).
 */
export class Row {
  constructor({ id, title, unit, better, target = null }) {
    this.id = id;
    this.title = title;
    this.unit = unit;
    this.better = better;
    this.target = target;
    this.samples = { dockerd: [], berthd: [] };
    this.errors = {};
    this.details = {};
  }

  add(engine, value) {
    this.samples[engine].push(value);
  }

  fail(engine, err) {
    this.errors[engine] ??= String(err?.message ?? err).replace(/\s+/g, ' ').slice(0, 400);
  }
}

function fmt(v, unit) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  const digits = unit === 'containers/s' ? 2 : Math.abs(v) >= 100 ? 0 : 1;
  return `${v.toFixed(digits)} ${unit}`;
}

const times = (x) => (x === null ? '—' : `${x.toFixed(2)}×`);

/** Medians, ratio berthd/dockerd, ratio against the target's basis and pass/fail. */
export function evaluate(rows, floorMedian, engines) {
  return rows.map((r) => {
    const med = { dockerd: median(r.samples.dockerd), berthd: median(r.samples.berthd) };
    const ratio = med.dockerd && med.berthd !== null ? med.berthd / med.dockerd : null;
    let basis = null;
    if (r.target?.basis === 'dockerd') basis = med.dockerd;
    if (r.target?.basis === 'floor') basis = floorMedian;
    // 'absolute': the target is a value in the row's unit (e.g. ≤ 15 ms), not a ratio.
    if (r.target?.basis === 'absolute') basis = 1;
    const targetRatio = basis && med.berthd !== null ? med.berthd / basis : null;
    let pass = null;
    if (targetRatio !== null) pass = r.target.op === '<=' ? targetRatio <= r.target.factor : targetRatio >= r.target.factor;
    return {
      id: r.id,
      title: r.title,
      unit: r.unit,
      better: r.better,
      dockerd: engines.includes('dockerd') ? { median: med.dockerd, n: r.samples.dockerd.length, min: min(r.samples.dockerd), max: max(r.samples.dockerd), error: r.errors.dockerd ?? null, samples: round(r.samples.dockerd) } : null,
      berthd: engines.includes('berthd') ? { median: med.berthd, n: r.samples.berthd.length, min: min(r.samples.berthd), max: max(r.samples.berthd), error: r.errors.berthd ?? null, samples: round(r.samples.berthd) } : null,
      ratio,
      target: r.target ? { ...r.target, text: targetText(r.target) } : null,
      targetBasis: basis,
      targetRatio,
      pass,
      details: r.details,
    };
  });
}

const min = (xs) => (xs.length ? Math.min(...xs) : null);
const max = (xs) => (xs.length ? Math.max(...xs) : null);
const round = (xs) => xs.map((x) => Math.round(x * 100) / 100);

function targetText(t) {
  if (t.basis === 'absolute') return `${t.op === '<=' ? '≤' : '≥'} ${t.factor}${t.unit ? ` ${t.unit}` : ''}`;
  const basis = t.basis === 'floor' ? 'crun floor' : 'dockerd';
  return `${t.op === '<=' ? '≤' : '≥'} ${t.factor}× ${basis}`;
}

/** The stdout table, with errors as numbered notes under it. */
export function table(results, floor) {
  const notes = [];
  const cell = (res, e) => {
    const side = res[e];
    if (!side) return '—';
    if (side.median === null && side.error) {
      notes.push(`${e}, ${res.title}: ${side.error}`);
      return `ERROR [${notes.length}]`;
    }
    let s = fmt(side.median, res.unit);
    if (side.error) {
      notes.push(`${e}, ${res.title} (partial): ${side.error}`);
      s += ` [${notes.length}]`;
    }
    return s;
  };
  const head = ['scenario', 'dockerd', 'berthd', 'berthd/dockerd', 'target', 'vs target', 'result'];
  const lines = results.map((r) => [
    r.title,
    cell(r, 'dockerd'),
    cell(r, 'berthd'),
    times(r.ratio),
    r.target ? r.target.text : '(info)',
    times(r.targetRatio),
    r.pass === null ? (r.target ? 'n/a' : '') : r.pass ? 'PASS' : 'FAIL',
  ]);
  if (floor) {
    const side = floor.error && floor.median === null ? `ERROR [${notes.push(`floor: ${floor.error}`)}]` : fmt(floor.median, 'ms');
    lines.push([`${floor.title}`, '', '', '', `reference: ${side}`, '', '']);
  }
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cols) => cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out = [row(head), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(row)];
  if (notes.length) out.push('', ...notes.map((n, i) => `[${i + 1}] ${n}`));
  return out.join('\n');
}
