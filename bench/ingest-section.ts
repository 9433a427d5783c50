/**
 * The OTLP ingest part of BENCHMARKS.md's report-server section: the HTTP figure (a) beside the
 * same bodies decoded by protobufjs (b) and by ingest's own reader (c, c2, d), taken in one run.
 */
import type { Summary } from './harness.js';
import type { IngestDecodeResult } from './ingest-decode.js';
import { markdownTable } from './section.js';

/** The goal of issue #15: one instance folds 512-span protobuf bodies at this rate or more, and at least as fast as protobufjs decodes them. */
export const GOAL_INGEST_SPANS_PER_SECOND = 100_000;

const int = (value: number): string => Math.round(value).toLocaleString('en-US');
const rate = (s: Summary): number => 1e9 / s.median;

/** Rows of the side-by-side table; `httpSpansPerSecond` is (a). */
export function ingestRows(httpSpansPerSecond: number, d: IngestDecodeResult): string[][] {
  const b = rate(d.protobufjs);
  const row = (label: string, what: string, perSecond: number, s?: Summary): string[] => [
    label,
    what,
    `**${int(perSecond)}**`,
    s === undefined ? '' : `${int(1e9 / s.max)} – ${int(1e9 / s.min)}`,
    s === undefined ? int(1e9 / perSecond) : int(s.median),
    `${(perSecond / b).toFixed(2)}×`,
  ];
  return [
    ['', 'case', 'spans/s', 'range (slowest – fastest sample)', 'ns per span', 'vs (b)'],
    row('(a)', '`POST /v1/traces` over HTTP, one server thread: read, gunzip check, decode, map, fold, answer, and the debounced report writes', httpSpansPerSecond),
    row('(b)', '`ExportTraceServiceRequest.decode(body)` of protobufjs into message objects, nothing else', b, d.protobufjs),
    row('(c)', "ingest's reader alone (`decodeOtlpRecords`: the records found and read, attributes left in the bytes)", rate(d.reader), d.reader),
    row('(c2)', '(c), then every record taken by the sources (`CALL_SOURCES`): attributes read, calls made', rate(d.mapped), d.mapped),
    row('(d)', '(c2), then folded: a real `IngestPipeline` into real reports (in-memory store, its debounced writes included)', rate(d.folded), d.folded),
  ];
}

/** The paragraph under the table: goal, ratios, checks. */
export function ingestVerdict(httpSpansPerSecond: number, d: IngestDecodeResult): string {
  const b = rate(d.protobufjs);
  const meets = httpSpansPerSecond >= GOAL_INGEST_SPANS_PER_SECOND && httpSpansPerSecond >= b;
  return [
    `Goal (issue #15): (a) ≥ ${int(GOAL_INGEST_SPANS_PER_SECOND)} spans/s and (a) ≥ (b): ${meets ? 'meets the goal' : '**misses the goal**'} in this run ((a) / (b) = ${(httpSpansPerSecond / b).toFixed(2)}).`,
    `(b)–(d) ran on the main thread after the HTTP run, ${d.rounds} interleaved rounds of ~${d.sampleMs} ms samples over the same bodies; per round, (b)'s time over (c)'s was ${d.readerSpeedup.median.toFixed(2)}× (range ${d.readerSpeedup.min.toFixed(2)}–${d.readerSpeedup.max.toFixed(2)}) and over (d)'s ${d.foldedSpeedup.median.toFixed(2)}× (range ${d.foldedSpeedup.min.toFixed(2)}–${d.foldedSpeedup.max.toFixed(2)}).`,
    `Per span (medians): protobufjs ${int(d.protobufjs.median)} ns; ingest's reader ${int(d.reader.median)} ns, the sources ${int(d.mapped.median - d.reader.median)} ns more, folding (with its in-memory writes) ${int(d.folded.median - d.mapped.median)} ns more; over HTTP, with the file store's writes, ${int(1e9 / httpSpansPerSecond)} ns in all.`,
    `Checks: the sources made ${d.callsPerSpan.toFixed(2)} calls per span read in (c2); in (d) the reports counted ${int(d.foldedCalls)} calls for ${int(d.foldedSpans)} spans taken (${d.foldedCalls === d.foldedSpans ? 'equal' : '**differ**'}).`,
  ].join('\n');
}

/** The ingest markdown: table and verdict. */
export function ingestSideBySide(httpSpansPerSecond: number, d: IngestDecodeResult): string {
  return `${markdownTable(ingestRows(httpSpansPerSecond, d))}\n\n${ingestVerdict(httpSpansPerSecond, d)}`;
}
