import { ERROR_TYPE_OTHER } from '../telemetry/semconv.js';

/**
 * A low-cardinality `error.type` for a thrown value: a system error's code (`ENOENT`), else the
 * error's name (`TypeError`, `AbortError`), else `_OTHER`.
 */
export function errorTypeOf(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { code, name } = error as { code?: unknown; name?: unknown };
    if (typeof code === 'string' && /^E[A-Z0-9_]+$/.test(code)) return code;
    if (typeof name === 'string' && name !== '' && name.length <= 64) return name;
  }
  return ERROR_TYPE_OTHER;
}

export function errorMessageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  return String(error);
}
