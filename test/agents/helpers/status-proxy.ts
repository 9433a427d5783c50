import { createServer, request as httpRequest } from 'node:http';
import { listenOnLoopback } from './loopback.js';

/** One request an agent sent through the proxy, and the status it was answered. */
export interface Answered {
  /** The path without its query: `/v1/logs`. */
  readonly path: string;
  readonly status: number;
}

export interface StatusProxy {
  /** The agent's OTLP endpoint. */
  readonly url: string;
  /** Every request answered so far, in order. */
  readonly answered: Answered[];
  /** `<path> <status>`: how many times. */
  statuses(): Record<string, number>;
  /** Resolves once no request is under way (the server has answered everything sent so far). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A loopback pass-through proxy in front of the report server that notes what each request was
 * answered: what the agent got (the tests check it got no 404 and no other non-2xx).
 */
export async function startStatusProxy(target: string): Promise<StatusProxy> {
  const answered: Answered[] = [];
  let inFlight = 0;
  const upstream = new URL(target);
  const server = createServer((incoming, outgoing) => {
    inFlight++;
    const path = (incoming.url ?? '').split('?')[0] ?? '';
    const done = (status: number) => {
      answered.push({ path, status });
      inFlight--;
    };
    const forward = httpRequest({ hostname: upstream.hostname, port: upstream.port, path: incoming.url, method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
      answer.on('end', () => done(answer.statusCode ?? 0));
    });
    forward.on('error', () => {
      done(502);
      outgoing.writeHead(502).end();
    });
    incoming.pipe(forward);
  });
  const listening = await listenOnLoopback(server);
  return {
    url: listening.origin,
    answered,
    statuses: () => {
      const counts: Record<string, number> = {};
      for (const { path, status } of answered) counts[`${path} ${status}`] = (counts[`${path} ${status}`] ?? 0) + 1;
      return counts;
    },
    idle: async () => {
      while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    },
    close: () => listening.close(),
  };
}
