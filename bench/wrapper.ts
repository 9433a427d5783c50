/**
 * Figure 1: ns per tool call, raw vs the wrapper (disabled, enabled) vs the OpenTelemetry SDK's own
 * floor (one bare span + one histogram record) on the same provider setup; and what
 * `fingerprintArguments` adds to an enabled call with a tool's usual arguments (an object).
 */
import { context, SpanKind, trace, type Histogram, type Tracer } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { SessionReportExporter } from '../src/reports/session-report-exporter.js';
import { createReports } from '../src/reports/reports.js';
import { ensureContextManager } from '../src/telemetry/context-manager.js';
import { createPerformance, InMemoryReportStore } from '../src/index.js';
import * as semconv from '../src/telemetry/semconv.js';
import { VERSION } from '../src/util/version.js';
import { insideSummaryOf, log, measure, median, roundRatio, summaryOf, type BenchCase, type Samples, type Summary } from './harness.js';

type Ratio = { readonly median: number; readonly min: number; readonly max: number };

export interface WrapperResult {
  readonly sync: {
    readonly raw: Summary;
    readonly disabled: Summary;
    readonly disabledIsIdentity: boolean;
    readonly enabled: Summary;
    readonly floor: Summary;
    /** The floor with `gen_ai.operation.name` added, so that the report exporter folds the span. */
    readonly floorFolded: Summary;
    /** The floor doing everything the wrapper does (same attributes, timestamps, metric attributes), inline. */
    readonly floorMatched: Summary;
    /** Median over rounds of enabled / floor within the same round (wall time: deferred work included). */
    readonly ratio: Ratio;
    /** Time inside the calls only: what the caller waits for; work deferred to timers is not in it. */
    readonly enabledInside: Summary;
    readonly floorInside: Summary;
    readonly ratioInside: Ratio;
  };
  readonly async: {
    readonly raw: Summary;
    readonly enabled: Summary;
    readonly floor: Summary;
    readonly ratio: Ratio;
    readonly enabledInside: Summary;
    readonly floorInside: Summary;
    readonly ratioInside: Ratio;
  };
  /** An enabled call of a tool taking `FINGERPRINT_ARGUMENTS`, without and with `fingerprintArguments`. */
  readonly fingerprint: {
    readonly enabled: Summary;
    readonly fingerprinted: Summary;
    /** Median over rounds of fingerprinted − enabled within the same round, ns. */
    readonly addedNs: number;
    readonly arguments: string;
    /** Calls of the fingerprinted tool whose recent calls carry a fingerprint (of the last `maxMetrics`): all of them. */
    readonly fingerprintedRecent: number;
    readonly recent: number;
  };
  /** Calls the enabled wrapper's report counted, and calls made through it: must be equal. */
  readonly reportedCalls: number;
  readonly madeCalls: number;
  readonly config: { readonly rounds: number; readonly sampleMs: number; readonly warmupMs: number; readonly turnEveryMs: number };
}

// Samples of 400 ms that let the event loop turn every ~1 ms: timers (deferred records, debounced
// report writes) fire inside the samples, and each sample ends by draining what is still pending.
const SYNC = { rounds: 11, sampleMs: 400, warmupMs: 600, turnEveryMs: 1 };
const ASYNC = { rounds: 9, sampleMs: 400, warmupMs: 600, turnEveryMs: 1 };
const SESSION = 'ses_bench';
const TOOL = 'read';

/** The tool: trivial, so what is measured is the instrumentation around it. */
const tool = (x: number): number => x + 1;
const asyncTool = async (x: number): Promise<number> => x + 1;
/** What a file-reading tool is typically called with. */
const FINGERPRINT_ARGUMENTS = { path: 'src/reports/session-aggregate.ts', offset: 120, limit: 200 };
const readTool = (args: typeof FINGERPRINT_ARGUMENTS): number => args.offset + 1;

function longIntervalReader(): PeriodicExportingMetricReader {
  return new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    exportIntervalMillis: 3_600_000,
  });
}

interface SdkSetup {
  readonly tracer: Tracer;
  readonly histogram: Histogram;
  readonly exporter: SessionReportExporter;
  shutdown(): Promise<void>;
}

/** The same providers `createPerformance` builds: BasicTracerProvider + report exporter, MeterProvider + reader. */
function sdkSetup(): SdkSetup {
  const exporter = createReports({ store: new InMemoryReportStore() }).exporter;
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [exporter] });
  const meterProvider = new MeterProvider({ readers: [longIntervalReader()] });
  return {
    tracer: tracerProvider.getTracer(semconv.INSTRUMENTATION_SCOPE, VERSION),
    histogram: meterProvider.getMeter(semconv.INSTRUMENTATION_SCOPE, VERSION).createHistogram(semconv.METRIC_TOOL_DURATION, {
      unit: semconv.METRIC_TOOL_DURATION_UNIT,
      advice: { explicitBucketBoundaries: semconv.METRIC_TOOL_DURATION_BUCKETS },
    }),
    exporter,
    shutdown: async () => {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
}

export async function runWrapper(): Promise<WrapperResult> {
  ensureContextManager();
  const store = new InMemoryReportStore();
  // `env: {}`: OTEL_SDK_DISABLED or TOOLPERF_* in the environment must not change what is measured.
  const perf = createPerformance({ enabled: true, store, handleProcessExit: false, env: {}, metricReaders: [longIntervalReader()] });
  const disabledPerf = createPerformance({ enabled: false, store: new InMemoryReportStore(), handleProcessExit: false, env: {} });
  const options = { name: TOOL, sessionId: SESSION };
  const wrapped = perf.wrapTool(tool, options);
  const wrappedAsync = perf.wrapTool(asyncTool, options);
  const unwrapped = disabledPerf.wrapTool(tool, options);
  let madeCalls = 0;
  // The same tool with an object argument, tracked without and with fingerprints (sessions apart).
  const argsPerf = createPerformance({ enabled: true, store: new InMemoryReportStore(), handleProcessExit: false, env: {}, metricReaders: [longIntervalReader()] });
  const fingerprintPerf = createPerformance({ enabled: true, fingerprintArguments: true, store: new InMemoryReportStore(), handleProcessExit: false, env: {}, metricReaders: [longIntervalReader()] });
  const readPlain = argsPerf.wrapTool(readTool, options);
  const readFingerprinted = fingerprintPerf.wrapTool(readTool, options);

  // (d) The floor, as specified: a bare span with two attributes (not a tool call for the report
  // exporter, which looks at it and returns), the tool run in the span's context, one record.
  const bare = sdkSetup();
  const bareMetricAttributes = { 'gen_ai.tool.name': 't', 'session.id': 's' };
  const floorCall = (x: number): number => {
    const span = bare.tracer.startSpan('execute_tool t', { attributes: { 'gen_ai.tool.name': 't', 'session.id': 's' } });
    const result = context.with(trace.setSpan(context.active(), span), tool, undefined, x);
    span.end();
    bare.histogram.record(1e-6, bareMetricAttributes);
    return result;
  };

  // The floor plus `gen_ai.operation.name`: now the report exporter folds every span.
  const folded = sdkSetup();
  const foldedCall = (x: number): number => {
    const span = folded.tracer.startSpan('execute_tool t', {
      attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 't', 'session.id': 's' },
    });
    const result = context.with(trace.setSpan(context.active(), span), tool, undefined, x);
    span.end();
    folded.histogram.record(1e-6, bareMetricAttributes);
    return result;
  };

  // Everything the wrapper records, written inline: its five span attributes, explicit start and
  // end times from performance.now(), SpanKind, and its three metric attributes (fresh object).
  const matched = sdkSetup();
  const matchedCall = (x: number): number => {
    const start = performance.now();
    const span = matched.tracer.startSpan(`execute_tool ${TOOL}`, {
      kind: SpanKind.INTERNAL,
      startTime: start,
      attributes: {
        [semconv.ATTR_GEN_AI_OPERATION_NAME]: semconv.GEN_AI_OPERATION_EXECUTE_TOOL,
        [semconv.ATTR_GEN_AI_TOOL_NAME]: TOOL,
        [semconv.ATTR_GEN_AI_TOOL_TYPE]: 'function',
        [semconv.ATTR_SESSION_ID]: SESSION,
        [semconv.ATTR_GEN_AI_CONVERSATION_ID]: SESSION,
      },
    });
    const result = context.with(trace.setSpan(context.active(), span), tool, undefined, x);
    const end = performance.now();
    span.end(end);
    matched.histogram.record((end - start) / 1000, {
      [semconv.ATTR_GEN_AI_OPERATION_NAME]: semconv.GEN_AI_OPERATION_EXECUTE_TOOL,
      [semconv.ATTR_GEN_AI_TOOL_NAME]: TOOL,
      [semconv.ATTR_SESSION_ID]: SESSION,
    });
    return result;
  };

  // One loop literal per case, so that each call site has its own type feedback in V8.
  const syncCases: BenchCase[] = [
    {
      id: 'raw',
      loop: (n) => {
        let acc = 0;
        for (let i = 0; i < n; i++) acc += tool(i);
        return acc;
      },
    },
    {
      id: 'disabled',
      loop: (n) => {
        let acc = 0;
        for (let i = 0; i < n; i++) acc += unwrapped(i);
        return acc;
      },
    },
    {
      id: 'enabled',
      loop: (n) => {
        madeCalls += n;
        let acc = 0;
        for (let i = 0; i < n; i++) acc += wrapped(i);
        return acc;
      },
      // Whatever the tracker keeps for later (buffered metric records, the report write) is done
      // inside the sample. The forced write is at most one more per sample than the debounce allows.
      drain: () => perf.flush(),
    },
    {
      id: 'floor',
      loop: (n) => {
        let acc = 0;
        for (let i = 0; i < n; i++) acc += floorCall(i);
        return acc;
      },
      drain: () => bare.exporter.forceFlush(),
    },
    {
      id: 'floorFolded',
      loop: (n) => {
        let acc = 0;
        for (let i = 0; i < n; i++) acc += foldedCall(i);
        return acc;
      },
      drain: () => folded.exporter.forceFlush(),
    },
    {
      id: 'floorMatched',
      loop: (n) => {
        let acc = 0;
        for (let i = 0; i < n; i++) acc += matchedCall(i);
        return acc;
      },
      drain: () => matched.exporter.forceFlush(),
    },
    {
      id: 'argsEnabled',
      loop: (n) => {
        let acc = 0;
        for (let i = 0; i < n; i++) acc += readPlain(FINGERPRINT_ARGUMENTS);
        return acc;
      },
      drain: () => argsPerf.flush(),
    },
    {
      id: 'argsFingerprinted',
      loop: (n) => {
        let acc = 0;
        for (let i = 0; i < n; i++) acc += readFingerprinted(FINGERPRINT_ARGUMENTS);
        return acc;
      },
      drain: () => fingerprintPerf.flush(),
    },
  ];
  log(`wrapper: sync, ${syncCases.length} cases x ${SYNC.rounds} rounds`);
  const sync = await measure(syncCases, SYNC);

  const asyncCases: BenchCase[] = [
    {
      id: 'raw',
      loop: async (n) => {
        let acc = 0;
        for (let i = 0; i < n; i++) acc += await asyncTool(i);
        return acc;
      },
    },
    {
      id: 'enabled',
      loop: async (n) => {
        madeCalls += n;
        let acc = 0;
        for (let i = 0; i < n; i++) acc += await wrappedAsync(i);
        return acc;
      },
      drain: () => perf.flush(),
    },
    {
      id: 'floor',
      loop: async (n) => {
        let acc = 0;
        for (let i = 0; i < n; i++) {
          const span = bare.tracer.startSpan('execute_tool t', { attributes: { 'gen_ai.tool.name': 't', 'session.id': 's' } });
          acc += await context.with(trace.setSpan(context.active(), span), asyncTool, undefined, i);
          span.end();
          bare.histogram.record(1e-6, bareMetricAttributes);
        }
        return acc;
      },
      drain: () => bare.exporter.forceFlush(),
    },
  ];
  log(`wrapper: async, ${asyncCases.length} cases x ${ASYNC.rounds} rounds`);
  const asyncResults = await measure(asyncCases, ASYNC);

  await perf.flush();
  const report = await perf.api.getReport({ sessionId: SESSION });
  const reportedCalls = report?.operations[semconv.OPERATION_TOOL_EXECUTION]?.count ?? 0;
  await fingerprintPerf.flush();
  const fingerprintedReport = await fingerprintPerf.reports.getReport({ sessionId: SESSION });
  const recent = fingerprintedReport?.recent ?? [];
  await Promise.all([argsPerf.shutdown(), fingerprintPerf.shutdown()]);
  await Promise.all([perf.shutdown(), disabledPerf.shutdown(), bare.shutdown(), folded.shutdown(), matched.shutdown()]);
  await Promise.all([bare.exporter.shutdown(), folded.exporter.shutdown(), matched.exporter.shutdown()]);

  return {
    sync: {
      raw: summaryOf(sync, 'raw'),
      disabled: summaryOf(sync, 'disabled'),
      disabledIsIdentity: (unwrapped as unknown) === tool,
      enabled: summaryOf(sync, 'enabled'),
      floor: summaryOf(sync, 'floor'),
      floorFolded: summaryOf(sync, 'floorFolded'),
      floorMatched: summaryOf(sync, 'floorMatched'),
      ratio: roundRatio(sync, 'enabled', 'floor'),
      enabledInside: insideSummaryOf(sync, 'enabled'),
      floorInside: insideSummaryOf(sync, 'floor'),
      ratioInside: roundRatio(sync, 'enabled', 'floor', 'inside'),
    },
    async: {
      raw: summaryOf(asyncResults, 'raw'),
      enabled: summaryOf(asyncResults, 'enabled'),
      floor: summaryOf(asyncResults, 'floor'),
      ratio: roundRatio(asyncResults, 'enabled', 'floor'),
      enabledInside: insideSummaryOf(asyncResults, 'enabled'),
      floorInside: insideSummaryOf(asyncResults, 'floor'),
      ratioInside: roundRatio(asyncResults, 'enabled', 'floor', 'inside'),
    },
    fingerprint: {
      enabled: summaryOf(sync, 'argsEnabled'),
      fingerprinted: summaryOf(sync, 'argsFingerprinted'),
      addedNs: roundDifference(sync, 'argsFingerprinted', 'argsEnabled'),
      arguments: JSON.stringify(FINGERPRINT_ARGUMENTS),
      fingerprintedRecent: recent.filter((call) => call.argumentsFingerprint !== undefined).length,
      recent: recent.length,
    },
    reportedCalls,
    madeCalls,
    config: SYNC,
  };
}


/** Median over rounds of `a` − `b` within the same round, ns per call (wall time). */
function roundDifference(results: Map<string, Samples>, a: string, b: string): number {
  const x = results.get(a)?.perOp ?? [];
  const y = results.get(b)?.perOp ?? [];
  return median(x.map((v, i) => v - (y[i] as number)));
}
