/**
 * Figure 2: spans per second folded by `SessionReportExporter`, through `export()` in batches and
 * through `onEnd()` one span at a time, over real ReadableSpans built once.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createReports, InMemoryReportStore, type Reports } from '../src/index.js';
import * as semconv from '../src/telemetry/semconv.js';
import { toolSpanAttributes } from './tool-span-attributes.js';
import { log, measure, median, roundRatio, summaryOf, type BenchCase, type Summary } from './harness.js';
import { prng } from '../test/helpers/prng.js';

export interface ExporterResult {
  readonly spans: number;
  /** Size of the small set: the first spans only, so that they stay in the CPU caches. */
  readonly hotSpans: number;
  readonly sessions: number;
  readonly tools: number;
  readonly errorShare: number;
  readonly batchSize: number;
  /** ns per span. */
  readonly exportBatched: Summary;
  readonly onEnd: Summary;
  readonly exportHot: Summary;
  readonly onEndHot: Summary;
  /** `onEnd` / `export` within a round. */
  readonly onEndOverExport: { readonly median: number; readonly min: number; readonly max: number };
  /**
   * One session's report write (toStored: statistics, sketches, recent calls; into an in-memory
   * store), ms. Writes are debounced (one per dirty session per second by default), so they are
   * timed apart from the fold; see BENCHMARKS.md.
   */
  readonly writeMsPerSession: number;
  /** Calls the exporters' reports counted, and spans fed to them: must be equal. */
  readonly reportedCalls: number;
  readonly fedSpans: number;
  readonly config: { readonly rounds: number; readonly sampleMs: number; readonly warmupMs: number };
}

const SPANS = 10_000;
const SESSIONS = 20;
const TOOLS = ['read', 'write', 'edit', 'grep', 'glob', 'bash', 'webfetch', 'task'];
/** The default `maxExportBatchSize` of the SDK's BatchSpanProcessor. */
const BATCH = 512;
/**
 * Walking 10,000 old spans over and over is a cache-cold working set (~10 MB of span objects);
 * a span that has just ended, as `onEnd` sees it in real use, is cache-hot. Two batches' worth.
 */
const HOT_SPANS = 2 * BATCH;
const ERROR_EVERY = 50;
const OPTIONS = { rounds: 31, sampleMs: 30, warmupMs: 800 };


/** Real spans, as the wrapper makes them: 20 sessions, 8 tools, log-spread durations, 2% errors. */
async function buildSpans(): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer('bench');
  const rnd = prng(42);
  let clock = Date.now() - 3_600_000;
  for (let i = 0; i < SPANS; i++) {
    const sessionId = `ses_${(i * 7) % SESSIONS}`;
    const name = TOOLS[Math.floor(rnd() * TOOLS.length)] as string;
    // 0.05 ms to ~60 s, log-uniform: file reads to long shell commands.
    const durationMs = 0.05 * Math.pow(10, rnd() * 6.1);
    const start = clock;
    clock += durationMs + rnd() * 5;
    const span = tracer.startSpan(`execute_tool ${name}`, {
      startTime: start,
      attributes: toolSpanAttributes(name, sessionId, `call_${i}`),
    });
    if (i % ERROR_EVERY === ERROR_EVERY - 1) {
      span.setAttribute(semconv.ATTR_ERROR_TYPE, i % 100 === 99 ? 'ENOENT' : 'TimeoutError');
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
    }
    span.end(start + durationMs);
  }
  await provider.forceFlush();
  const spans = memory.getFinishedSpans();
  await provider.shutdown();
  if (spans.length !== SPANS) throw new Error(`expected ${SPANS} spans, got ${spans.length}`);
  return spans;
}

async function countReported(reports: Reports): Promise<number> {
  let calls = 0;
  for (const summary of await reports.listSessions()) calls += summary.calls;
  return calls;
}

interface SpanSet {
  readonly spans: ReadableSpan[];
  readonly batches: ReadableSpan[][];
}

function spanSet(spans: ReadableSpan[]): SpanSet {
  const batches: ReadableSpan[][] = [];
  for (let i = 0; i < spans.length; i += BATCH) batches.push(spans.slice(i, i + BATCH));
  return { spans, batches };
}

export async function runExporter(): Promise<ExporterResult> {
  const all = await buildSpans();
  const full = spanSet(all);
  const hot = spanSet(all.slice(0, HOT_SPANS));

  const reports = {
    export: createReports({ store: new InMemoryReportStore() }),
    onEnd: createReports({ store: new InMemoryReportStore() }),
    exportHot: createReports({ store: new InMemoryReportStore() }),
    onEndHot: createReports({ store: new InMemoryReportStore() }),
  };
  const exporters = {
    export: reports.export.exporter,
    onEnd: reports.onEnd.exporter,
    exportHot: reports.exportHot.exporter,
    onEndHot: reports.onEndHot.exporter,
  };
  let fedSpans = 0;
  let succeeded = 0;
  const onResult = (result: ExportResult): void => {
    if (result.code === ExportResultCode.SUCCESS) succeeded++;
  };

  // One iteration is one pass over the set; results are per span. One loop literal per case.
  const cases: BenchCase[] = [
    {
      id: 'export',
      opsPerIteration: full.spans.length,
      loop: (n) => {
        const before = succeeded;
        for (let k = 0; k < n; k++) for (const batch of full.batches) exporters.export.export(batch, onResult);
        fedSpans += n * full.spans.length;
        return succeeded - before;
      },
    },
    {
      id: 'onEnd',
      opsPerIteration: full.spans.length,
      loop: (n) => {
        for (let k = 0; k < n; k++) for (const span of full.spans) exporters.onEnd.onEnd(span);
        fedSpans += n * full.spans.length;
        return n;
      },
    },
    {
      id: 'exportHot',
      opsPerIteration: hot.spans.length,
      loop: (n) => {
        const before = succeeded;
        for (let k = 0; k < n; k++) for (const batch of hot.batches) exporters.exportHot.export(batch, onResult);
        fedSpans += n * hot.spans.length;
        return succeeded - before;
      },
    },
    {
      id: 'onEndHot',
      opsPerIteration: hot.spans.length,
      loop: (n) => {
        for (let k = 0; k < n; k++) for (const span of hot.spans) exporters.onEndHot.onEnd(span);
        fedSpans += n * hot.spans.length;
        return n;
      },
    },
  ];
  log(`exporter: ${SPANS} spans (and the first ${HOT_SPANS}), ${SESSIONS} sessions, ${TOOLS.length} tools, batches of ${BATCH}; ${OPTIONS.rounds} rounds`);
  const results = await measure(cases, OPTIONS);

  // The debounced writes, timed apart: dirty every session, then write them all at once.
  const writes: number[] = [];
  for (let k = 0; k < 7; k++) {
    for (const span of full.spans) exporters.onEnd.onEnd(span);
    fedSpans += full.spans.length;
    const t0 = process.hrtime.bigint();
    await exporters.onEnd.forceFlush();
    writes.push(Number(process.hrtime.bigint() - t0) / 1e6 / SESSIONS);
  }

  let reportedCalls = 0;
  for (const opened of Object.values(reports)) reportedCalls += await countReported(opened);
  await Promise.all(Object.values(reports).map((opened) => opened.shutdown()));
  return {
    spans: SPANS,
    hotSpans: HOT_SPANS,
    sessions: SESSIONS,
    tools: TOOLS.length,
    errorShare: 1 / ERROR_EVERY,
    batchSize: BATCH,
    exportBatched: summaryOf(results, 'export'),
    onEnd: summaryOf(results, 'onEnd'),
    exportHot: summaryOf(results, 'exportHot'),
    onEndHot: summaryOf(results, 'onEndHot'),
    onEndOverExport: roundRatio(results, 'onEnd', 'export'),
    writeMsPerSession: median(writes),
    reportedCalls,
    fedSpans,
    config: OPTIONS,
  };
}
