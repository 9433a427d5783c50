import { summarize, type SessionReport, type SessionSummary } from '../document/report.js';
import { isValidSessionId } from '../util/session-id.js';
import { MAX_NAME_LENGTH } from '../util/input-limits.js';

/** One tool's figures in one session, as the cross-session tool view needs them (no sketch). */
export interface ToolDigest {
  readonly operationType: string;
  readonly toolName: string;
  readonly calls: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
}

/**
 * A stored session in a few hundred bytes: its list line and per-tool figures. Stores that keep
 * digests hand out the same object while a report is unchanged, so callers may cache by identity.
 */
export interface SessionDigest {
  readonly summary: SessionSummary;
  readonly tools: readonly ToolDigest[];
}

export function digestOf(report: SessionReport): SessionDigest {
  const tools: ToolDigest[] = [];
  for (const [operationType, operation] of Object.entries(report.operations)) {
    for (const [toolName, stats] of Object.entries(operation.tools)) {
      tools.push({ operationType, toolName, calls: stats.count, errors: stats.errors, p50Ms: stats.p50Ms, p95Ms: stats.p95Ms });
    }
  }
  return { summary: summarize(report), tools };
}

type FieldChecks<T> = { readonly [K in keyof T]-?: (value: unknown) => boolean };

/**
 * How a digest read back from a file is checked, field by field, without loading zod (listing is
 * the CLI's hot path). Every field of `SessionSummary` must have its check here (the type says so):
 * a field added to `summarize()` and the schema is one line here. The list of fields is also the
 * digest's format: a digest written with other fields is rebuilt from its report, not trusted.
 */
const SUMMARY_CHECKS: FieldChecks<SessionSummary> = {
  sessionId: isValidSessionId,
  startedAt: isIsoTime,
  updatedAt: isIsoTime,
  endedAt: (value) => value === undefined || isIsoTime(value),
  calls: isCount,
  errors: isCount,
};

const TOOL_CHECKS: FieldChecks<ToolDigest> = {
  operationType: isName,
  toolName: isName,
  calls: isCount,
  errors: isCount,
  p50Ms: isFiniteNumber,
  p95Ms: isFiniteNumber,
};

/** 32 operation types of 256 tools each: the most a report holds (`session-aggregate.ts`). */
const MAX_TOOLS = 32 * 256;

/** The fields of the digests this version writes and reads. */
export const DIGEST_FORMAT = `${Object.keys(SUMMARY_CHECKS).join(' ')}; ${Object.keys(TOOL_CHECKS).join(' ')}`;

const TOOL_FIELDS = Object.keys(TOOL_CHECKS) as (keyof ToolDigest)[];

/** A digest as a report file stores it: each tool as an array of its fields, in `DIGEST_FORMAT`'s order (a third of the bytes). */
export interface StoredDigest {
  readonly format: string;
  readonly summary: SessionSummary;
  readonly tools: readonly (readonly unknown[])[];
}

export function storedDigest(digest: SessionDigest): StoredDigest {
  return { format: DIGEST_FORMAT, summary: digest.summary, tools: digest.tools.map((tool) => TOOL_FIELDS.map((key) => tool[key])) };
}

/**
 * `value` as the digest of `sessionId`'s report if it is a `StoredDigest` of this version's format,
 * else undefined. Only the known fields are copied, each checked.
 */
export function checkedDigest(value: unknown, sessionId: string): SessionDigest | undefined {
  if (!isRecord(value) || value.format !== DIGEST_FORMAT || !Array.isArray(value.tools) || value.tools.length > MAX_TOOLS) return undefined;
  const summary = checkedFields(value.summary, SUMMARY_CHECKS);
  if (summary === undefined || summary.sessionId !== sessionId) return undefined;
  const tools: ToolDigest[] = [];
  for (const tool of value.tools as unknown[]) {
    if (!Array.isArray(tool) || tool.length !== TOOL_FIELDS.length) return undefined;
    const checked = checkedFields(Object.fromEntries(TOOL_FIELDS.map((key, i) => [key, tool[i]])), TOOL_CHECKS);
    if (checked === undefined) return undefined;
    tools.push(checked);
  }
  return { summary, tools };
}

function checkedFields<T>(value: unknown, checks: FieldChecks<T>): T | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) if (!Object.hasOwn(checks, key)) return undefined;
  for (const [key, check] of Object.entries(checks) as [string, (v: unknown) => boolean][]) {
    const field = value[key];
    if (!check(field)) return undefined;
    if (field !== undefined) out[key] = field;
  }
  return out as T;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

function isIsoTime(value: unknown): boolean {
  return typeof value === 'string' && ISO_TIME.test(value) && Number.isFinite(Date.parse(value));
}

function isCount(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isFiniteNumber(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value);
}

function isName(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_NAME_LENGTH;
}
