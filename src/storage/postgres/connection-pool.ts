import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { describeError, FailureLog, type Logger } from '../../util/logger.js';
import { WriteOutcomeUnknownError } from '../report-store.js';
import { isConnectionError } from './retry.js';
import { redactStoreUrl } from '../../util/store-url.js';

/** Connections a store holds at most: writes run four at a time (`WriteScheduler`), flushes more. */
const MAX_CONNECTIONS = 10;
/** A connection that cannot be made in this long fails the operation (retried later). */
const CONNECT_TIMEOUT_MS = 5_000;

/** What the store needs of a connection: queries with parameters. */
export interface Queryable {
  query<R extends QueryResultRow>(text: string, values?: readonly unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

/**
 * The store's connections (node-postgres' pool), made lazily: `pg` is loaded by `import()` on the
 * first query, so a process on the file store never loads it. Errors of idle connections (the
 * server restarted) are logged once per streak instead of crashing the process, which is what an
 * unhandled pool `error` event would do.
 */
export class ConnectionPool {
  private pool: Promise<Pool> | undefined;
  private readonly failures: FailureLog;

  constructor(
    private readonly url: string,
    logger: Logger,
  ) {
    this.failures = new FailureLog(logger);
  }

  /** The URL without its password: what messages show. */
  get description(): string {
    return redactStoreUrl(this.url);
  }

  async query<R extends QueryResultRow>(text: string, values?: readonly unknown[]): Promise<{ rows: R[]; rowCount: number | null }> {
    const pool = await this.open();
    return pool.query<R>(text, values as unknown[] | undefined);
  }

  /** Runs `fn` on one connection, in a transaction: committed if it resolves, rolled back if it throws. */
  async transaction<T>(fn: (client: Queryable) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    const client = await (await this.open()).connect();
    let broken = false;
    let committing = false;
    try {
      await client.query(begin);
      const result = await fn(client);
      committing = true;
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A COMMIT that failed on a connection error may have committed all the same.
      if (committing && isConnectionError(error)) throw new WriteOutcomeUnknownError(`the transaction may or may not have committed: ${describeError(error)}`, { cause: error });
      broken = await rollback(client);
      throw error;
    } finally {
      // A connection whose rollback failed is not handed out again.
      client.release(broken ? true : undefined);
    }
  }

  async end(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await (await pool).end();
  }

  private open(): Promise<Pool> {
    this.pool ??= import('pg').then(({ default: pg }) => {
      const pool = new pg.Pool({
        connectionString: this.url,
        max: MAX_CONNECTIONS,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        idleTimeoutMillis: 30_000,
        application_name: 'toolperf',
        // Idle connections do not keep the process alive: a tracker's process ends (and runs its
        // beforeExit flush) as it would on the file store.
        allowExitOnIdle: true,
      });
      pool.on('error', (error) => this.failures.fail('idle', `PostgreSQL store ${this.description}: an idle connection failed`, error));
      pool.on('connect', () => this.failures.recover('idle'));
      return pool;
    });
    return this.pool;
  }
}

/** Rolls back; true if that failed too (the connection is broken). */
async function rollback(client: PoolClient): Promise<boolean> {
  try {
    await client.query('ROLLBACK');
    return false;
  } catch {
    return true;
  }
}

