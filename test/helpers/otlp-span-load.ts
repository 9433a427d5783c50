import * as semconv from '../../src/telemetry/semconv.js';
import { prng } from './prng.js';

const TOOLS = ['read', 'grep', 'edit', 'bash', 'glob', 'write'] as const;

/** A request some instance answered 2xx: the spans it took, per session. */
export interface AckedRequest {
  /** Index into `targets`. */
  readonly target: number;
  /** `Date.now()` when the answer came. */
  readonly ackedAt: number;
  readonly perSession: ReadonlyMap<string, number>;
}

export interface FailedRequest {
  readonly target: number;
  readonly at: number;
  readonly reason: string;
}

export interface SpanLoad {
  readonly acked: AckedRequest[];
  readonly failed: FailedRequest[];
}

export interface SpanLoadOptions {
  /** Base URLs of the report servers (`http://127.0.0.1:port`). */
  readonly targets: readonly string[];
  readonly sessionIds: readonly string[];
  /** Sending stops once this is past (`Date.now()`), or when `stop` resolves. */
  readonly until: number;
  readonly stop?: Promise<void>;
  readonly spansPerBatch?: number;
  /** Batches in flight at once. */
  readonly concurrency?: number;
  readonly seed?: number;
  /** A target that fails a request (refused, reset, non-2xx) is left out from then on; its spans go to another. */
  readonly failover?: boolean;
}

/**
 * Sends tool-call spans of `sessionIds` over OTLP/HTTP (JSON, as this package's spans look), each
 * span to one of `targets` at random, batch after batch until `until`; returns what each target
 * acknowledged, request by request, so that a test can tell what must be stored.
 */
export async function sendSpans(options: SpanLoadOptions): Promise<SpanLoad> {
  const random = prng(options.seed ?? 7);
  const spansPerBatch = options.spansPerBatch ?? 256;
  const down = new Set<number>();
  const acked: AckedRequest[] = [];
  const failed: FailedRequest[] = [];
  let stopped = false;
  void options.stop?.then(() => (stopped = true));
  let spanNumber = 0;

  const post = async (target: number, spans: readonly SpanSpec[]): Promise<boolean> => {
    try {
      const response = await fetch(`${options.targets[target]}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: tracesBody(spans),
      });
      await response.arrayBuffer();
      if (response.ok) {
        const perSession = new Map<string, number>();
        for (const span of spans) perSession.set(span.sessionId, (perSession.get(span.sessionId) ?? 0) + 1);
        acked.push({ target, ackedAt: Date.now(), perSession });
        return true;
      }
      failed.push({ target, at: Date.now(), reason: `HTTP ${response.status}` });
    } catch (error) {
      failed.push({ target, at: Date.now(), reason: String((error as Error).cause ?? error) });
    }
    if (options.failover) down.add(target);
    return false;
  };

  const sendPart = async (target: number, spans: readonly SpanSpec[]): Promise<void> => {
    if (await post(target, spans)) return;
    if (!options.failover) return;
    for (let other = 0; other < options.targets.length; other++) {
      if (other !== target && !down.has(other) && (await post(other, spans))) return;
    }
  };

  const worker = async (): Promise<void> => {
    while (!stopped && Date.now() < options.until) {
      const parts = options.targets.map((): SpanSpec[] => []);
      const up = options.targets.map((_, i) => i).filter((i) => !down.has(i));
      if (up.length === 0) return;
      for (let i = 0; i < spansPerBatch; i++) {
        const n = spanNumber++;
        const sessionId = options.sessionIds[Math.floor(random() * options.sessionIds.length)] as string;
        const target = up[Math.floor(random() * up.length)] as number;
        (parts[target] as SpanSpec[]).push({ sessionId, n, tool: TOOLS[n % TOOLS.length] as string, durationMs: 0.05 + random() * 200, failed: random() < 0.05 });
      }
      await Promise.all(parts.map((spans, target) => (spans.length === 0 ? undefined : sendPart(target, spans))));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return { acked, failed };
}

interface SpanSpec {
  readonly sessionId: string;
  /** Unique in the run: the span and call IDs. */
  readonly n: number;
  readonly tool: string;
  readonly durationMs: number;
  readonly failed: boolean;
}

const RUN_PREFIX = Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, '0');

function tracesBody(spans: readonly SpanSpec[]): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  const otlpSpans = spans.map((span) => {
    const id = span.n.toString(16).padStart(16, '0');
    const end = now;
    const start = end - BigInt(Math.round(span.durationMs * 1e6));
    const attributes = [
      [semconv.ATTR_GEN_AI_OPERATION_NAME, semconv.GEN_AI_OPERATION_EXECUTE_TOOL],
      [semconv.ATTR_GEN_AI_TOOL_NAME, span.tool],
      [semconv.ATTR_SESSION_ID, span.sessionId],
      [semconv.ATTR_GEN_AI_TOOL_CALL_ID, `call_${RUN_PREFIX}_${id}`],
      ...(span.failed ? [[semconv.ATTR_ERROR_TYPE, 'TimeoutError']] : []),
    ].map(([key, value]) => ({ key, value: { stringValue: value } }));
    return {
      traceId: `${RUN_PREFIX}${id}${'0'.repeat(8)}`,
      spanId: id,
      name: `execute_tool ${span.tool}`,
      kind: 1,
      startTimeUnixNano: start.toString(),
      endTimeUnixNano: end.toString(),
      attributes,
      status: span.failed ? { code: 2, message: 'timed out' } : {},
    };
  });
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'toolperf-load' } }] },
        scopeSpans: [{ scope: { name: semconv.INSTRUMENTATION_SCOPE }, spans: otlpSpans }],
      },
    ],
  });
}

/** Spans acknowledged per session, over the requests `include` picks (all by default). */
export function ackedPerSession(load: SpanLoad, include: (request: AckedRequest) => boolean = () => true): Map<string, number> {
  const totals = new Map<string, number>();
  for (const request of load.acked) {
    if (!include(request)) continue;
    for (const [sessionId, n] of request.perSession) totals.set(sessionId, (totals.get(sessionId) ?? 0) + n);
  }
  return totals;
}
