import type { AlertKind } from '../../document/report.js';
import { ALERT_KINDS } from '../../document/report.js';
import { DEFAULT_ALERT_RULES, DEFAULT_MIN_DELTA_MS } from './default-rules.js';

/** A rule as written in config (`performance.alerts.rules`) or passed to `createReports`. */
export interface AlertRuleInput {
  /** Names the rule in alerts. Default `<kind>:<tools>`. A rule named like a default rule replaces it. */
  readonly name?: string;
  readonly kind: AlertKind;
  /** Tool names or globs (`*` any run of characters, `?` one), matched case-insensitively. Default every tool. */
  readonly tools?: string | readonly string[];
  /** The operation type whose calls it watches. Default `tool-execution`. */
  readonly operationType?: string;
  /** Default true; false turns the rule (or the default rule of its name) off. */
  readonly enabled?: boolean;
  /** `slow-call`: a call longer fires; `hung-call`: a call still running this long fires. */
  readonly thresholdMs?: number;
  /** `error-rate`: the error rate (0 to 1) above which it fires. */
  readonly threshold?: number;
  /** `error-rate`, `regression`: calls the session needs (and, for a regression, its baseline too). */
  readonly minCalls?: number;
  /** `error-rate`: the rate over the tool's last N calls (of the session's recent calls) rather than the whole session. */
  readonly windowCalls?: number;
  /** `regression`: the baseline is the tool's last N stored sessions. */
  readonly baselineSessions?: number;
  /** `regression`: fewer sessions with the tool than this are no baseline. */
  readonly minBaselineSessions?: number;
  /** `regression`: the session's p50 over the baseline's must be at least this. */
  readonly minRatio?: number;
  /** `regression`: the rank test's p-value must be under this. */
  readonly maxPValue?: number;
  /** `regression`: the session's p50 must also be at least this many milliseconds above the baseline's. */
  readonly minDeltaMs?: number;
}

interface RuleBase {
  readonly name: string;
  readonly tools: readonly string[];
  readonly operationType: string;
}
export interface SlowCallRule extends RuleBase {
  readonly kind: 'slow-call';
  readonly thresholdMs: number;
}
export interface HungCallRule extends RuleBase {
  readonly kind: 'hung-call';
  readonly thresholdMs: number;
}
export interface RegressionRule extends RuleBase {
  readonly kind: 'regression';
  readonly baselineSessions: number;
  readonly minBaselineSessions: number;
  readonly minCalls: number;
  readonly minRatio: number;
  readonly maxPValue: number;
  readonly minDeltaMs: number;
}
export interface ErrorRateRule extends RuleBase {
  readonly kind: 'error-rate';
  readonly threshold: number;
  readonly minCalls: number;
  readonly windowCalls: number | undefined;
}
/** A checked rule, every default filled in. */
export type AlertRule = SlowCallRule | HungCallRule | RegressionRule | ErrorRateRule;

/** Where alerts are POSTed (see `AlertWebhook`). */
export interface AlertWebhookOptions {
  readonly url?: string;
  /** Sent with every POST (e.g. an authorization header). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Longest wait for one POST. Default 5 s. */
  readonly timeoutMs?: number;
  /** Tries after the first, with exponential backoff (1 s, 2 s, 4 s, ... up to 60 s). Default 5. */
  readonly maxRetries?: number;
  /** Alerts waiting to be sent; past it new ones are dropped (counted, logged once per streak). Default 1000. */
  readonly maxQueue?: number;
}

/** The alerts of `createReports` (and of the config's `performance.alerts`). */
export interface AlertsOptions {
  /** Default true; false evaluates no rule at all. */
  readonly enabled?: boolean;
  /** Evaluate the shipped default rules (hung calls, large regressions; see `DEFAULT_ALERT_RULES`). Default true. */
  readonly defaultRules?: boolean;
  readonly rules?: readonly AlertRuleInput[];
  /** An alert that resolved does not fire again within this long of its last firing (counted as suppressed). Default 10 minutes. */
  readonly cooldownMs?: number;
  readonly webhook?: AlertWebhookOptions;
}

/** `AlertsOptions` checked, with defaults filled in and the default rules merged with the user's. */
export interface ResolvedAlerts {
  readonly rules: readonly AlertRule[];
  readonly cooldownMs: number;
  readonly webhook: Required<Omit<AlertWebhookOptions, 'url'>> & { readonly url: string | undefined };
}

/** One bad value of an alerts block: its dotted key (from `prefix`), the value, and what is allowed. */
export interface AlertOptionProblem {
  readonly key: string;
  readonly value: unknown;
  readonly message: string;
}

/** Alerts options that are not allowed; `problems` names each key and value. */
export class AlertOptionsError extends TypeError {
  override readonly name = 'AlertOptionsError';
  constructor(readonly problems: readonly AlertOptionProblem[]) {
    super(`invalid alerts options:\n${problems.map((p) => `  ${p.key} = ${show(p.value)}: ${p.message}`).join('\n')}`);
  }
}

const WEEK_MS = 7 * 86_400_000;
export const DEFAULT_COOLDOWN_MS = 10 * 60_000;

/** Keys each kind allows beyond `name`, `kind`, `tools`, `operationType`, `enabled`. */
const KIND_KEYS: Record<AlertKind, readonly string[]> = {
  'slow-call': ['thresholdMs'],
  'hung-call': ['thresholdMs'],
  regression: ['baselineSessions', 'minBaselineSessions', 'minCalls', 'minRatio', 'maxPValue', 'minDeltaMs'],
  'error-rate': ['threshold', 'minCalls', 'windowCalls'],
};
const COMMON_KEYS = ['name', 'kind', 'tools', 'operationType', 'enabled'];

/**
 * Checks alerts options (from config or code) and fills in the defaults; throws
 * `AlertOptionsError` naming every bad key (as `<prefix>.rules[2].thresholdMs`) and value.
 * Undefined when alerts are off (`enabled: false`, or no rule left).
 */
export function resolveAlerts(options: AlertsOptions | undefined, prefix = 'alerts'): ResolvedAlerts | undefined {
  const problems: AlertOptionProblem[] = [];
  const given = (options ?? {}) as Record<string, unknown>;
  const problem = (key: string, value: unknown, message: string): void => void problems.push({ key: `${prefix}.${key}`, value, message });
  const enabled = given.enabled ?? true;
  if (typeof enabled !== 'boolean') problem('enabled', enabled, 'expected true or false');
  const useDefaults = given.defaultRules ?? true;
  if (typeof useDefaults !== 'boolean') problem('defaultRules', useDefaults, 'expected true or false');
  const cooldownMs = integerOf(given.cooldownMs, DEFAULT_COOLDOWN_MS, 0, WEEK_MS, 'cooldownMs', problem);
  const webhook = webhookOf(given.webhook, problem);
  const ownRules: AlertRule[] = [];
  const disabled = new Set<string>();
  const rules = given.rules ?? [];
  if (!Array.isArray(rules)) problem('rules', rules, 'expected a list of rules');
  else {
    rules.forEach((input: unknown, index) => {
      const at = (key: string, value: unknown, message: string): void => problem(`rules[${index}]${key === '' ? '' : `.${key}`}`, value, message);
      const checked = ruleOf(input, at);
      if (checked === undefined) return;
      if (checked.enabled) ownRules.push(checked.rule);
      else disabled.add(checked.rule.name);
    });
  }
  if (problems.length > 0) throw new AlertOptionsError(problems);
  if (enabled === false) return undefined;
  const named = new Set([...disabled, ...ownRules.map((rule) => rule.name)]);
  const defaults = useDefaults === false ? [] : DEFAULT_ALERT_RULES.filter((rule) => !named.has(rule.name));
  // The user's rules come first: for each kind, the first rule matching a tool is the one it gets.
  const all = [...ownRules, ...defaults];
  return all.length === 0 ? undefined : { rules: all, cooldownMs, webhook };
}

type ProblemAt = (key: string, value: unknown, message: string) => void;

function ruleOf(input: unknown, problem: ProblemAt): { rule: AlertRule; enabled: boolean } | undefined {
  if (!isPlainObject(input)) return void problem('', input, 'expected a rule object ({ "kind": ..., ... })');
  const kind = input.kind as AlertKind;
  if (!ALERT_KINDS.includes(kind)) return void problem('kind', input.kind, `expected one of ${ALERT_KINDS.map((k) => JSON.stringify(k)).join(', ')}`);
  const allowed = [...COMMON_KEYS, ...KIND_KEYS[kind]];
  for (const key of Object.keys(input)) if (!allowed.includes(key)) problem(key, input[key], `unknown key for a ${kind} rule; allowed: ${allowed.join(', ')}`);
  const tools = toolsOf(input.tools, problem);
  const operationType = input.operationType ?? 'tool-execution';
  if (!isName(operationType)) problem('operationType', operationType, 'expected a non-empty string of at most 256 characters');
  const name = input.name ?? `${kind}:${tools.join(',')}`;
  if (!isName(name, 128)) problem('name', input.name, 'expected a non-empty string of at most 128 characters');
  const enabled = input.enabled ?? true;
  if (typeof enabled !== 'boolean') problem('enabled', enabled, 'expected true or false');
  const base = { name: name as string, tools, operationType: operationType as string };
  const int = (key: string, fallback: number | undefined, min: number, max: number): number => integerOf(input[key], fallback, min, max, key, problem);
  const num = (key: string, fallback: number, min: number, max: number): number => numberOf(input[key], fallback, min, max, key, problem);
  let rule: AlertRule;
  switch (kind) {
    case 'slow-call':
    case 'hung-call':
      rule = { ...base, kind, thresholdMs: int('thresholdMs', undefined, 1, WEEK_MS) };
      break;
    case 'regression':
      rule = {
        ...base,
        kind,
        baselineSessions: int('baselineSessions', 10, 1, 100),
        minBaselineSessions: int('minBaselineSessions', 3, 1, 100),
        minCalls: int('minCalls', 30, 10, 1_000_000),
        minRatio: num('minRatio', 2, 1.05, 1000),
        maxPValue: num('maxPValue', 0.01, 1e-12, 0.2),
        minDeltaMs: num('minDeltaMs', DEFAULT_MIN_DELTA_MS, 0, WEEK_MS),
      };
      break;
    case 'error-rate':
      rule = {
        ...base,
        kind,
        threshold: num('threshold', 0.5, 0, 1),
        minCalls: int('minCalls', 10, 1, 1_000_000),
        windowCalls: input.windowCalls === undefined ? undefined : int('windowCalls', undefined, 1, 1_000_000),
      };
      break;
  }
  return { rule, enabled: enabled === true };
}

function toolsOf(value: unknown, problem: ProblemAt): string[] {
  if (value === undefined) return ['*'];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.length > 256 || !list.every((tool) => isName(tool))) {
    problem('tools', value, 'expected a tool name or glob, or a list of 1 to 256 of them');
    return ['*'];
  }
  return list as string[];
}

function webhookOf(value: unknown, problem: ProblemAt): ResolvedAlerts['webhook'] {
  const given = value ?? {};
  if (!isPlainObject(given)) {
    problem('webhook', value, 'expected an object ({ "url": ..., "headers": ... })');
    return { url: undefined, headers: {}, timeoutMs: 5000, maxRetries: 5, maxQueue: 1000 };
  }
  const allowed = ['url', 'headers', 'timeoutMs', 'maxRetries', 'maxQueue'];
  for (const key of Object.keys(given)) if (!allowed.includes(key)) problem(`webhook.${key}`, given[key], `unknown key; allowed: ${allowed.join(', ')}`);
  const url = given.url;
  if (url !== undefined && !(typeof url === 'string' && /^https?:\/\/[^/]/i.test(url) && URL.canParse(url))) problem('webhook.url', url, 'expected an http:// or https:// URL');
  const headers = given.headers ?? {};
  if (!isPlainObject(headers) || !Object.entries(headers).every(([name, v]) => name !== '' && typeof v === 'string')) {
    problem('webhook.headers', headers, 'expected an object mapping header names to strings');
  }
  const at = (key: string, v: unknown, message: string): void => problem(`webhook.${key}`, v, message);
  return {
    url: url as string | undefined,
    headers: headers as Record<string, string>,
    timeoutMs: integerOf(given.timeoutMs, 5000, 1, 600_000, 'timeoutMs', at),
    maxRetries: integerOf(given.maxRetries, 5, 0, 100, 'maxRetries', at),
    maxQueue: integerOf(given.maxQueue, 1000, 1, 1_000_000, 'maxQueue', at),
  };
}

function integerOf(value: unknown, fallback: number | undefined, min: number, max: number, key: string, problem: ProblemAt): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (Number.isInteger(value) && (value as number) >= min && (value as number) <= max) return value as number;
  problem(key, value, `expected an integer from ${min} to ${max}`);
  return fallback ?? min;
}

function numberOf(value: unknown, fallback: number, min: number, max: number, key: string, problem: ProblemAt): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && value >= min && value <= max) return value;
  problem(key, value, `expected a number from ${min} to ${max}`);
  return fallback;
}

function isName(value: unknown, max = 256): value is string {
  return typeof value === 'string' && value !== '' && value.length <= max;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  if (value === undefined) return '(missing)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}
