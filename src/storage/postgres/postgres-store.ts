import { randomBytes } from 'node:crypto';
import type { SessionSummary, StoredSessionReport } from '../../document/report.js';
import { isStoredReportProblem, loadStoredReportCheck } from '../../document/check-stored-report.js';
import { consoleLogger, describeError, type Logger } from '../../util/logger.js';
import { assertValidSessionId } from '../../util/session-id.js';
import { CorruptReportError, UnreadableReportError } from '../report-decode.js';
import { WriteOutcomeUnknownError, type ReportMerge, type ReportStore, type StoredSessionPage, type StoredSessionPageQuery, type StoredToolTotals } from '../report-store.js';
import type { SessionDigest } from '../session-digest.js';
import { ConnectionPool, type Queryable } from './connection-pool.js';
import { DigestListing } from './digest-listing.js';
import { migrate } from './migrations.js';
import { withRetry } from './retry.js';
import { selectSessionPage } from './session-page-sql.js';
import { ToolBuckets } from './tool-buckets.js';
import { deleteSession, setAsideSession, writeSession } from './session-writes.js';

/** Random bytes of the store's fingerprint secret (as the file store's). */
const SECRET_BYTES = 32;

export interface PostgresReportStoreOptions {
  /**
   * Read only: nothing in the database is written (no migration either: a database without
   * toolperf's tables is an error). A corrupt report is reported (`CorruptReportError`), not set aside.
   */
  readonly readOnly?: boolean;
}

interface ReportRow {
  version: string;
  /** Null when the caller's known report is the stored one (same version). */
  report: unknown;
}

/**
 * Session reports in PostgreSQL, for many processes and report servers on one database: each
 * session a row (the same document the file store writes, plus the summary columns that listing,
 * filtering and paging read) and a row per tool (trends, baselines). `update` merges under the
 * row's lock (`SELECT … FOR UPDATE`) in one transaction, retried on serialization failures,
 * deadlocks and dropped connections. The schema is migrated when the store is first used.
 * There are no synchronous methods: at `process.exit` (where nothing asynchronous runs) what is
 * not written yet is lost; SIGINT, SIGTERM, `beforeExit` and `shutdown()` write it.
 */
export class PostgresReportStore implements ReportStore {
  private readonly pool: ConnectionPool;
  private opening: Promise<void> | undefined;
  private storeId: string | undefined;
  /** The row version of each report this store read or wrote: a `known` report of the same version is not read again. */
  private readonly versions = new WeakMap<StoredSessionReport, string>();
  private readonly digests: DigestListing;
  private readonly toolBuckets: ToolBuckets;
  private secretBytes: Promise<Uint8Array> | undefined;
  private identified: ((id: string | undefined) => void) | undefined;
  private readonly identifiedOnce: Promise<string | undefined>;

  constructor(
    url: string,
    private readonly logger: Logger = consoleLogger,
    private readonly options: PostgresReportStoreOptions = {},
  ) {
    this.pool = new ConnectionPool(url, logger);
    this.digests = new DigestListing(this.pool);
    this.toolBuckets = new ToolBuckets(this.pool, this.readOnly);
    this.identifiedOnce = new Promise((resolve) => (this.identified = resolve));
  }

  /** The URL without its password. */
  get description(): string {
    return this.pool.description;
  }

  /** Connects and migrates the schema (once; again after a failure). Every method does it first. */
  open(): Promise<void> {
    this.opening ??= this.connect().catch((error: unknown) => {
      this.opening = undefined;
      throw error;
    });
    return this.opening;
  }

  async get(sessionId: string): Promise<StoredSessionReport | undefined> {
    assertValidSessionId(sessionId);
    await this.open();
    const { rows } = await this.pool.query<ReportRow>('SELECT version::text, report FROM toolperf_sessions WHERE session_id = $1', [sessionId]);
    const row = rows[0];
    if (row === undefined) return undefined;
    const decoded = await this.decode(sessionId, row);
    if (typeof decoded !== 'string') return decoded;
    if (this.readOnly) throw new CorruptReportError(`corrupt report of session ${sessionId} in ${this.description} (${decoded}): left in place`);
    await withRetry(() => this.pool.transaction((client) => this.setAside(client, sessionId, decoded, row.version)));
    return undefined;
  }

  update(sessionId: string, merge: ReportMerge, known?: StoredSessionReport): Promise<StoredSessionReport | undefined> {
    assertValidSessionId(sessionId);
    this.assertWritable();
    const knownVersion = (known && this.versions.get(known)) ?? '0';
    // Once a try may have committed, a failure of the later ones leaves the outcome unknown too.
    let unknown: WriteOutcomeUnknownError | undefined;
    return withRetry(async () => {
      await this.open();
      return this.pool.transaction(async (client) => {
        const { rows } = await client.query<ReportRow>(
          'SELECT version::text, CASE WHEN version = $2::bigint THEN NULL ELSE report END AS report FROM toolperf_sessions WHERE session_id = $1 FOR UPDATE',
          [sessionId, knownVersion],
        );
        const row = rows[0];
        let stored: StoredSessionReport | undefined;
        if (row !== undefined) {
          const decoded = row.report === null ? (known as StoredSessionReport) : await this.decode(sessionId, row);
          if (typeof decoded === 'string') await this.setAside(client, sessionId, decoded, row.version);
          else stored = decoded;
        }
        const next = merge(stored);
        if (next === undefined) return stored;
        this.versions.set(next, await writeSession(client, next, stored !== undefined));
        return next;
      }).catch((error: unknown) => {
        if (error instanceof WriteOutcomeUnknownError) unknown = error;
        throw unknown !== undefined && !(error instanceof WriteOutcomeUnknownError) ? new WriteOutcomeUnknownError(`${unknown.message}; then: ${describeError(error)}`, { cause: error }) : error;
      });
    });
  }

  async put(report: StoredSessionReport): Promise<void> {
    await this.update(report.sessionId, () => report);
  }

  async list(): Promise<SessionSummary[]> {
    return (await this.listDigests()).map((digest) => digest.summary);
  }

  async listDigests(): Promise<SessionDigest[]> {
    await this.open();
    return withRetry(() => this.digests.list());
  }

  /** A page of the stored sessions, filtered, sorted and cut in SQL (see `ReportStore.listSessionsPage`). */
  async listSessionsPage(query: StoredSessionPageQuery): Promise<StoredSessionPage> {
    await this.open();
    return withRetry(() => selectSessionPage(this.pool, query));
  }

  /** Every tool's merged statistics, kept per bucket of sessions in the database (see `ToolBuckets`), and its recent uses. */
  async toolTotals(recentPerTool: number): Promise<StoredToolTotals[]> {
    await this.open();
    return withRetry(() => this.toolBuckets.totals(recentPerTool));
  }

  async sessionsWithTool(operationType: string, toolName: string, limit: number, excludeSessionId?: string): Promise<string[]> {
    await this.open();
    const { rows } = await this.pool.query<{ session_id: string }>(
      `SELECT session_id FROM toolperf_session_tools
        WHERE operation_type = $1 AND tool_name = $2 AND calls > 0 AND ($4::text IS NULL OR session_id <> $4)
        ORDER BY started_at DESC, session_id DESC LIMIT $3`,
      [operationType, toolName, Math.max(0, Math.floor(limit)), excludeSessionId ?? null],
    );
    return rows.map((r) => r.session_id);
  }

  delete(sessionId: string): Promise<boolean> {
    return this.deleteIf(sessionId, () => true);
  }

  /** Deletes the session's row if `test` holds for its summary, read under the row's lock. */
  async deleteIf(sessionId: string, test: (summary: SessionSummary) => boolean): Promise<boolean> {
    assertValidSessionId(sessionId);
    this.assertWritable();
    await this.open();
    return withRetry(() =>
      this.pool.transaction(async (client) => {
        const { rows } = await client.query<{ summary: SessionSummary }>('SELECT summary FROM toolperf_sessions WHERE session_id = $1 FOR UPDATE', [sessionId]);
        const summary = rows[0]?.summary;
        if (summary === undefined || !test(summary)) return false;
        await deleteSession(client, sessionId);
        // Tombstones serve listings brought up to date within hours (see `DigestListing`): a day is ample.
        await client.query("DELETE FROM toolperf_deleted_sessions WHERE deleted_at < now() - interval '1 day'");
        return true;
      }),
    );
  }

  /** The id made by the first migration, shared by every process on this database (see `ReportStore.identity`); undefined until `open` resolved. */
  identity(): string | undefined {
    return this.storeId;
  }

  /** Connects (if no operation did yet) and resolves with the identity once a connection succeeded; never rejects. */
  whenIdentified(): Promise<string | undefined> {
    this.open().catch(() => undefined);
    return this.identifiedOnce;
  }

  /**
   * The store's secret of argument fingerprints (see `ReportStore.secret`): 32 random bytes in
   * `toolperf_secrets`, made by the first process that asks (the others' inserts do nothing) and
   * the same for every process on this database. A read-only store never makes it: it throws if none was made.
   */
  async secret(): Promise<Uint8Array> {
    await this.open();
    this.secretBytes ??= withRetry(async () => {
      if (!this.readOnly) await this.pool.query("INSERT INTO toolperf_secrets (name, value) VALUES ('fingerprint', $1) ON CONFLICT (name) DO NOTHING", [randomBytes(SECRET_BYTES)]);
      const { rows } = await this.pool.query<{ value: Buffer }>("SELECT value FROM toolperf_secrets WHERE name = 'fingerprint'");
      const value = rows[0]?.value;
      if (value === undefined || value.length !== SECRET_BYTES) throw new Error(`${this.description} holds no fingerprint secret of ${SECRET_BYTES} bytes yet: a writer makes it`);
      return new Uint8Array(value);
    }).catch((error: unknown) => {
      this.secretBytes = undefined;
      throw error;
    });
    return this.secretBytes;
  }

  /** Closes the connections. */
  async close(): Promise<void> {
    await this.pool.end();
  }

  private async connect(): Promise<void> {
    if (this.readOnly) await this.assertMigrated();
    else await withRetry(() => migrate(this.pool));
    const { rows } = await this.pool.query<{ store_id: string }>('SELECT store_id FROM toolperf_store');
    this.storeId = rows[0]?.store_id;
    this.identified?.(this.storeId);
  }

  private async assertMigrated(): Promise<void> {
    const { rows } = await this.pool.query<{ present: boolean }>("SELECT to_regclass('toolperf_schema_migrations') IS NOT NULL AS present");
    if (rows[0]?.present !== true) throw new Error(`${this.description} holds no toolperf reports yet (no toolperf tables): a writer (toolperf serve, or a tracker) creates them`);
  }

  /** The stored report, or why it is corrupt. Throws `UnreadableReportError` for one of a newer schema. */
  private async decode(sessionId: string, row: ReportRow): Promise<StoredSessionReport | string> {
    const checked = (await loadStoredReportCheck())(row.report);
    if (!isStoredReportProblem(checked)) {
      if (checked.sessionId !== sessionId) return 'the report of another session';
      this.versions.set(checked, row.version);
      return checked;
    }
    if (checked.kind === 'newer') throw new UnreadableReportError(`the report of session ${sessionId} in ${this.description}: ${checked.message}; left as it is (a newer toolperf reads it)`);
    return checked.message;
  }

  /** Moves a corrupt report to `toolperf_set_aside` (if it is still the version read) and says so. */
  private async setAside(client: Queryable, sessionId: string, reason: string, version: string): Promise<void> {
    const { rows } = await client.query('SELECT 1 FROM toolperf_sessions WHERE session_id = $1 AND version = $2::bigint FOR UPDATE', [sessionId, version]);
    if (rows.length === 0) return;
    await setAsideSession(client, sessionId, reason);
    this.logger.warn(`corrupt report of session ${sessionId} in ${this.description} (${reason}): moved to toolperf_set_aside`);
  }

  private get readOnly(): boolean {
    return this.options.readOnly === true;
  }

  private assertWritable(): void {
    if (this.readOnly) throw new Error(`${this.description} was opened read-only: nothing is written there`);
  }
}
