import type { StoredSessionReport } from '../../document/report.js';
import type { Queryable } from './connection-pool.js';
import { WriteConflict } from './retry.js';
import { SESSION_COLUMNS, SESSIONS_PER_BUCKET, sessionRow } from './session-row.js';

const COLUMN_LIST = SESSION_COLUMNS.join(', ');
const PLACEHOLDERS = SESSION_COLUMNS.map((_, i) => `$${i + 2}`).join(', ');
const ASSIGNMENTS = SESSION_COLUMNS.map((column, i) => `${column} = $${i + 2}`).join(', ');

const UPDATE_SESSION = `UPDATE toolperf_sessions SET ${ASSIGNMENTS}, version = version + 1, written_xid = pg_current_xact_id()
  WHERE session_id = $1 RETURNING version::text, seq::text`;
// A row another writer inserted meanwhile is not overwritten: the transaction runs again and merges into it.
const INSERT_SESSION = `INSERT INTO toolperf_sessions (session_id, ${COLUMN_LIST}, version, seq)
  VALUES ($1, ${PLACEHOLDERS}, 1, nextval('toolperf_session_seq'))
  ON CONFLICT (session_id) DO NOTHING RETURNING version::text, seq::text`;
const DELETE_TOOLS = `DELETE FROM toolperf_session_tools WHERE session_id = $1 RETURNING operation_type, tool_name, bucket::text`;
const INSERT_TOOLS = `INSERT INTO toolperf_session_tools
  (session_id, started_at, bucket, operation_type, tool_name, calls, errors, p50_ms, p95_ms, state)
  SELECT $1::text, $2::text, $3::bigint, * FROM unnest($4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::float8[], $9::float8[], $10::json[])`;
/** Buckets that lost a session's tool (a report replaced, a session deleted): rebuilt by the next trends query. */
const MARK_STALE = `INSERT INTO toolperf_tool_buckets (operation_type, tool_name, bucket, stale)
  SELECT *, true FROM unnest($1::text[], $2::text[], $3::bigint[])
  ON CONFLICT (operation_type, tool_name, bucket) DO UPDATE SET stale = true`;

interface RemovedTool {
  operation_type: string;
  tool_name: string;
  bucket: string;
}

/**
 * Writes `report` as the session's row and tool rows, in the caller's transaction. `existed`: the
 * caller holds the row's lock (`SELECT … FOR UPDATE` found it); else it is inserted, and a row
 * inserted by another writer meanwhile fails the write with `WriteConflict` (run it again).
 * Returns the row's new version.
 */
export async function writeSession(client: Queryable, report: StoredSessionReport, existed: boolean): Promise<string> {
  const { sessionId } = report;
  const row = sessionRow(report);
  const { rows } = await client.query<{ version: string; seq: string }>(existed ? UPDATE_SESSION : INSERT_SESSION, [sessionId, ...row.values]);
  const written = rows[0];
  if (written === undefined) throw new WriteConflict(`session ${sessionId} was written by another writer meanwhile`);
  const bucket = Math.floor(Number(written.seq) / SESSIONS_PER_BUCKET);
  const removed = existed ? (await client.query<RemovedTool>(DELETE_TOOLS, [sessionId])).rows : [];
  const { tools } = row;
  if (tools.operationTypes.length > 0) {
    await client.query(INSERT_TOOLS, [sessionId, report.startedAt, bucket, tools.operationTypes, tools.toolNames, tools.calls, tools.errors, tools.p50Ms, tools.p95Ms, tools.states]);
  }
  const kept = new Set(tools.operationTypes.map((type, i) => `${type}\u0000${tools.toolNames[i] as string}`));
  await markStale(client, removed.filter((r) => !kept.has(`${r.operation_type}\u0000${r.tool_name}`)));
  return written.version;
}

/** Deletes the session's row and tool rows in the caller's transaction, leaving a tombstone for other processes' listings. */
export async function deleteSession(client: Queryable, sessionId: string): Promise<void> {
  const removed = (await client.query<RemovedTool>(DELETE_TOOLS, [sessionId])).rows;
  await client.query('DELETE FROM toolperf_sessions WHERE session_id = $1', [sessionId]);
  await client.query('INSERT INTO toolperf_deleted_sessions (session_id) VALUES ($1)', [sessionId]);
  await markStale(client, removed);
}

/** Moves a stored report this version cannot read aside (`toolperf_set_aside`), in the caller's transaction. */
export async function setAsideSession(client: Queryable, sessionId: string, reason: string): Promise<void> {
  await client.query(
    'INSERT INTO toolperf_set_aside (session_id, report, reason) SELECT session_id, report::text, $2 FROM toolperf_sessions WHERE session_id = $1',
    [sessionId, reason],
  );
  await deleteSession(client, sessionId);
}

async function markStale(client: Queryable, removed: readonly RemovedTool[]): Promise<void> {
  if (removed.length === 0) return;
  await client.query(MARK_STALE, [removed.map((r) => r.operation_type), removed.map((r) => r.tool_name), removed.map((r) => r.bucket)]);
}
