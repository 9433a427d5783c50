import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

/** How the receiver answers: 200, another status, or never (the request hangs until `close`). */
export type ReceiverMode = 'ok' | 'hang' | number;

/** A webhook receiver on a free loopback port: it records every POST and answers as `mode` says. */
export async function startWebhookReceiver(mode: ReceiverMode = 'ok') {
  const posts: ReceivedPost[] = [];
  const hanging: ServerResponse[] = [];
  const waiters: (() => void)[] = [];
  const receiver = {
    mode,
    posts,
    /** Requests received and not answered (mode `hang`). */
    get hanging(): number {
      return hanging.length;
    },
    url: '',
    /** Resolves once `n` POSTs were received. */
    received(n: number): Promise<void> {
      return new Promise((resolve) => {
        const check = (): void => (posts.length >= n ? resolve() : void waiters.push(check));
        check();
      });
    },
    close: (): Promise<void> => {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      posts.push({ url: request.url ?? '', headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      for (const wake of waiters.splice(0)) wake();
      if (receiver.mode === 'hang') hanging.push(response);
      else response.writeHead(receiver.mode === 'ok' ? 200 : receiver.mode).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}

/** A loopback URL where nothing listens: a port taken and released. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/hook`;
}
