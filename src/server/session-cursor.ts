import type { SessionPosition } from '../reports/session-listing.js';
import { isValidSessionId } from '../util/session-id.js';

/**
 * The opaque `cursor` of the session list: the position of the last session of a page, as
 * base64url JSON. Clients must not build it; the server may change its form.
 */
export function encodeSessionCursor(position: SessionPosition): string {
  return Buffer.from(JSON.stringify([position.updatedAt, position.sessionId]), 'utf8').toString('base64url');
}

/** The position, or undefined for a cursor this server did not make. */
export function decodeSessionCursor(cursor: string): SessionPosition | undefined {
  if (cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) return undefined;
  const [updatedAt, sessionId] = decoded as unknown[];
  if (typeof updatedAt !== 'string' || Number.isNaN(Date.parse(updatedAt)) || !isValidSessionId(sessionId)) return undefined;
  return { updatedAt, sessionId };
}
