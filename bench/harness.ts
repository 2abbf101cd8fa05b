/**
 * A tiny measuring harness: per-operation latency samples (median, p99) and
 * throughput, with a warm-up, on the same machine and in the same run as the
 * baselines the figures are printed next to.
 */
export interface Figures {
  name: string;
  medianUs: number;
  p99Us: number;
  opsPerSec: number;
}

/** Times `op` one call at a time (latency) and in a tight loop (throughput). */
export function measure(name: string, op: (i: number) => unknown, samples = 200_000): Figures {
  for (let i = 0; i < Math.min(samples, 50_000); i++) op(i);
  const times = new Float64Array(samples);
  let sink = 0;
  for (let i = 0; i < samples; i++) {
    const t0 = process.hrtime.bigint();
    const r = op(i);
    const t1 = process.hrtime.bigint();
    times[i] = Number(t1 - t0) / 1000;
    if (r === undefined) sink++;
  }
  times.sort();
  const loops = samples;
  const start = process.hrtime.bigint();
  for (let i = 0; i < loops; i++) if (op(i) === undefined) sink++;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink === -1) console.log(sink);
  return {
    name,
    medianUs: times[Math.floor(samples * 0.5)]!,
    p99Us: times[Math.floor(samples * 0.99)]!,
    opsPerSec: loops / seconds,
  };
}

export function table(rows: Figures[]): string {
  const head = ['benchmark', 'median µs', 'p99 µs', 'ops/s'];
  const body = rows.map((r) => [r.name, r.medianUs.toFixed(2), r.p99Us.toFixed(2), Math.round(r.opsPerSec).toLocaleString('en-US')]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
