import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { apiError } from './api-error.js';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Requires `Authorization: Bearer <token>`. Both sides are hashed first, so the comparison is
 * constant-time over equal-length digests and says nothing of the token's length.
 */
export function requireBearerToken(token: string): MiddlewareHandler {
  const expected = digest(token);
  return async (c, next) => {
    const presented = BEARER.exec(c.req.header('authorization') ?? '')?.[1];
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      c.header('WWW-Authenticate', 'Bearer');
      return apiError(c, 401, 'unauthorized', 'missing or wrong bearer token: send "Authorization: Bearer <TOOLPERF_API_TOKEN>"');
    }
    await next();
    return undefined;
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
