import { promisify } from 'node:util';
import { gunzip, type InputType, type ZlibOptions } from 'node:zlib';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Context, Handler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { SessionReportExporter } from '../../reports/session-report-exporter.js';
import { inspectCall, type CallProblem } from '../../reports/call-record.js';
import { callFromSpan, storeIdOfSpan } from '../../reports/span-to-call.js';
import { apiError } from '../api-error.js';
import { ExportTraceServiceResponse, RpcStatus } from './otlp-proto.js';
import { PayloadTooLargeError, readBodyWithin } from './read-body.js';
import { decodeOtlpSpans, OtlpDecodeError, type DecodedSpans } from './decode-spans.js';
import { EventLoopTurns } from './event-loop-turns.js';

const gunzipAsync = promisify<InputType, ZlibOptions, Buffer>(gunzip);

export type OtlpEncoding = 'json' | 'protobuf';

/** google.rpc.Code values used in error answers. */
const RPC_INVALID_ARGUMENT = 3;
const RPC_RESOURCE_EXHAUSTED = 8;
const RPC_UNAVAILABLE = 14;

/**
 * Spans read per request; the rest are rejected, counted in the partial-success answer, never read.
 * Above an SDK's batch (512) and the Collector's default (8,192); a 4 MiB body of real tool spans
 * holds fewer. Bounds the work a small gzip body of empty spans can cause.
 */
export const MAX_SPANS_PER_REQUEST = 10_000;
/** Accepted spans folded in one event-loop turn. */
const FOLD_CHUNK = 1000;

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
 * `POST /v1/traces`: OTLP/HTTP trace exports (JSON or protobuf, optionally gzip), folded into
 * session reports by `exporter`. Spans that `inspectCall` refuses (an invalid session, a time more
 * than 100 years from now) and spans past `MAX_SPANS_PER_REQUEST` are rejected and counted in a
 * partial-success answer; spans that are not tool calls are accepted and ignored, and so are spans
 * a tracker already folded into the store these reports write (`toolperf.store.id` is `storeId()`). Long work yields
 * to the event loop between chunks, so that a large body never stalls the other requests.
 */
export function otlpTracesHandler(exporter: SessionReportExporter, maxBodyBytes: number, storeId: () => string | undefined = () => undefined): Handler {
  // Shared by the requests to this handler: their decoding and folding take turns, one slice each.
  const turns = new EventLoopTurns();
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
    let decoded: DecodedSpans;
    try {
      decoded = await decodeOtlpSpans(body, encoding, MAX_SPANS_PER_REQUEST, turns);
    } catch (error) {
      if (error instanceof OtlpDecodeError) return otlpError(c, 400, encoding, RPC_INVALID_ARGUMENT, error.message);
      throw error;
    }
    const accepted: ReadableSpan[] = [];
    const rejected = new Rejections();
    rejected.add('over-limit', decoded.overLimit);
    await turns.take();
    const now = Date.now();
    const ownStore = decoded.spans.length > 0 ? storeId() : undefined;
    for (const span of decoded.spans) {
      if (ownStore !== undefined && storeIdOfSpan(span) === ownStore) continue; // counted already: accepted
      const call = callFromSpan(span);
      const checked = call === undefined ? undefined : inspectCall(call, now);
      if (checked?.ok === false) rejected.add(checked.problem, 1, checked.problem === 'session-id' ? call?.sessionId : undefined);
      else accepted.push(span);
    }
    let failed: string | undefined;
    let folded = 0;
    for (; folded < accepted.length; folded += FOLD_CHUNK) {
      await turns.take();
      exporter.export(accepted.slice(folded, folded + FOLD_CHUNK), (result) => {
        if (result.code !== ExportResultCode.SUCCESS) failed = result.error?.message ?? 'export failed';
      });
      if (failed !== undefined) break;
    }
    // Refused before anything was folded: the sender may retry the whole request. Once some
    // chunks are in, a retry would count them twice, so the rest are reported as rejected instead.
    if (failed !== undefined && folded === 0) return otlpError(c, 503, encoding, RPC_UNAVAILABLE, `ingest is not accepting spans: ${failed}`);
    if (failed !== undefined) rejected.add('stopped', accepted.length - folded);
    return encodeResponse(c, encoding, rejected.partialSuccess());
  };
}

type Reason = CallProblem | 'over-limit' | 'stopped';

/** The spans of a request that were rejected, by reason, for the partial-success answer. */
class Rejections {
  private readonly counts = new Map<Reason, number>();
  private sessionExample: string | undefined;

  add(reason: Reason, n: number, sessionId?: string): void {
    if (n === 0) return;
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + n);
    this.sessionExample ??= sessionId === undefined ? undefined : String(sessionId).slice(0, 64);
  }

  partialSuccess(): { rejectedSpans: number; errorMessage: string } | undefined {
    let total = 0;
    const parts: string[] = [];
    for (const [reason, n] of this.counts) {
      total += n;
      parts.push(`${n} ${REASONS[reason]}${reason === 'session-id' ? `, e.g. ${JSON.stringify(this.sessionExample)}` : ''}`);
    }
    return total === 0 ? undefined : { rejectedSpans: total, errorMessage: `${total} span(s) rejected: ${parts.join('; ')}` };
  }
}

const REASONS: Record<Reason, string> = {
  'session-id': 'with an invalid session id',
  time: 'with a start or end time more than 100 years from now',
  shape: 'that are not calls',
  'over-limit': `past the first ${MAX_SPANS_PER_REQUEST}: more than ${MAX_SPANS_PER_REQUEST} spans in one request`,
  stopped: 'not folded: the reports shut down meanwhile',
};

function encodeResponse(c: Context, encoding: OtlpEncoding, partialSuccess: { rejectedSpans: number; errorMessage: string } | undefined): Response {
  if (encoding === 'json') {
    // proto3 JSON writes int64 as a string.
    const body = partialSuccess ? { partialSuccess: { ...partialSuccess, rejectedSpans: String(partialSuccess.rejectedSpans) } } : {};
    return c.json(body, 200);
  }
  const message = ExportTraceServiceResponse.create(partialSuccess ? { partialSuccess } : {});
  return c.body(Buffer.from(ExportTraceServiceResponse.encode(message).finish()), 200, { 'content-type': 'application/x-protobuf' });
}
