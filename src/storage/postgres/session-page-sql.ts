import type { SessionSummary } from '../../document/report.js';
import type { SessionFilter, SessionSortField } from '../../document/session-list-query.js';
import type { StoredSessionPage, StoredSessionPageQuery } from '../report-store.js';
import type { Queryable } from './connection-pool.js';

/** The column of each sort field; times are ISO text compared as code units (COLLATE "C"), as in memory. */
const SORT_COLUMNS: { readonly [K in SessionSortField]: { readonly column: string; readonly type: 'text' | 'float8' } } = {
  updatedAt: { column: 'updated_at', type: 'text' },
  startedAt: { column: 'started_at', type: 'text' },
  calls: { column: 'calls', type: 'float8' },
  toolCalls: { column: 'tool_calls', type: 'float8' },
  errors: { column: 'errors', type: 'float8' },
  toolErrors: { column: 'tool_errors', type: 'float8' },
  durationMs: { column: 'duration_ms', type: 'float8' },
  errorRate: { column: 'error_rate', type: 'float8' },
};

/** Collects a statement's parameters, handing out their placeholders. */
class Parameters {
  readonly values: unknown[] = [];
  add(value: unknown, cast = ''): string {
    this.values.push(value);
    return `$${this.values.length}${cast}`;
  }
}

/** One SQL condition per filter field, as `PREDICATES` tests it in memory (`reports/session-query.ts`). */
const CONDITIONS: { readonly [K in keyof SessionFilter]-?: (value: NonNullable<SessionFilter[K]>, p: Parameters, query: StoredSessionPageQuery) => string } = {
  status: (statuses, p, { nowMs, idleAfterMs }) => {
    // Idle once `now - updated > idleAfterMs`: active while updated at or after this.
    let activeSince: string | undefined;
    const since = (): string => (activeSince ??= p.add(nowMs - idleAfterMs, '::float8'));
    const each = { ended: () => 'ended_at IS NOT NULL', active: () => `(ended_at IS NULL AND updated_ms >= ${since()})`, idle: () => `(ended_at IS NULL AND updated_ms < ${since()})` };
    const chosen = [...new Set(statuses)].map((status) => each[status]());
    return chosen.length === 0 ? 'false' : `(${chosen.join(' OR ')})`;
  },
  hasErrors: (want) => (want ? 'errors > 0' : 'errors = 0'),
  tool: (name, p) => `tools @> ARRAY[${p.add(name, '::text')}]`,
  since: (ms, p) => `updated_ms >= ${p.add(ms, '::float8')}`,
  until: (ms, p) => `updated_ms <= ${p.add(ms, '::float8')}`,
  // Session IDs are ASCII, where lower() and toLowerCase() agree; the needle is lowered here, as in memory.
  search: (text, p) => `strpos(lower(session_id), ${p.add(text.toLowerCase())}) > 0`,
  agent: (name, p) => `agent_name = ${p.add(name)}`,
};

/**
 * One page of the stored sessions in SQL: the filter as conditions, the sort (ties by session ID
 * ascending whatever the order, as in memory) on indexed columns for the times, the position as a
 * row comparison, and one row more than the page to know whether more follow.
 */
export async function selectSessionPage(client: Queryable, query: StoredSessionPageQuery): Promise<StoredSessionPage> {
  const p = new Parameters();
  const where: string[] = [];
  for (const key of Object.keys(CONDITIONS) as (keyof SessionFilter)[]) {
    const value = query.filter[key];
    if (value === undefined) continue;
    where.push((CONDITIONS[key] as (v: typeof value, p: Parameters, q: StoredSessionPageQuery) => string)(value, p, query));
  }
  if (query.exclude.length > 0) where.push(`session_id <> ALL(${p.add(query.exclude, '::text[]')})`);
  const { column, type } = SORT_COLUMNS[query.sort.by];
  const desc = query.sort.order === 'desc';
  if (query.after !== undefined) {
    const value = p.add(query.after[query.sort.by], `::${type}`);
    const id = p.add(query.after.sessionId, '::text');
    where.push(`(${column} ${desc ? '<' : '>'} ${value} OR (${column} = ${value} AND session_id > ${id}))`);
  }
  const finite = Number.isFinite(query.limit);
  const limit = finite ? ` LIMIT ${p.add(Math.max(0, Math.floor(query.limit)) + 1, '::bigint')}` : '';
  const sql = `SELECT summary FROM toolperf_sessions${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}
    ORDER BY ${column} ${desc ? 'DESC' : 'ASC'}, session_id ASC${limit}`;
  const { rows } = await client.query<{ summary: SessionSummary }>(sql, p.values);
  const hasMore = finite && rows.length > query.limit;
  return { sessions: (hasMore ? rows.slice(0, query.limit) : rows).map((row) => row.summary), hasMore };
}
