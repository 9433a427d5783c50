import type { StatsState } from '../../document/report.js';
import { mergeStatsStates } from '../../document/merge-stats-states.js';
import { sketchProblem } from '../../document/stored-sketch.js';
import type { StoredToolTotals, StoredToolUse } from '../report-store.js';
import type { ConnectionPool, Queryable } from './connection-pool.js';

interface BucketKey {
  operation_type: string;
  tool_name: string;
  bucket: string;
}

interface BucketRow extends BucketKey {
  version: string;
  sessions: number;
}

/**
 * Changed tool rows of at most $1 buckets, claimed: marked folded, each bucket once. Rows written
 * meanwhile stay unfolded for the next rebuild. A few buckets per transaction: the claimed rows
 * stay locked until it commits, and a writer rewriting one of them waits that long.
 */
const CLAIM_CHANGED = `WITH keys AS (SELECT DISTINCT operation_type, tool_name, bucket FROM toolperf_session_tools WHERE NOT folded LIMIT $1),
  claimed AS (UPDATE toolperf_session_tools t SET folded = true FROM keys k
    WHERE NOT t.folded AND t.operation_type = k.operation_type AND t.tool_name = k.tool_name AND t.bucket = k.bucket
    RETURNING t.operation_type, t.tool_name, t.bucket)
  SELECT DISTINCT operation_type, tool_name, bucket::text FROM claimed`;
/** Buckets rebuilt per transaction. */
const BUCKETS_PER_REBUILD = 8;
/** What a read-only store merges afresh for its answer: the buckets a writer would rebuild. */
const CHANGED = `SELECT DISTINCT operation_type, tool_name, bucket::text FROM toolperf_session_tools WHERE NOT folded
  UNION SELECT operation_type, tool_name, bucket::text FROM toolperf_tool_buckets WHERE stale`;
/** Buckets that lost a session (deleted, or a tool no longer in its report). */
const CLAIM_STALE = 'UPDATE toolperf_tool_buckets SET stale = false WHERE stale RETURNING operation_type, tool_name, bucket::text';
const KEYS = '(SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]))';
const BUCKET_MEMBERS = `SELECT operation_type, tool_name, bucket::text, state FROM toolperf_session_tools
  WHERE (operation_type, tool_name, bucket) IN ${KEYS}`;
const SAVE_BUCKETS = `INSERT INTO toolperf_tool_buckets (operation_type, tool_name, bucket, sessions, state, version)
  SELECT o, t, b, n, s, 1 FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::json[]) AS u(o, t, b, n, s)
  ON CONFLICT (operation_type, tool_name, bucket) DO UPDATE
  SET sessions = EXCLUDED.sessions, state = EXCLUDED.state, version = toolperf_tool_buckets.version + 1, stale = false
  RETURNING operation_type, tool_name, bucket::text, version::text`;
const RECENT_USES = `SELECT k.operation_type, k.tool_name, u.session_id, u.started_at, u.calls::float8 AS calls, u.errors::float8 AS errors, u.p50_ms, u.p95_ms
  FROM (SELECT DISTINCT operation_type, tool_name FROM toolperf_tool_buckets WHERE sessions > 0) k
  CROSS JOIN LATERAL (SELECT session_id, started_at, calls, errors, p50_ms, p95_ms FROM toolperf_session_tools s
    WHERE s.operation_type = k.operation_type AND s.tool_name = k.tool_name AND s.calls > 0
    ORDER BY s.started_at DESC, s.session_id DESC LIMIT $1) u`;

const keyOf = (row: BucketKey): string => `${row.operation_type}\u0000${row.tool_name}\u0000${row.bucket}`;
const toolOf = (row: { operation_type: string; tool_name: string }): string => `${row.operation_type}\u0000${row.tool_name}`;

/**
 * Per tool, the merged statistics of the sessions of each bucket (the sessions first written one
 * after another, 1,024 to a bucket: the sessions still being written share the newest buckets),
 * kept in `toolperf_tool_buckets` and rebuilt when read after a change: a writer only marks its
 * tool rows changed (no row that other writers share, so writers never wait for each other), and
 * the next reader, in one transaction, claims the changed rows, re-merges their buckets from the
 * tool rows and saves them. The totals of a tool are its buckets merged (by the caller); a reader
 * keeps the buckets it read, by version, and reads again only those that changed.
 */
export class ToolBuckets {
  private readonly states = new Map<string, { readonly version: string; readonly state: StatsState }>();

  /** `readOnly`: changed buckets are merged for the answer but not saved, and no row is marked. */
  constructor(
    private readonly pool: ConnectionPool,
    private readonly readOnly: boolean,
  ) {}

  async totals(recentPerTool: number): Promise<StoredToolTotals[]> {
    const rebuilt = new Map<string, Rebuilt>();
    // Until fewer than a transaction's worth are left: writers keep marking the newest buckets.
    for (let claimed = BUCKETS_PER_REBUILD; claimed >= BUCKETS_PER_REBUILD; ) {
      const batch = await this.pool.transaction((client) => rebuildChanged(client, !this.readOnly));
      for (const [key, entry] of batch) rebuilt.set(key, entry);
      claimed = this.readOnly ? 0 : batch.size;
    }
    // Kept as read: the next answer hands out the same state object while the bucket is unchanged.
    for (const [key, { version, state }] of rebuilt) if (version !== undefined) this.states.set(key, { version, state });
    const { rows } = await this.pool.query<BucketRow>('SELECT operation_type, tool_name, bucket::text, version::text, sessions::int FROM toolperf_tool_buckets');
    await this.readChanged(rows.filter((row) => row.sessions > 0 && !rebuilt.has(keyOf(row))));
    const recent = await this.recentUses(recentPerTool);
    const byTool = new Map<string, { operationType: string; toolName: string; sessions: number; parts: StatsState[] }>();
    const add = (row: BucketKey, sessions: number, state: StatsState | undefined): void => {
      if (sessions === 0 || state === undefined) return;
      let tool = byTool.get(toolOf(row));
      if (tool === undefined) byTool.set(toolOf(row), (tool = { operationType: row.operation_type, toolName: row.tool_name, sessions: 0, parts: [] }));
      tool.sessions += sessions;
      tool.parts.push(state);
    };
    const live = new Set<string>();
    for (const row of rows) {
      const key = keyOf(row);
      live.add(key);
      if (!rebuilt.has(key)) add(row, row.sessions, this.states.get(key)?.state);
    }
    for (const { row, sessions, state } of rebuilt.values()) add(row, sessions, state);
    for (const key of this.states.keys()) if (!live.has(key)) this.states.delete(key);
    return [...byTool.entries()].map(([key, tool]) => ({ ...tool, recent: recent.get(key) ?? [] }));
  }

  /** Reads the state of each bucket whose version this reader has not seen. */
  private async readChanged(rows: readonly BucketRow[]): Promise<void> {
    const changed = rows.filter((row) => this.states.get(keyOf(row))?.version !== row.version);
    if (changed.length === 0) return;
    const { rows: states } = await this.pool.query<BucketRow & { state: StatsState }>(
      `SELECT operation_type, tool_name, bucket::text, version::text, sessions::int, state FROM toolperf_tool_buckets WHERE (operation_type, tool_name, bucket) IN ${KEYS}`,
      columnsOf(changed),
    );
    for (const row of states) this.states.set(keyOf(row), { version: row.version, state: row.state });
  }

  private async recentUses(limit: number): Promise<Map<string, StoredToolUse[]>> {
    const { rows } = await this.pool.query<{ operation_type: string; tool_name: string; session_id: string; started_at: string; calls: number; errors: number; p50_ms: number; p95_ms: number }>(
      RECENT_USES,
      [Math.max(0, Math.floor(limit))],
    );
    const byTool = new Map<string, StoredToolUse[]>();
    // Newest first from SQL; the trend is oldest first.
    for (const row of rows.reverse()) {
      const key = toolOf(row);
      let uses = byTool.get(key);
      if (uses === undefined) byTool.set(key, (uses = []));
      uses.push({ sessionId: row.session_id, startedAt: row.started_at, calls: row.calls, errors: row.errors, p50Ms: row.p50_ms, p95Ms: row.p95_ms });
    }
    return byTool;
  }
}

interface Rebuilt {
  readonly row: BucketKey;
  readonly sessions: number;
  readonly state: StatsState;
  /** The version it was saved as (a writer's rebuild). */
  version?: string;
}

/**
 * Re-merges, in the caller's transaction, every bucket with a changed or removed member; `save`:
 * claims the changes and saves the buckets, else only reads them (a read-only store).
 */
async function rebuildChanged(client: Queryable, save: boolean): Promise<Map<string, Rebuilt>> {
  const claimed = save
    ? [...(await client.query<BucketKey>(CLAIM_CHANGED, [BUCKETS_PER_REBUILD])).rows, ...(await client.query<BucketKey>(CLAIM_STALE)).rows]
    : (await client.query<BucketKey>(CHANGED)).rows;
  const rebuilt = new Map<string, Rebuilt>();
  if (claimed.length === 0) return rebuilt;
  const keys = new Map(claimed.map((row) => [keyOf(row), row]));
  const members = new Map<string, StatsState[]>([...keys.keys()].map((key) => [key, []]));
  const { rows } = await client.query<BucketKey & { state: StatsState }>(BUCKET_MEMBERS, columnsOf([...keys.values()]));
  // Stored by this store from checked reports; one that would not merge is left out, not the bucket.
  for (const row of rows) if (sketchProblem(row.state.sketch, row.state.count) === undefined) members.get(keyOf(row))?.push(row.state);
  for (const [key, row] of keys) {
    const states = members.get(key) ?? [];
    rebuilt.set(key, { row, sessions: states.length, state: mergeStatsStates(states) });
  }
  if (!save) return rebuilt;
  const saved = [...rebuilt.values()];
  const { rows: versions } = await client.query<BucketKey & { version: string }>(SAVE_BUCKETS, [
    saved.map((s) => s.row.operation_type),
    saved.map((s) => s.row.tool_name),
    saved.map((s) => s.row.bucket),
    saved.map((s) => s.sessions),
    saved.map((s) => JSON.stringify(s.state)),
  ]);
  for (const row of versions) {
    const entry = rebuilt.get(keyOf(row));
    if (entry !== undefined) entry.version = row.version;
  }
  return rebuilt;
}

function columnsOf(keys: readonly BucketKey[]): [string[], string[], string[]] {
  return [keys.map((k) => k.operation_type), keys.map((k) => k.tool_name), keys.map((k) => k.bucket)];
}
