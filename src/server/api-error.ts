import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The `code` of an error answer; see the `error` object in `/openapi.json`. */
export type ApiErrorCode =
  | 'not_found'
  | 'invalid_request'
  | 'unauthorized'
  | 'forbidden'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'internal';

export interface ApiErrorBody {
  readonly error: { readonly code: ApiErrorCode; readonly message: string };
}

/** Every error answer of the report server: a status and `{ error: { code, message } }`, never a stack. */
export function apiError<S extends ContentfulStatusCode>(c: Context, status: S, code: ApiErrorCode, message: string) {
  const body: ApiErrorBody = { error: { code, message } };
  return c.json(body, status);
}
