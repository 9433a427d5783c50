/**
 * Figure 3: heap after forced GC over 1,000,000 calls in one session through the enabled wrapper.
 * Statistics are constant-size and recent calls are capped by maxMetrics, so the heap should stay
 * flat once the recent-call ring is full.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { createPerformance, InMemoryReportStore } from '../src/index.js';
import * as semconv from '../src/telemetry/semconv.js';
import { collect, consume, hasGc, log, settle } from './harness.js';

export interface MemoryPoint {
  readonly calls: number;
  /** `process.memoryUsage().heapUsed` after forced GC, bytes. */
  readonly heapUsed: number;
  /** The part of it that is compiled code (V8's code space): JIT work, not data. */
  readonly codeSpace: number;
}

export interface MemoryResult {
  readonly gcExposed: boolean;
  readonly maxMetrics: number;
  readonly points: MemoryPoint[];
  /** heapUsed(1M) - heapUsed(100k), bytes. */
  readonly growth100kTo1M: number;
  /** Bytes per call between 100k and 1M. */
  readonly bytesPerCall100kTo1M: number;
  /** Wall time of the 1M calls (chunks of 10,000, the event loop turning between chunks), ns per call. */
  readonly nsPerCall: number;
  /** Calls in the session's report at the end: must be 1,000,000. */
  readonly reportedCalls: number;
  /** Recent calls kept in the report: must be maxMetrics. */
  readonly reportedRecent: number;
}

const TOTAL = 1_000_000;
const CHECKPOINTS = [0, 100_000, 500_000, 1_000_000];
const CHUNK = 10_000;
const MAX_METRICS = 1000;
const SESSION = 'ses_memory';

async function measureHeap(calls: number): Promise<MemoryPoint> {
  // Let pending callbacks (the debounced report write) finish, then collect twice: the first
  // pass may leave garbage that only becomes unreachable after finalization of the first.
  await settle();
  collect();
  collect();
  const code = getHeapSpaceStatistics().find((space) => space.space_name === 'code_space');
  return { calls, heapUsed: process.memoryUsage().heapUsed, codeSpace: code?.space_used_size ?? 0 };
}

export async function runMemory(): Promise<MemoryResult> {
  if (!hasGc) log('memory: global.gc is not exposed (run with --expose-gc); figures include garbage');
  const perf = createPerformance({
    enabled: true,
    store: new InMemoryReportStore(),
    handleProcessExit: false,
    // Not the environment: OTEL_SDK_DISABLED or TOOLPERF_* must not change what is measured.
    env: {},
    maxMetrics: MAX_METRICS,
    metricReaders: [
      new PeriodicExportingMetricReader({
        exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
        exportIntervalMillis: 3_600_000,
      }),
    ],
  });
  const tool = perf.wrapTool((x: number): number => x + 1, { name: 'read', sessionId: SESSION });

  const points: MemoryPoint[] = [];
  let calls = 0;
  let elapsedNs = 0n;
  log(`memory: ${TOTAL.toLocaleString('en-US')} calls in one session, checkpoints ${CHECKPOINTS.join(', ')}`);
  for (const checkpoint of CHECKPOINTS) {
    while (calls < checkpoint) {
      const n = Math.min(CHUNK, checkpoint - calls);
      const t0 = process.hrtime.bigint();
      let acc = 0;
      for (let i = 0; i < n; i++) acc += tool(i);
      elapsedNs += process.hrtime.bigint() - t0;
      consume(acc);
      calls += n;
      // Real agents call tools from an event loop that turns; timers (report writes) get to run.
      await settle();
    }
    // Write the report now, so that every checkpoint holds the same things: the live session and
    // its stored report. Otherwise whether the debounced write has happened yet (it holds the
    // 1000 recent calls again, as JSON-ready objects, ~0.6 MB) would show up as growth.
    await perf.flush();
    points.push(await measureHeap(calls));
    log(`memory: ${calls.toLocaleString('en-US')} calls, heapUsed ${((points.at(-1) as MemoryPoint).heapUsed / 2 ** 20).toFixed(2)} MiB`);
  }

  const report = await perf.api.getReport({ sessionId: SESSION });
  await perf.shutdown();
  const at = (n: number): number => (points.find((p) => p.calls === n) as MemoryPoint).heapUsed;
  const growth = at(1_000_000) - at(100_000);
  return {
    gcExposed: hasGc,
    maxMetrics: MAX_METRICS,
    points,
    growth100kTo1M: growth,
    bytesPerCall100kTo1M: growth / 900_000,
    nsPerCall: Number(elapsedNs) / TOTAL,
    reportedCalls: report?.operations[semconv.OPERATION_TOOL_EXECUTION]?.count ?? 0,
    reportedRecent: report?.recent.length ?? 0,
  };
}
