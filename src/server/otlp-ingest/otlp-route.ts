import { promisify } from 'node:util';
import { gunzip, type InputType, type ZlibOptions } from 'node:zlib';
import type { Context, Handler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { CallProblem } from '../../reports/call-record.js';
import { apiError } from '../api-error.js';
import { decodeOtlpRecords, OtlpDecodeError, type DecodedRecords, type OtlpEncoding } from './decode-records.js';
import { EventLoopTurns } from './event-loop-turns.js';
import type { Signal } from './found-record.js';
import type { IngestPipeline, Rejection, RejectionSink } from './ingest-pipeline.js';
import { ExportLogsServiceResponse, ExportMetricsServiceResponse, ExportTraceServiceResponse, RpcStatus } from './otlp-proto.js';
import { PayloadTooLargeError, readBodyWithin } from './read-body.js';

const gunzipAsync = promisify<InputType, ZlibOptions, Buffer>(gunzip);

/** google.rpc.Code values used in error answers. */
const RPC_INVALID_ARGUMENT = 3;
const RPC_RESOURCE_EXHAUSTED = 8;
const RPC_UNAVAILABLE = 14;

/**
 * Records (spans, log records, metrics) read per request; the rest are rejected, counted in the
 * partial-success answer, never read. Above an SDK's batch (512) and the Collector's default
 * (8,192); a 4 MiB body of real tool spans holds fewer. Bounds the work a small gzip body of empty
 * records can cause.
 */
export const MAX_RECORDS_PER_REQUEST = 10_000;
/** Records taken in one event-loop turn. */
const TAKE_CHUNK = 1000;

/** Per signal: the export response message, its partial-success count field, and what a record is called. */
const RESPONSES = {
  span: { message: ExportTraceServiceResponse, rejectedField: 'rejectedSpans', noun: 'span(s)' },
  log: { message: ExportLogsServiceResponse, rejectedField: 'rejectedLogRecords', noun: 'log record(s)' },
  metric: { message: ExportMetricsServiceResponse, rejectedField: 'rejectedDataPoints', noun: 'metric(s)' },
} as const;

/** `json` or `protobuf` from a Content-Type, or undefined for one OTLP/HTTP does not define. */
function otlpEncodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType === 'application/json') return 'json';
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') return 'protobuf';
  return undefined;
}

/**
 * An OTLP/HTTP error answer: a `google.rpc.Status` in the request's encoding, as the spec asks
 * (https://opentelemetry.io/docs/specs/otlp/#failures-1).
 */
function otlpError(c: Context, status: ContentfulStatusCode, encoding: OtlpEncoding, code: number, message: string): Response {
  if (encoding === 'json') return c.json({ code, message }, status);
  const body = RpcStatus.encode(RpcStatus.create({ code, message })).finish();
  return c.body(Buffer.from(body), status, { 'content-type': 'application/x-protobuf' });
}

/**
 * `POST /v1/traces`, `/v1/logs` and `/v1/metrics`: OTLP/HTTP exports (JSON or protobuf, optionally
 * gzip) of `signal`, taken by `pipeline` (spans and log records mapped into calls by the sources;
 * metrics accepted and counted). Records past `MAX_RECORDS_PER_REQUEST` and calls that
 * `inspectCall` refuses are rejected and counted in a partial-success answer; records that are no
 * call are accepted and ignored. Long work yields to the event loop between chunks, so that a large
 * body never stalls the other requests; the three routes of one app share the turns.
 */
export function otlpHandler(signal: Signal, pipeline: IngestPipeline, maxBodyBytes: number, turns: EventLoopTurns = new EventLoopTurns()): Handler {
  return async (c) => {
    const encoding = otlpEncodingOf(c.req.header('content-type'));
    if (encoding === undefined) {
      return apiError(c, 415, 'unsupported_media_type', 'OTLP/HTTP takes Content-Type application/json or application/x-protobuf');
    }
    const contentEncoding = (c.req.header('content-encoding') ?? 'identity').trim().toLowerCase();
    if (contentEncoding !== 'identity' && contentEncoding !== 'gzip') {
      return apiError(c, 415, 'unsupported_media_type', `Content-Encoding ${JSON.stringify(contentEncoding)} is not supported; use gzip or none`);
    }
    let body: Uint8Array;
    try {
      body = await readBodyWithin(c.req.raw, maxBodyBytes);
    } catch (error) {
      if (error instanceof PayloadTooLargeError) return otlpError(c, 413, encoding, RPC_RESOURCE_EXHAUSTED, error.message);
      throw error;
    }
    if (contentEncoding === 'gzip') {
      try {
        // Bounded while inflating: a small gzip bomb stops at the limit instead of filling memory.
        body = await gunzipAsync(body, { maxOutputLength: maxBodyBytes });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
          return otlpError(c, 413, encoding, RPC_RESOURCE_EXHAUSTED, `body is larger than ${maxBodyBytes} bytes once decompressed`);
        }
        return otlpError(c, 400, encoding, RPC_INVALID_ARGUMENT, `body is not valid gzip: ${(error as Error).message}`);
      }
    }
    let decoded: DecodedRecords;
    try {
      decoded = await decodeOtlpRecords(body, encoding, signal, MAX_RECORDS_PER_REQUEST, turns);
    } catch (error) {
      if (error instanceof OtlpDecodeError) return otlpError(c, 400, encoding, RPC_INVALID_ARGUMENT, error.message);
      throw error;
    }
    const rejected = new Rejections(signal);
    rejected.add('over-limit', decoded.overLimit);
    await pipeline.ready;
    if (signal === 'metric') {
      pipeline.countMetrics(decoded.seen - decoded.overLimit);
      return encodeResponse(c, encoding, signal, rejected.partialSuccess());
    }
    for (let taken = 0; taken < decoded.records.length; taken += TAKE_CHUNK) {
      await turns.take();
      if (!pipeline.accepting) {
        // Refused before anything was taken: the sender may retry the whole request. Once some
        // chunks are in, a retry would count them twice, so the rest are reported as rejected instead.
        if (taken === 0) return otlpError(c, 503, encoding, RPC_UNAVAILABLE, 'ingest is not accepting records: the session reports are shut down');
        rejected.add('stopped', decoded.records.length - taken);
        break;
      }
      pipeline.take(decoded.records.slice(taken, taken + TAKE_CHUNK), rejected);
    }
    return encodeResponse(c, encoding, signal, rejected.partialSuccess());
  };
}

interface PartialSuccess {
  readonly rejected: number;
  readonly errorMessage: string;
}

/** The records of a request that were rejected, by reason, for the partial-success answer. */
class Rejections implements RejectionSink {
  private readonly counts = new Map<Rejection, number>();
  private sessionExample: string | undefined;

  constructor(private readonly signal: Signal) {}

  add(reason: Rejection, n: number, sessionId?: string): void {
    if (n === 0) return;
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + n);
    this.sessionExample ??= sessionId === undefined ? undefined : String(sessionId).slice(0, 64);
  }

  partialSuccess(): PartialSuccess | undefined {
    let total = 0;
    const parts: string[] = [];
    for (const [reason, n] of this.counts) {
      total += n;
      const noun = RESPONSES[this.signal].noun.replace('(s)', 's');
      parts.push(`${n} ${REASONS[reason].replace('records', noun)}${reason === 'session-id' ? `, e.g. ${JSON.stringify(this.sessionExample)}` : ''}`);
    }
    return total === 0 ? undefined : { rejected: total, errorMessage: `${total} ${RESPONSES[this.signal].noun} rejected: ${parts.join('; ')}` };
  }
}

const REASONS: Record<Rejection, string> = {
  'session-id': 'with an invalid session id',
  time: 'with a start or end time more than 100 years from now',
  shape: 'that are not calls',
  'over-limit': `past the first ${MAX_RECORDS_PER_REQUEST}: more than ${MAX_RECORDS_PER_REQUEST} records in one request`,
  stopped: 'not folded: the reports shut down meanwhile',
} satisfies Record<CallProblem | 'over-limit' | 'stopped', string>;

function encodeResponse(c: Context, encoding: OtlpEncoding, signal: Signal, partialSuccess: PartialSuccess | undefined): Response {
  const { message, rejectedField } = RESPONSES[signal];
  if (encoding === 'json') {
    // proto3 JSON writes int64 as a string.
    const body = partialSuccess ? { partialSuccess: { [rejectedField]: String(partialSuccess.rejected), errorMessage: partialSuccess.errorMessage } } : {};
    return c.json(body, 200);
  }
  const fields = partialSuccess ? { partialSuccess: { [rejectedField]: partialSuccess.rejected, errorMessage: partialSuccess.errorMessage } } : {};
  return c.body(Buffer.from(message.encode(message.create(fields)).finish()), 200, { 'content-type': 'application/x-protobuf' });
}
