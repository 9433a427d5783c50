import { setTimeout as sleep } from 'node:timers/promises';
import { WriteOutcomeUnknownError } from '../report-store.js';

/**
 * SQLSTATEs of a connection that is gone or refused: the server shutting down or starting up, too
 * many connections, and every connection exception (class 08). Serialization failures (40001) and
 * deadlocks (40P01) are worth another try too.
 */
const TRANSIENT_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
const TRANSIENT_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** A write that met a row another writer inserted first: run the transaction again, it finds the row. */
export class WriteConflict extends Error {
  override readonly name = 'WriteConflict';
}

/** Whether `error` may pass if the operation runs again (a new connection, a new transaction). */
export function isTransient(error: unknown): boolean {
  if (error instanceof WriteConflict || error instanceof WriteOutcomeUnknownError) return true;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && (code === '40001' || code === '40P01')) return true;
  return isConnectionError(error);
}

/** A connection refused, lost or cut by the server (shut down, restarting, too many connections). */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && (TRANSIENT_CODES.has(code) || code.startsWith('08') || TRANSIENT_SOCKET_CODES.has(code))) return true;
  // node-postgres' own words for a connection that went away under a query.
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
}

export interface RetryOptions {
  /** Tries in all. */
  readonly attempts: number;
  /** The first wait; doubled after each try, with jitter. */
  readonly baseDelayMs: number;
}

/** Writes: a few quick tries; past them the caller keeps its delta for its next write. */
export const WRITE_RETRY: RetryOptions = { attempts: 4, baseDelayMs: 20 };

/** Runs `fn` again while it fails with a transient error, up to `attempts` tries, waiting longer each time. */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = WRITE_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= options.attempts || !isTransient(error)) throw error;
      const delay = options.baseDelayMs * 2 ** (attempt - 1);
      await sleep(delay / 2 + Math.random() * delay);
    }
  }
}
