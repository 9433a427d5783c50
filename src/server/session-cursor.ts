import { DEFAULT_SESSION_SORT, SESSION_SORT_FIELDS, type SessionPosition, type SessionSort, type SessionSortField } from '../reports/session-query.js';
import { isValidSessionId } from '../util/session-id.js';

/** A cursor's content: the sort it was made for, and the last session of its page in that sort. */
export interface SessionCursor {
  readonly sort: SessionSort;
  readonly position: SessionPosition;
}

/**
 * The opaque `cursor` of the session list: the sort, and the last session of a page as its sort
 * value and ID, as base64url JSON. Clients must not build it; the server may change its form.
 */
export function encodeSessionCursor(sort: SessionSort, last: SessionPosition): string {
  return Buffer.from(JSON.stringify([sort.by, sort.order, last[sort.by], last.sessionId]), 'utf8').toString('base64url');
}

/** The cursor's sort and position, or undefined for a cursor this server did not make. */
export function decodeSessionCursor(cursor: string): SessionCursor | undefined {
  if (cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(decoded)) return undefined;
  // The form before sorts: [updatedAt, sessionId], newest first.
  const [by, order, value, sessionId] = decoded.length === 2 ? [DEFAULT_SESSION_SORT.by, DEFAULT_SESSION_SORT.order, ...decoded] : (decoded as unknown[]);
  if (decoded.length !== 2 && decoded.length !== 4) return undefined;
  if (!isSortField(by) || (order !== 'asc' && order !== 'desc') || !isValidSessionId(sessionId)) return undefined;
  if (!isSortValue(by, value)) return undefined;
  return { sort: { by, order }, position: { sessionId, [by]: value } };
}

function isSortField(value: unknown): value is SessionSortField {
  return (SESSION_SORT_FIELDS as readonly unknown[]).includes(value);
}

/** Times are ISO strings, counts and rates finite numbers. */
function isSortValue(field: SessionSortField, value: unknown): boolean {
  if (field === 'updatedAt' || field === 'startedAt') return typeof value === 'string' && value.length <= 64 && !Number.isNaN(Date.parse(value));
  return typeof value === 'number' && Number.isFinite(value);
}
