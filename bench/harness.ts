/**
 * A small, explicit timing harness shared by the benchmarks (see BENCHMARKS.md, "Method").
 *
 * Every case is a loop `(n) => number` that runs the measured operation `n` times and returns a
 * value depending on every iteration's result; the harness feeds it to `consume`, and the
 * checksum is printed, so V8 cannot drop the work. A sample runs the loop over many operations,
 * timed with `process.hrtime.bigint()`, so timer cost and resolution are divided by the count.
 *
 * Work a case defers (records buffered for a timer, debounced report writes) is still work: with
 * `turnEveryMs`, a sample runs in chunks with the event loop turning between them, so timers fire
 * inside the sample at their natural rate, and ends with the case's `drain` inside the timing.
 * Two times come out of each sample: `wall` (everything, the cost per operation) and `inside`
 * (only the time spent in the loop: what the caller waits for).
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';

/** Runs the measured operation `n` times; returns something that depends on every result. */
export type Loop = (n: number) => number | Promise<number>;

export interface BenchCase {
  readonly id: string;
  readonly loop: Loop;
  /** Operations one iteration of the loop performs (default 1); results are per operation. */
  readonly opsPerIteration?: number;
  /** Finishes whatever the case left for later; runs at the end of every sample, inside its wall time. */
  readonly drain?: () => void | Promise<void>;
}

export interface Summary {
  /** Median of the samples, ns per operation. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: number;
  /** Operations per sample. */
  readonly batch: number;
}

export interface MeasureOptions {
  /** Rounds; each round takes one sample of every case, in a rotating order. */
  readonly rounds: number;
  /** Target duration of one sample. */
  readonly sampleMs: number;
  /** Minimum time spent running each case before any sample is kept. */
  readonly warmupMs: number;
  /** Let the event loop turn about this often within a sample (timers fire); default: never. */
  readonly turnEveryMs?: number;
}

let checksumValue = 0;

/** Keeps a result observable (it ends up in the printed checksum). */
export function consume(value: number): void {
  checksumValue = (checksumValue + value) % 1_000_000_007;
}

export function checksum(): number {
  return checksumValue;
}

export const hasGc = typeof globalThis.gc === 'function';

/** A full, forced collection when `--expose-gc` is on; a no-op otherwise. */
export function collect(): void {
  globalThis.gc?.();
}

/** Lets timers and I/O callbacks (the report writes) run, outside any timed region. */
export function settle(): Promise<void> {
  return yieldToLoop();
}

export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function timeOnce(loop: Loop, n: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  const out = loop(n);
  const result = typeof out === 'number' ? out : await out;
  const t1 = process.hrtime.bigint();
  consume(result);
  return Number(t1 - t0);
}

/** One sample: `n` iterations in chunks of `chunk`, the event loop turning between chunks, then `drain`. */
async function timeSample(c: BenchCase, n: number, chunk: number): Promise<{ wall: number; inside: number }> {
  let inside = 0n;
  const t0 = process.hrtime.bigint();
  for (let done = 0; done < n; ) {
    const k = Math.min(chunk, n - done);
    const a = process.hrtime.bigint();
    const out = c.loop(k);
    const result = typeof out === 'number' ? out : await out;
    inside += process.hrtime.bigint() - a;
    consume(result);
    done += k;
    if (done < n) await settle();
  }
  await c.drain?.();
  return { wall: Number(process.hrtime.bigint() - t0), inside: Number(inside) };
}

/** Runs the loop for at least `warmupMs` with growing batches; returns the iterations that take `sampleMs`. */
async function warmUpAndSize(
  loop: Loop,
  warmupMs: number,
  sampleMs: number,
  opsPerIteration: number,
): Promise<{ batch: number; nsPerIteration: number }> {
  let n = Math.max(1, Math.round(256 / opsPerIteration));
  let spentNs = 0;
  let nsPerIteration = Infinity;
  while (spentNs < warmupMs * 1e6) {
    const ns = await timeOnce(loop, n);
    spentNs += ns;
    nsPerIteration = ns / n;
    if (ns < 20e6) n *= 2;
    await settle();
  }
  return { batch: Math.max(Math.ceil(1000 / opsPerIteration), Math.round((sampleMs * 1e6) / nsPerIteration)), nsPerIteration };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function summarize(perOp: readonly number[], batch: number): Summary {
  return { median: median(perOp), min: Math.min(...perOp), max: Math.max(...perOp), samples: perOp.length, batch };
}

export interface Samples {
  /** Wall time, ns per operation, one per round, in round order. */
  readonly perOp: number[];
  /** Time inside the loop only (deferred work and event-loop turns excluded), ns per operation. */
  readonly perOpInside: number[];
  /** Loop iterations per sample. */
  readonly batch: number;
  /** Loop iterations between event-loop turns. */
  readonly chunk: number;
  readonly opsPerIteration: number;
}

/**
 * Warms every case up, then takes `rounds` rounds of one sample per case. Interleaving means slow
 * drift (frequency scaling, a noisy neighbour) hits every case alike, so ratios between cases of
 * the same round are fair. No GC is forced between samples: on Node 20 every forced full GC
 * throws away optimized SDK code that embeds objects which died ("weak objects" deopts: ~250 in 30
 * samples against 5 without), and the instrumented calls then measured 2.5-4x slower, growing with
 * every round, which no real process sees. The collections a case causes are counted in it.
 */
export async function measure(cases: readonly BenchCase[], options: MeasureOptions): Promise<Map<string, Samples>> {
  const out = new Map<string, Samples>();
  for (const c of cases) {
    const ops = c.opsPerIteration ?? 1;
    const { batch, nsPerIteration } = await warmUpAndSize(c.loop, options.warmupMs, options.sampleMs, ops);
    const chunk = options.turnEveryMs === undefined ? batch : Math.max(1, Math.round((options.turnEveryMs * 1e6) / nsPerIteration));
    await c.drain?.();
    out.set(c.id, { perOp: [], perOpInside: [], batch, chunk: Math.min(chunk, batch), opsPerIteration: ops });
  }
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(round + k) % cases.length] as BenchCase;
      const samples = out.get(c.id) as Samples;
      await settle();
      const { wall, inside } = await timeSample(c, samples.batch, samples.chunk);
      const ops = samples.batch * samples.opsPerIteration;
      samples.perOp.push(wall / ops);
      samples.perOpInside.push(inside / ops);
    }
  }
  return out;
}

/** The summary of one case of `measure`'s result: wall time, deferred work included. */
export function summaryOf(results: Map<string, Samples>, id: string): Summary {
  const samples = results.get(id);
  if (samples === undefined) throw new Error(`no case ${id}`);
  return summarize(samples.perOp, samples.batch * samples.opsPerIteration);
}

/** The same for the time inside the loop only: what the caller of each operation waits for. */
export function insideSummaryOf(results: Map<string, Samples>, id: string): Summary {
  const samples = results.get(id);
  if (samples === undefined) throw new Error(`no case ${id}`);
  return summarize(samples.perOpInside, samples.batch * samples.opsPerIteration);
}

/** Median over rounds of `a / b` within the same round (wall times, or inside times). */
export function roundRatio(
  results: Map<string, Samples>,
  a: string,
  b: string,
  which: 'wall' | 'inside' = 'wall',
): { median: number; min: number; max: number } {
  const pick = (s: Samples | undefined): number[] => (which === 'wall' ? s?.perOp : s?.perOpInside) ?? [];
  const x = pick(results.get(a));
  const y = pick(results.get(b));
  const ratios = x.map((v, i) => v / (y[i] as number));
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}
