/**
 * OTLP ingest on one thread, without HTTP, beside protobufjs: the same protobuf bodies the HTTP
 * ingest run sends, (b) decoded by protobufjs into message objects (what a user of protobufjs
 * would do with the OTLP .proto), (c) read by ingest's own decoder, (c2) read and mapped into calls
 * by the sources, (d) read, mapped and folded into the session reports (a real IngestPipeline over
 * a real Reports, in-memory store). Samples interleave the cases, so that the ratios hold on a busy machine.
 */
import { createPerformance } from '../src/performance.js';
import { decodeOtlpRecords } from '../src/server/otlp-ingest/decode-records.js';
import { EventLoopTurns } from '../src/server/otlp-ingest/event-loop-turns.js';
import { IngestPipeline } from '../src/server/otlp-ingest/ingest-pipeline.js';
import { ExportTraceServiceRequest } from '../src/server/otlp-ingest/otlp-proto.js';
import { CALL_SOURCES } from '../src/server/otlp-ingest/sources/index.js';
import type { SourceContext } from '../src/server/otlp-ingest/sources/source.js';
import { InMemoryReportStore } from '../src/storage/memory-store.js';
import { measure, roundRatio, summaryOf, type BenchCase, type Summary } from './harness.js';
import type { IngestBodies } from './ingest-load.js';

const OPTIONS = { rounds: 15, sampleMs: 60, warmupMs: 1000 };

export interface IngestDecodeResult {
  readonly rounds: number;
  readonly sampleMs: number;
  /** ns per span, each. */
  readonly protobufjs: Summary;
  readonly reader: Summary;
  readonly mapped: Summary;
  readonly folded: Summary;
  /** Per round: protobufjs' time over the reader's, and over the reader's with mapping and folding. */
  readonly readerSpeedup: { readonly median: number; readonly min: number; readonly max: number };
  readonly foldedSpeedup: { readonly median: number; readonly min: number; readonly max: number };
  /** Calls the sources emitted per span read in (c2) (1: every span was a call), and calls the reports counted in (d). */
  readonly callsPerSpan: number;
  readonly foldedCalls: number;
  readonly foldedSpans: number;
}

/** Runs (b), (c), (c2) and (d) over `set`'s bodies, round-robin. */
export async function measureIngestDecode(set: IngestBodies): Promise<IngestDecodeResult> {
  const { bodies, spansPerBody } = set;
  const turns = new EventLoopTurns();
  let next = 0;
  const body = (): Buffer => bodies[next++ % bodies.length] as Buffer;

  let emitted = 0;
  const context: SourceContext = { storeId: undefined, emit: () => void emitted++, later: () => {} };
  const store = new InMemoryReportStore();
  const perf = createPerformance({ enabled: true, store, handleProcessExit: false, env: {} });
  const pipeline = new IngestPipeline(perf.reports, { logger: { warn: () => {} } });
  const rejections = { add: () => {} };
  let foldedSpans = 0;
  let mappedSpans = 0;

  const cases: BenchCase[] = [
    {
      id: 'protobufjs',
      opsPerIteration: spansPerBody,
      loop: (n) => {
        let spans = 0;
        for (let k = 0; k < n; k++) {
          const request = ExportTraceServiceRequest.decode(body()) as unknown as { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] };
          for (const resource of request.resourceSpans) for (const scope of resource.scopeSpans) spans += scope.spans.length;
        }
        return spans;
      },
    },
    {
      id: 'reader',
      opsPerIteration: spansPerBody,
      loop: async (n) => {
        let spans = 0;
        for (let k = 0; k < n; k++) spans += (await decodeOtlpRecords(body(), 'protobuf', 'span', 10_000, turns)).records.length;
        return spans;
      },
    },
    {
      id: 'mapped',
      opsPerIteration: spansPerBody,
      loop: async (n) => {
        const before = emitted;
        for (let k = 0; k < n; k++) {
          const { records } = await decodeOtlpRecords(body(), 'protobuf', 'span', 10_000, turns);
          for (const record of records) for (const source of CALL_SOURCES) if (source.take(record, context) !== undefined) break;
          mappedSpans += records.length;
        }
        return emitted - before;
      },
    },
    {
      id: 'folded',
      opsPerIteration: spansPerBody,
      loop: async (n) => {
        let spans = 0;
        for (let k = 0; k < n; k++) {
          const { records } = await decodeOtlpRecords(body(), 'protobuf', 'span', 10_000, turns);
          pipeline.take(records, rejections);
          spans += records.length;
        }
        foldedSpans += spans;
        return spans;
      },
    },
  ];
  const results = await measure(cases, OPTIONS);
  await perf.flush();
  let foldedCalls = 0;
  for (const sessionId of set.sessionIds) foldedCalls += (await store.get(sessionId))?.operations['tool-execution']?.count ?? 0;
  await perf.shutdown();
  return {
    rounds: OPTIONS.rounds,
    sampleMs: OPTIONS.sampleMs,
    protobufjs: summaryOf(results, 'protobufjs'),
    reader: summaryOf(results, 'reader'),
    mapped: summaryOf(results, 'mapped'),
    folded: summaryOf(results, 'folded'),
    readerSpeedup: roundRatio(results, 'protobufjs', 'reader'),
    foldedSpeedup: roundRatio(results, 'protobufjs', 'folded'),
    callsPerSpan: emitted / Math.max(1, mappedSpans),
    foldedCalls,
    foldedSpans,
  };
}
