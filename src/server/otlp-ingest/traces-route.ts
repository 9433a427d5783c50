import { promisify } from 'node:util';
import { gunzip, type InputType, type ZlibOptions } from 'node:zlib';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Context, Handler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { SessionReportExporter } from '../../reports/session-report-exporter.js';
import { callFromSpan, storeIdOfSpan } from '../../reports/span-to-call.js';
import { isValidSessionId } from '../../util/session-id.js';
import { apiError } from '../api-error.js';
import { ExportTraceServiceResponse, RpcStatus } from './otlp-proto.js';
import { PayloadTooLargeError, readBodyWithin } from './read-body.js';
import { decodeOtlpSpans, OtlpDecodeError } from './decode-spans.js';

const gunzipAsync = promisify<InputType, ZlibOptions, Buffer>(gunzip);

export type OtlpEncoding = 'json' | 'protobuf';

/** google.rpc.Code values used in error answers. */
const RPC_INVALID_ARGUMENT = 3;
const RPC_RESOURCE_EXHAUSTED = 8;
const RPC_UNAVAILABLE = 14;

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
 * session reports by `exporter`. Spans of an invalid session are rejected and counted in a
 * partial-success answer; spans that are not tool calls are accepted and ignored, and so are spans
 * a tracker already folded into the store these reports write (`toolperf.store.id` is `storeId()`).
 */
export function otlpTracesHandler(exporter: SessionReportExporter, maxBodyBytes: number, storeId: () => string | undefined = () => undefined): Handler {
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
    let spans: ReadableSpan[];
    try {
      spans = decodeOtlpSpans(body, encoding);
    } catch (error) {
      if (error instanceof OtlpDecodeError) return otlpError(c, 400, encoding, RPC_INVALID_ARGUMENT, error.message);
      throw error;
    }
    const accepted: ReadableSpan[] = [];
    let rejected = 0;
    let example: string | undefined;
    const ownStore = spans.length > 0 ? storeId() : undefined;
    for (const span of spans) {
      if (ownStore !== undefined && storeIdOfSpan(span) === ownStore) continue; // counted already: accepted
      const call = callFromSpan(span);
      if (call !== undefined && !isValidSessionId(call.sessionId)) {
        rejected++;
        example ??= String(call.sessionId).slice(0, 64);
        continue;
      }
      accepted.push(span);
    }
    let failed: string | undefined;
    exporter.export(accepted, (result) => {
      if (result.code !== ExportResultCode.SUCCESS) failed = result.error?.message ?? 'export failed';
    });
    if (failed !== undefined) return otlpError(c, 503, encoding, RPC_UNAVAILABLE, `ingest is not accepting spans: ${failed}`);
    const partialSuccess =
      rejected === 0
        ? undefined
        : { rejectedSpans: rejected, errorMessage: `${rejected} span(s) rejected: invalid session id, e.g. ${JSON.stringify(example)}` };
    return encodeResponse(c, encoding, partialSuccess);
  };
}

function encodeResponse(c: Context, encoding: OtlpEncoding, partialSuccess: { rejectedSpans: number; errorMessage: string } | undefined): Response {
  if (encoding === 'json') {
    // proto3 JSON writes int64 as a string.
    const body = partialSuccess ? { partialSuccess: { ...partialSuccess, rejectedSpans: String(partialSuccess.rejectedSpans) } } : {};
    return c.json(body, 200);
  }
  const message = ExportTraceServiceResponse.create(partialSuccess ? { partialSuccess } : {});
  return c.body(Buffer.from(ExportTraceServiceResponse.encode(message).finish()), 200, { 'content-type': 'application/x-protobuf' });
}
