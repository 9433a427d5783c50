/**
 * Hostile input against real processes: `toolperf serve` fed hostile OTLP bodies all at once while
 * its /healthz is probed, and a host process that hands `startCall` and the wrapper times in the
 * wrong unit and megabytes of names and IDs. Nothing here needs root.
 */
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createReports } from '../../src/reports/reports.js';
import { MAX_RECORDS_PER_REQUEST as MAX_SPANS_PER_REQUEST } from '../../src/server/otlp-ingest/otlp-route.js';
import { ExportTraceServiceResponse } from '../../src/server/otlp-ingest/otlp-proto.js';
import { startFixture, waitForOutput, type Finished } from '../helpers/child.js';
import { tempDir } from '../helpers/cli.js';
import { recordingLogger } from '../helpers/tracking.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const MAX_BODY = 4 * 1024 * 1024;
const T_NS = BigInt(Date.now() - 60_000) * 1_000_000n;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** `toolperf serve` on a free port over `dataDir`, in its own process. */
async function startServe(dataDir: string): Promise<{ url: string; stop: () => Promise<Finished> }> {
  const serve = startFixture(join(root, 'src/cli/bin.ts'), ['serve', '--port', '0', '--data-dir', dataDir], { cwd: dataDir });
  cleanups.push(async () => {
    if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    await serve.done;
  });
  await waitForOutput(serve.output, '(Ctrl-C to stop)');
  const url = /at (http:\/\/\S+)/.exec(serve.output())?.[1] as string;
  return {
    url,
    stop: () => {
      serve.child.kill('SIGINT');
      return serve.done;
    },
  };
}

/** Asks `/healthz` every 50 ms without waiting for the previous answer; each latency is from its send. */
function probeHealth(url: string): () => Promise<{ latencies: number[]; failures: number }> {
  const probes: Promise<number | undefined>[] = [];
  const timer = setInterval(() => {
    const sent = performance.now();
    probes.push(
      fetch(`${url}/healthz`, { signal: AbortSignal.timeout(30_000) }).then(
        async (response) => {
          await response.arrayBuffer();
          return response.status === 200 ? performance.now() - sent : undefined;
        },
        () => undefined,
      ),
    );
  }, 50);
  return async () => {
    clearInterval(timer);
    const answers = await Promise.all(probes);
    const latencies = answers.filter((ms): ms is number => ms !== undefined).sort((a, b) => a - b);
    return { latencies, failures: answers.length - latencies.length };
  };
}

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const callSpan = (session: string, extra: object = {}) => ({
  attributes: [str('session.id', session), str('tool.name', 'read')],
  startTimeUnixNano: String(T_NS),
  endTimeUnixNano: String(T_NS + 2_000_000n),
  ...extra,
});
const jsonRequest = (spans: unknown[]) => JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });

/** The protobuf bytes of a length-delimited field. */
function field(number: number, inner: Buffer): Buffer {
  const length: number[] = [];
  for (let n = inner.length; ; n >>>= 7) {
    if (n < 0x80) {
      length.push(n);
      break;
    }
    length.push((n & 0x7f) | 0x80);
  }
  return Buffer.concat([Buffer.from([(number << 3) | 2, ...length]), inner]);
}

interface Hostile {
  readonly name: string;
  readonly body: Buffer;
  readonly type: 'json' | 'protobuf';
  readonly gzip?: boolean;
  readonly status: number;
  /** `partialSuccess.rejectedSpans` expected in a 200 answer (0: none). */
  readonly rejected?: number;
}

/** The bodies the issue names, each a few times over: amplification, deep nesting, times, lengths, counts. */
function hostileBodies(): Hostile[] {
  const emptySpans = `{"resourceSpans":[{"scopeSpans":[{"spans":[${Array(Math.floor((MAX_BODY - 64) / 3)).fill('{}').join(',')}]}]}]}`;
  const emptyCount = Math.floor((MAX_BODY - 64) / 3);
  const protoEmpty = Buffer.alloc(MAX_BODY - 16);
  for (let i = 0; i < protoEmpty.length; i += 2) protoEmpty[i] = 0x12; // ScopeSpans.spans (2), length 0
  const protoBomb = field(1, field(2, protoEmpty));
  const depth = 100_000;
  const deepJson = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"k","value":${'{"arrayValue":{"values":['.repeat(depth)}{"stringValue":"x"}${']}}'.repeat(depth)}}]}]}]}]}`;
  let deepValue = field(1, Buffer.from('x')); // AnyValue.string_value
  for (let i = 0; i < 20_000; i++) deepValue = field(5, field(1, deepValue)); // AnyValue.array_value › ArrayValue.values
  const deepProto = field(1, field(2, field(2, field(9, Buffer.concat([field(1, Buffer.from('k')), field(2, deepValue)])))));
  const tinyCall = callSpan('ses_cap');
  const huge = (c: string) => c.repeat(3_900_000);
  const bodies: Hostile[] = [];
  for (let i = 0; i < 4; i++) {
    bodies.push({ name: `4 MB of empty spans, gzip (${i})`, body: gzipSync(emptySpans), type: 'json', gzip: true, status: 200, rejected: emptyCount - MAX_SPANS_PER_REQUEST });
    bodies.push({ name: `4 MB of empty protobuf spans, gzip (${i})`, body: gzipSync(protoBomb), type: 'protobuf', gzip: true, status: 200, rejected: (MAX_BODY - 16) / 2 - MAX_SPANS_PER_REQUEST });
  }
  for (let i = 0; i < 2; i++) {
    bodies.push({ name: `arrayValue nested ${depth} deep (${i})`, body: Buffer.from(deepJson), type: 'json', status: 400 });
    bodies.push({ name: `protobuf AnyValue nested 20000 deep (${i})`, body: deepProto, type: 'protobuf', status: 400 });
  }
  bodies.push({
    name: 'times out of range',
    body: Buffer.from(jsonRequest([callSpan('ses_valid'), callSpan('ses_time', { endTimeUnixNano: 1e300 }), callSpan('ses_time', { startTimeUnixNano: '99999999999999999999' })])),
    type: 'json',
    status: 200,
    rejected: 2,
  });
  bodies.push({ name: 'spans past the limit', body: Buffer.from(jsonRequest(Array(MAX_SPANS_PER_REQUEST + 321).fill(tinyCall))), type: 'json', status: 200, rejected: 321 });
  bodies.push({
    name: 'a 3.9 MB call id',
    body: gzipSync(jsonRequest([callSpan('ses_long', { attributes: [str('session.id', 'ses_long'), str('tool.name', 'read'), str('tool.call_id', huge('c'))] })])),
    type: 'json',
    gzip: true,
    status: 200,
  });
  for (let i = 0; i < 20; i++) bodies.push({ name: `valid calls (${i})`, body: Buffer.from(jsonRequest(Array(50).fill(callSpan('ses_valid')))), type: 'json', status: 200 });
  return bodies;
}

async function post(url: string, hostile: Hostile): Promise<{ status: number; rejected: number }> {
  const headers: Record<string, string> = { 'content-type': hostile.type === 'json' ? 'application/json' : 'application/x-protobuf' };
  if (hostile.gzip) headers['content-encoding'] = 'gzip';
  const response = await fetch(`${url}/v1/traces`, { method: 'POST', body: hostile.body, headers });
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (response.status !== 200) return { status: response.status, rejected: 0 };
  const answer = (
    hostile.type === 'json'
      ? JSON.parse(Buffer.from(bytes).toString('utf8'))
      : ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(bytes), { longs: String })
  ) as { partialSuccess?: { rejectedSpans?: string } };
  return { status: 200, rejected: Number(answer.partialSuccess?.rejectedSpans ?? 0) };
}

describe('serve under hostile OTLP bodies', () => {
  it('stays responsive (/healthz p99 under 1 s), answers each body exactly, and every session stays readable and writable', async () => {
    const dir = await tempDir('toolperf-hostile-');
    cleanups.push(dir.remove);
    const bodies = hostileBodies();
    const serve = await startServe(dir.path);
    const stopProbing = probeHealth(serve.url);
    await new Promise((resolve) => setTimeout(resolve, 200));

    const answers = await Promise.all(bodies.map((hostile) => post(serve.url, hostile)));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { latencies, failures } = await stopProbing();

    expect(answers.map((a, i) => `${bodies[i]!.name}: ${a.status}, ${a.rejected} rejected`)).toEqual(
      bodies.map((b) => `${b.name}: ${b.status}, ${b.rejected ?? 0} rejected`),
    );
    const p99 = latencies[Math.floor(latencies.length * 0.99)] as number;
    console.log(`/healthz under ${bodies.length} hostile bodies: ${latencies.length} probes, p50 ${latencies[latencies.length >> 1]?.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, max ${latencies.at(-1)?.toFixed(0)} ms`);
    expect(failures).toBe(0);
    expect(latencies.length).toBeGreaterThan(5);
    expect(p99).toBeLessThan(1000);

    const sessions = await fetch(`${serve.url}/api/v1/sessions`);
    expect(sessions.status).toBe(200);
    const listed = ((await sessions.json()) as { sessions: { sessionId: string; calls: number }[] }).sessions;
    expect(Object.fromEntries(listed.map((s) => [s.sessionId, s.calls]))).toEqual({ ses_valid: 20 * 50 + 1, ses_cap: MAX_SPANS_PER_REQUEST, ses_long: 1 });
    expect((await fetch(`${serve.url}/api/v1/tools`)).status).toBe(200);

    const stopped = await serve.stop();
    console.log(stopped.stderr);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stderr).not.toMatch(/RangeError|TypeError|Invalid time value/);
    // Written, and small: the 3.9 MB call id was cut to 1 KiB.
    const reports = createReports({ dataDir: dir.path, logger: recordingLogger() });
    cleanups.push(() => reports.shutdown());
    expect((await reports.getReport({ sessionId: 'ses_valid' }))?.operations['tool-execution']?.count).toBe(20 * 50 + 1);
    const long = await reports.getReport({ sessionId: 'ses_long' });
    expect(long?.recent[0]?.callId).toHaveLength(1024);
    expect(JSON.stringify(long).length).toBeLessThan(10_000);
  }, 60_000);
});

describe('a host handing over hostile arguments', () => {
  it('keeps running, exits 0 by itself, and stores every call, with times in range and strings cut', async () => {
    const dir = await tempDir('toolperf-hostile-host-');
    cleanups.push(dir.remove);
    const host = startFixture('hostile-host.ts', [dir.path, 'ses_host', '50']);
    const finished = await Promise.race([host.done, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 40_000))]);
    if (finished === undefined) host.child.kill('SIGKILL');
    expect(finished?.code, finished?.stderr ?? 'still running after 40 s').toBe(0);

    const reports = createReports({ dataDir: dir.path, logger: recordingLogger() });
    cleanups.push(() => reports.shutdown());
    const report = await reports.getReport({ sessionId: 'ses_host' });
    expect(report?.operations['tool-execution']).toMatchObject({ count: 200, errors: 100 });
    for (const recent of report?.recent ?? []) expect(Math.abs(Date.parse(recent.startedAt) - Date.now())).toBeLessThan(600_000);
    expect(Object.keys(report?.operations['tool-execution']?.tools ?? {}).map((name) => name.length).sort()).toEqual([256, 256, 4]);
    expect(JSON.stringify(report).length).toBeLessThan(500_000);
    // Each start time in nanoseconds was refused with a TypeError, which the host caught.
    expect(finished?.stdout).toContain('done 50');
    expect(finished?.stderr).not.toMatch(/could not write|RangeError/);
  }, 60_000);
});
