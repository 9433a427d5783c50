import { isPostgresUrl, redactStoreUrl } from '../util/store-url.js';
import type { Field, ObjectField, Output, Shape } from './fields.js';

/** One value that does not fit its field: where (keys from the block's root), the value, and what is allowed. */
export interface Problem {
  readonly path: readonly string[];
  readonly value: unknown;
  readonly message: string;
}

export type Validated<S extends Shape> =
  | { readonly ok: true; readonly value: Output<S> }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/**
 * Checks `input` against a block and fills the defaults. Every problem is reported, not only the
 * first, so that one run shows all that a config file needs fixed.
 */
export function validate<S extends Shape>(block: ObjectField<S>, input: unknown): Validated<S> {
  const problems: Problem[] = [];
  const value = check(block, input, [], problems);
  return problems.length === 0 ? { ok: true, value: value as Output<S> } : { ok: false, problems };
}

/** The value to output for `value`, or undefined after adding to `problems` what is wrong with it. */
function check(field: Field, value: unknown, path: readonly string[], problems: Problem[]): unknown {
  const fail = (message: string): undefined => {
    problems.push({ path, value, message });
    return undefined;
  };
  switch (field.kind) {
    case 'boolean':
      return typeof value === 'boolean' ? value : fail('expected true or false');
    case 'integer':
      return Number.isInteger(value) && (value as number) >= field.min && (value as number) <= field.max
        ? value
        : fail(`expected an integer from ${field.min} to ${field.max}`);
    case 'string':
      return typeof value === 'string' && value !== '' ? value : fail('expected a non-empty string');
    case 'url':
      return httpUrl(value) ?? fail('expected an http:// or https:// URL');
    case 'postgres-url':
      if (typeof value === 'string' && isPostgresUrl(value.trim())) return value.trim();
      // The value may hold a password: the error shows it without.
      problems.push({ path, value: typeof value === 'string' ? redactStoreUrl(value) : value, message: 'expected a postgres:// or postgresql:// URL (user, password, host, port, database)' });
      return undefined;
    case 'enum':
      return field.values.includes(value as string) ? value : fail(`expected one of ${field.values.map((v) => JSON.stringify(v)).join(', ')}`);
    case 'record':
      return isPlainObject(value) ? checkRecord(value, path, problems) : fail('expected an object mapping names to strings');
    case 'list':
      return Array.isArray(value) && value.length <= field.maxItems && value.every(isPlainObject)
        ? value.map((item: Record<string, unknown>) => ({ ...item }))
        : fail(`expected a list of at most ${field.maxItems} objects`);
    case 'object':
      return isPlainObject(value) ? checkObject(field.shape, value, path, problems) : fail('expected an object');
  }
}

function checkObject(shape: Shape, value: Record<string, unknown>, path: readonly string[], problems: Problem[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(shape)) {
    const given = value[key];
    // An absent key and one set to undefined are the same: the default, or nothing.
    if (given !== undefined) out[key] = check(field, given, [...path, key], problems);
    else if (field.kind === 'object') out[key] = check(field, {}, [...path, key], problems);
    else if ('default' in field && field.default !== undefined) out[key] = field.default;
  }
  const allowed = Object.keys(shape).join(', ');
  for (const key of Object.keys(value)) {
    // A misspelled key would otherwise be ignored silently and its setting lost.
    if (!Object.hasOwn(shape, key)) problems.push({ path: [...path, key], value: value[key], message: `unknown key; allowed: ${allowed}` });
  }
  return out;
}

function checkRecord(value: Record<string, unknown>, path: readonly string[], problems: Problem[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (key === '') problems.push({ path: [...path, key], value: entry, message: 'expected a non-empty name' });
    else if (typeof entry !== 'string') problems.push({ path: [...path, key], value: entry, message: 'expected a string' });
    else out[key] = entry;
  }
  return out;
}

/**
 * The URL as given, trimmed, if it is an absolute http(s) URL. `://` is required: the URL parser
 * would otherwise take `http:example.com` as `http://example.com/`.
 */
function httpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (!/^https?:\/\//i.test(trimmed)) return undefined;
  try {
    new URL(trimmed);
  } catch {
    return undefined;
  }
  return trimmed;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
