import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { listenOnLoopback, readBody } from './loopback.js';

/** One OTLP/HTTP request an agent sent, body inflated. */
export interface RecordedExport {
  /** `/v1/traces`, `/v1/logs` or `/v1/metrics`. */
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
}

export interface OtlpRecorder {
  /** `http://127.0.0.1:<port>`: the agent's OTLP endpoint. */
  readonly url: string;
  readonly exports: RecordedExport[];
  /** Writes each request as `<dir>/<n>-<signal>.<json|pb>` (bodies as sent, inflated): fixtures for the mapping modules' tests. */
  save(dir: string): void;
  close(): Promise<void>;
}

/**
 * Records what an agent exports over OTLP/HTTP, answering every request 200 with an empty
 * response in its encoding (what a Collector answers): for capturing fixtures from the real CLIs.
 */
export async function startOtlpRecorder(): Promise<OtlpRecorder> {
  const exports: RecordedExport[] = [];
  const server = createServer((request, response) => {
    void readBody(request).then((raw) => {
      const gzip = (request.headers['content-encoding'] ?? '').includes('gzip');
      const contentType = String(request.headers['content-type'] ?? '');
      exports.push({ path: request.url ?? '', contentType, body: gzip ? gunzipSync(raw) : raw });
      const json = contentType.includes('json');
      response.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      response.end(json ? '{}' : Buffer.alloc(0));
    });
  });
  const listening = await listenOnLoopback(server);
  return {
    url: `${listening.origin}`,
    exports,
    save(dir) {
      mkdirSync(dir, { recursive: true });
      exports.forEach((each, i) => {
        const signal = each.path.replace(/^\/v1\//, '').replace(/[^a-z]/g, '') || 'other';
        writeFileSync(join(dir, `${String(i).padStart(3, '0')}-${signal}.${each.contentType.includes('json') ? 'json' : 'pb'}`), each.body);
      });
    },
    close: () => listening.close(),
  };
}

