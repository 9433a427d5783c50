import type { AlertRule, ErrorRateRule, HungCallRule, RegressionRule, SlowCallRule } from './alert-rules.js';

/** The rules that apply to one tool: for each kind, the first rule whose globs match it. */
export interface ToolRules {
  readonly slow: SlowCallRule | undefined;
  readonly hung: HungCallRule | undefined;
  readonly regression: RegressionRule | undefined;
  readonly errorRate: ErrorRateRule | undefined;
}

const NONE: ToolRules = { slow: undefined, hung: undefined, regression: undefined, errorRate: undefined };
/** Tools remembered per operation type; past it the cache starts over (names come from outside too). */
const MAX_CACHED_TOOLS = 4096;

/**
 * The rules, with each tool's decision made once and cached by operation type and name: a folded
 * call costs two map lookups, never a glob match.
 */
export class RuleIndex {
  private readonly compiled: { readonly rule: AlertRule; readonly patterns: readonly RegExp[] }[];
  private readonly cache = new Map<string, Map<string, ToolRules>>();
  /** Whether any rule of the kind exists at all, so a caller can skip its work. */
  readonly hasHung: boolean;
  readonly hasRegression: boolean;
  readonly hasErrorRate: boolean;

  constructor(readonly rules: readonly AlertRule[]) {
    this.compiled = rules.map((rule) => ({ rule, patterns: rule.tools.map(globPattern) }));
    this.hasHung = rules.some((rule) => rule.kind === 'hung-call');
    this.hasRegression = rules.some((rule) => rule.kind === 'regression');
    this.hasErrorRate = rules.some((rule) => rule.kind === 'error-rate');
  }

  /** Hot: once per folded call. */
  forTool(operationType: string, toolName: string): ToolRules {
    let tools = this.cache.get(operationType);
    if (tools === undefined) {
      if (this.cache.size >= 64) this.cache.clear();
      this.cache.set(operationType, (tools = new Map()));
    }
    let decision = tools.get(toolName);
    if (decision === undefined) {
      if (tools.size >= MAX_CACHED_TOOLS) tools.clear();
      tools.set(toolName, (decision = this.decide(operationType, toolName)));
    }
    return decision;
  }

  private decide(operationType: string, toolName: string): ToolRules {
    const first = <K extends AlertRule['kind']>(kind: K): Extract<AlertRule, { kind: K }> | undefined =>
      this.compiled.find(({ rule, patterns }) => rule.kind === kind && rule.operationType === operationType && patterns.some((p) => p.test(toolName)))?.rule as
        | Extract<AlertRule, { kind: K }>
        | undefined;
    const decision = { slow: first('slow-call'), hung: first('hung-call'), regression: first('regression'), errorRate: first('error-rate') };
    return decision.slow || decision.hung || decision.regression || decision.errorRate ? decision : NONE;
  }
}

/** A glob as an anchored, case-insensitive pattern: `*` any run of characters, `?` one, the rest literal. */
export function globPattern(glob: string): RegExp {
  const source = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'is');
}
