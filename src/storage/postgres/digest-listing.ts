import type { SessionSummary } from '../../document/report.js';
import type { SessionDigest } from '../session-digest.js';
import type { ConnectionPool } from './connection-pool.js';
import { toolDigestsOf } from './session-row.js';

/** A listing kept this long is read again whole, rather than from the changes since (tombstones are kept a day). */
const FULL_READ_AFTER_MS = 6 * 3_600_000;

interface DigestRow {
  session_id: string;
  version: string;
  summary: SessionSummary;
  tool_figures: Parameters<typeof toolDigestsOf>[0];
}

interface Cached {
  readonly version: string;
  readonly digest: SessionDigest;
}

/**
 * Every session's digest, kept in memory and brought up to date from the rows written since the
 * last read: every row carries the id of the transaction that wrote it, and a transaction that was
 * not visible to the last read has an id at or above that read's snapshot `xmin` (it was running
 * then, or began later). Deletions come from `toolperf_deleted_sessions`. While nothing changed,
 * the same frozen array is handed out (see `ReportStore.listDigests`).
 */
export class DigestListing {
  private readonly cache = new Map<string, Cached>();
  private since = '0';
  private readAtMs = 0;
  private answer: readonly SessionDigest[] = Object.freeze([]);

  constructor(private readonly pool: ConnectionPool) {}

  async list(): Promise<SessionDigest[]> {
    if (Date.now() - this.readAtMs > FULL_READ_AFTER_MS) this.since = '0';
    const full = this.since === '0';
    const { xmin, rows, deleted } = await this.pool.transaction(async (client) => {
      const snapshot = await client.query<{ xmin: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin');
      const changed = await client.query<DigestRow>('SELECT session_id, version::text, summary, tool_figures FROM toolperf_sessions WHERE written_xid >= $1::xid8', [this.since]);
      const gone = full ? [] : (await client.query<{ session_id: string }>('SELECT session_id FROM toolperf_deleted_sessions WHERE deleted_xid >= $1::xid8', [this.since])).rows;
      return { xmin: snapshot.rows[0]?.xmin ?? '0', rows: changed.rows, deleted: gone };
    }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    let changed = false;
    if (full) {
      const present = new Set(rows.map((r) => r.session_id));
      for (const id of this.cache.keys()) if (!present.has(id) && this.cache.delete(id)) changed = true;
    }
    const written = new Set<string>();
    for (const row of rows) {
      written.add(row.session_id);
      if (this.cache.get(row.session_id)?.version === row.version) continue;
      this.cache.set(row.session_id, { version: row.version, digest: Object.freeze({ summary: row.summary, tools: toolDigestsOf(row.tool_figures) }) });
      changed = true;
    }
    for (const { session_id: id } of deleted) if (!written.has(id) && this.cache.delete(id)) changed = true;
    this.since = xmin;
    this.readAtMs = Date.now();
    if (changed) this.answer = Object.freeze([...this.cache.values()].map((c) => c.digest));
    return this.answer as SessionDigest[];
  }
}
