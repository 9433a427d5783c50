/**
 * Seeding and sizing for the PostgreSQL benchmark: the same reports into a file store and into
 * PostgreSQL, the latter through the store's own SQL (`writeSession`) in transactions of many
 * sessions over several connections, so that 100,000 sessions take seconds, not minutes.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoredSessionReport } from '../src/document/report.js';
import { FileReportStore, REPORTS_SUBDIRECTORY } from '../src/storage/file-store.js';
import { ConnectionPool } from '../src/storage/postgres/connection-pool.js';
import { PostgresReportStore } from '../src/storage/postgres/postgres-store.js';
import { writeSession } from '../src/storage/postgres/session-writes.js';
import type { CallRecord } from '../src/reports/call-record.js';
import { SessionAggregate } from '../src/reports/session-aggregate.js';
import { prng } from '../test/helpers/prng.js';
import { log } from './harness.js';

const SESSIONS_PER_TRANSACTION = 250;
const CONNECTIONS = 4;
const FILE_CONCURRENCY = 32;

const quiet = { warn: (message: string) => log(`postgres: ${message}`) };

/** Puts `count` reports (`reportOf(i)`) into PostgreSQL at `url`; seconds taken. */
export async function seedPostgres(url: string, count: number, reportOf: (i: number) => StoredSessionReport): Promise<number> {
  const t0 = process.hrtime.bigint();
  const store = new PostgresReportStore(url, quiet);
  await store.open(); // the schema
  await store.close();
  const pool = new ConnectionPool(url, quiet);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let first = next; first < count; first = next) {
      next += SESSIONS_PER_TRANSACTION;
      const last = Math.min(count, first + SESSIONS_PER_TRANSACTION);
      await pool.transaction(async (client) => {
        for (let i = first; i < last; i++) await writeSession(client, reportOf(i), false);
      });
    }
  };
  try {
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
    await pool.query('ANALYZE');
  } finally {
    await pool.end();
  }
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Puts `count` reports into a file store over `dataDir`, `FILE_CONCURRENCY` at a time; seconds taken. */
export async function seedFiles(dataDir: string, count: number, reportOf: (i: number) => StoredSessionReport): Promise<number> {
  const t0 = process.hrtime.bigint();
  const store = new FileReportStore(dataDir, quiet);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) await store.put(reportOf(i));
  };
  await Promise.all(Array.from({ length: FILE_CONCURRENCY }, worker));
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

export interface TableSize {
  readonly table: string;
  readonly rows: number;
  /** The table's own pages (with TOAST). */
  readonly tableBytes: number;
  readonly indexBytes: number;
}

export interface PostgresSize {
  readonly databaseBytes: number;
  readonly tables: readonly TableSize[];
  readonly indexes: readonly { readonly index: string; readonly bytes: number }[];
}

/** What toolperf's tables take in the database at `url`. */
export async function postgresSize(url: string): Promise<PostgresSize> {
  const pool = new ConnectionPool(url, quiet);
  try {
    await pool.query('VACUUM ANALYZE');
    const tables = await pool.query<{ table: string; table_bytes: string; index_bytes: string }>(
      `SELECT c.relname AS table, pg_table_size(c.oid)::text AS table_bytes, pg_indexes_size(c.oid)::text AS index_bytes
         FROM pg_class c WHERE c.relkind = 'r' AND c.relname LIKE 'toolperf\\_%' ORDER BY pg_total_relation_size(c.oid) DESC`,
    );
    const counted: TableSize[] = [];
    for (const t of tables.rows) {
      const { rows } = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${t.table}`);
      counted.push({ table: t.table, rows: Number(rows[0]?.n ?? 0), tableBytes: Number(t.table_bytes), indexBytes: Number(t.index_bytes) });
    }
    const indexes = await pool.query<{ index: string; bytes: string }>(
      `SELECT indexrelid::regclass::text AS index, pg_relation_size(indexrelid)::text AS bytes FROM pg_index i
         JOIN pg_class c ON c.oid = i.indrelid WHERE c.relname LIKE 'toolperf\\_%' ORDER BY pg_relation_size(indexrelid) DESC`,
    );
    const database = await pool.query<{ bytes: string }>('SELECT pg_database_size(current_database())::text AS bytes');
    return { databaseBytes: Number(database.rows[0]?.bytes), tables: counted, indexes: indexes.rows.map((r) => ({ index: r.index, bytes: Number(r.bytes) })) };
  } finally {
    await pool.end();
  }
}

/** The report files' bytes (apparent) and the blocks they take. */
export async function filesSize(dataDir: string): Promise<{ files: number; bytes: number; diskBytes: number }> {
  const directory = join(dataDir, REPORTS_SUBDIRECTORY);
  let files = 0;
  let bytes = 0;
  let diskBytes = 0;
  for (const name of await readdir(directory)) {
    if (!name.endsWith('.json') || name.startsWith('.')) continue;
    const stats = await lstat(join(directory, name));
    files++;
    bytes += stats.size;
    diskBytes += stats.blocks * 512;
  }
  return { files, bytes, diskBytes };
}

const TOOLS = ['read', 'write', 'edit', 'grep', 'glob', 'bash', 'webfetch', 'task'] as const;
/** Calls per seeded session, as figure 4's templates: reports of a few to ~50 KB. */
const CALLS = [6, 12, 20, 30, 40, 50, 60, 75] as const;
const DAY_MS = 86_400_000;

/**
 * The `i`-th of `count` seeded sessions (`pg_<i>`): 6 to 75 calls of 2 to 8 tools with spread
 * durations, 3% failing, started over the 30 days before `nowMs`, the newest last.
 */
export function benchReport(i: number, count: number, nowMs: number): StoredSessionReport {
  const sessionId = `pg_${i.toString().padStart(6, '0')}`;
  const random = prng(i + 1);
  const aggregate = new SessionAggregate(sessionId, 100);
  const calls = CALLS[i % CALLS.length] as number;
  const tools = 2 + (i % 7);
  let clock = nowMs - 30 * DAY_MS + Math.floor((i / count) * 30 * DAY_MS);
  for (let c = 0; c < calls; c++) {
    const durationMs = 0.05 * Math.pow(10, random() * 5);
    const call: CallRecord = {
      sessionId,
      operationType: 'tool-execution',
      toolName: TOOLS[Math.floor(random() * tools)] as string,
      callId: `c${c}`,
      startTimeMs: clock,
      durationMs,
      errorType: random() < 0.03 ? 'TimeoutError' : undefined,
      traceId: undefined,
      spanId: undefined,
    };
    aggregate.add(call);
    clock += durationMs + random() * 2_000;
  }
  return aggregate.toStored();
}
