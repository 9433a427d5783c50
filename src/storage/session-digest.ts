import { summarize, type SessionReport, type SessionSummary } from '../document/report.js';
import { isValidSessionId } from '../util/session-id.js';
import { MAX_NAME_LENGTH } from '../util/input-limits.js';
import { MAX_SUMMARY_TOOLS } from '../document/session-summary.js';

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
  agent: (value) => value === undefined || isAgent(value),
  toolCalls: isCount,
  toolErrors: isCount,
  errorRate: (value) => isFiniteNumber(value) && (value as number) >= 0 && (value as number) <= 1,
  durationMs: (value) => isFiniteNumber(value) && (value as number) >= 0,
  tools: (value) => Array.isArray(value) && value.length <= MAX_SUMMARY_TOOLS && value.every(isName),
  alerts: (value) => value === undefined || isCount(value),
  firingAlerts: (value) => value === undefined || isCount(value),
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

/** The fields of the digests this version writes and reads, in order. */
export const DIGEST_FIELDS = `${Object.keys(SUMMARY_CHECKS).join(' ')}; ${Object.keys(TOOL_CHECKS).join(' ')}`;
/** What a file carries of `DIGEST_FIELDS`: a hash (FNV-1a), 8 hex digits where the list was 190 characters. */
export const DIGEST_FORMAT = fnv1a(DIGEST_FIELDS);

const SUMMARY_FIELDS = Object.entries(SUMMARY_CHECKS) as [keyof SessionSummary, (value: unknown) => boolean][];
const TOOL_FIELDS = Object.entries(TOOL_CHECKS) as [keyof ToolDigest, (value: unknown) => boolean][];

/**
 * A digest as a report file stores it: each tool's figures as an array of its fields, in
 * `DIGEST_FIELDS`' order (a third of the bytes), under a name of their own (the summary has `tools`).
 */
export interface StoredDigest {
  readonly format: string;
  readonly summary: SessionSummary;
  readonly toolFigures: readonly (readonly unknown[])[];
}

export function storedDigest(digest: SessionDigest): StoredDigest {
  return { format: DIGEST_FORMAT, summary: digest.summary, toolFigures: digest.tools.map((tool) => TOOL_FIELDS.map(([key]) => tool[key])) };
}

/**
 * `value` (parsed JSON) as the summary of `sessionId`'s report, else undefined: every field checked,
 * none unknown. Allocates nothing: a listing checks thousands.
 */
export function checkedSummary(value: unknown, sessionId: string): SessionSummary | undefined {
  if (!isRecord(value) || value.sessionId !== sessionId) return undefined;
  let known = 0;
  for (const [key, check] of SUMMARY_FIELDS) {
    const field = value[key];
    if (!check(field)) return undefined;
    if (field !== undefined) known++;
  }
  // Parsed JSON holds only own keys (`__proto__` included, which is no field): counting them finds an unknown one.
  return Object.keys(value).length === known ? (value as SessionSummary) : undefined;
}

/** `value` (parsed JSON: `StoredDigest.toolFigures`) as tool digests, each field checked; undefined if it is not that. */
export function checkedTools(value: unknown): ToolDigest[] | undefined {
  if (!Array.isArray(value) || value.length > MAX_TOOLS) return undefined;
  const tools: ToolDigest[] = [];
  for (const tuple of value as unknown[]) {
    if (!Array.isArray(tuple) || tuple.length !== TOOL_FIELDS.length) return undefined;
    const tool: Record<string, unknown> = {};
    for (let i = 0; i < TOOL_FIELDS.length; i++) {
      const [key, check] = TOOL_FIELDS[i] as [keyof ToolDigest, (value: unknown) => boolean];
      if (!check(tuple[i])) return undefined;
      tool[key] = tuple[i];
    }
    tools.push(tool as unknown as ToolDigest);
  }
  return tools;
}

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

function isIsoTime(value: unknown): boolean {
  return typeof value === 'string' && ISO_TIME.test(value) && Number.isFinite(Date.parse(value));
}

/** `{ name, version? }`, as `agentInfo` in the schema: names of 1 to 256 characters, nothing else. */
function isAgent(value: unknown): boolean {
  if (!isRecord(value) || !isName(value.name)) return false;
  const keys = Object.keys(value).length;
  return value.version === undefined ? keys === 1 : keys === 2 && typeof value.version === 'string' && value.version.length <= MAX_NAME_LENGTH;
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
