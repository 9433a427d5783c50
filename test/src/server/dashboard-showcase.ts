import type { AgentInfo, CallRecord } from '../../../src/reports/call-record.js';
import type { Reports } from '../../../src/reports/reports.js';
import { prng } from '../../helpers/prng.js';

/**
 * Agent sessions as the dashboard's screenshots and explore tests see them: LLM turns, each
 * followed by a batch of tool calls that run in parallel, with realistic durations (a read takes
 * milliseconds, a test run tens of seconds), failures with their messages, and trace IDs. At fixed
 * times in the past and from a seeded PRNG, so every run draws the same pages.
 */

/** Mon 23 Nov 2026, 09:00 UTC: the first showcase session's start. */
export const SHOWCASE_T0 = Date.UTC(2026, 10, 23, 9, 0, 0);

interface ToolProfile {
  /** How often the model picks the tool, relative to the others. */
  readonly weight: number;
  /** Median duration, ms. */
  readonly median: number;
  /** Spread of the log-normal duration. */
  readonly sigma: number;
  readonly failRate: number;
  readonly failure?: { readonly type: string; readonly messages: readonly string[] };
}

const TOOLS: Readonly<Record<string, ToolProfile>> = {
  Read: { weight: 3, median: 6, sigma: 0.8, failRate: 0.06, failure: { type: 'file_not_found', messages: ["ENOENT: no such file or directory, open '/home/dev/shop/src/auth/legacy-session.ts'", "ENOENT: no such file or directory, open '/home/dev/shop/src/config/oauth.json'"] } },
  Grep: { weight: 2, median: 28, sigma: 0.7, failRate: 0 },
  Glob: { weight: 1, median: 9, sigma: 0.6, failRate: 0 },
  Edit: { weight: 2, median: 4, sigma: 0.5, failRate: 0.1, failure: { type: 'invalid_arguments', messages: ['old_string not found in src/auth/session.ts: the text to replace must match the file exactly, including whitespace'] } },
  Bash: {
    weight: 3,
    median: 900,
    sigma: 0.7,
    failRate: 0.18,
    failure: {
      type: 'nonzero_exit',
      messages: [
        'Command failed with exit code 1: npm test -- auth\n FAIL  test/auth/session.test.ts > refresh token > expires after 15 minutes\n   AssertionError: expected 401, received 200',
        'Command failed with exit code 2: npx tsc --noEmit\nsrc/auth/session.ts(42,7): error TS2322: Type \'string | undefined\' is not assignable to type \'string\'.',
      ],
    },
  },
  WebFetch: { weight: 1, median: 650, sigma: 0.6, failRate: 0.15, failure: { type: 'timeout', messages: ['Request timed out after 30000 ms: GET https://datatracker.ietf.org/doc/html/rfc6749#section-6'] } },
};

export interface ShowcaseSession {
  readonly sessionId: string;
  readonly agent?: AgentInfo;
  readonly startMs: number;
  readonly turns: number;
  readonly seed: number;
  /** Multiplies Bash's durations: a slower session to compare with. */
  readonly bashFactor?: number;
  /** Which tools the session uses. */
  readonly tools?: readonly string[];
  /** Whether its calls include the model's (an agent's session does; a host's wrapped tools do not). */
  readonly llm?: boolean;
  readonly ended: boolean;
}

export const SHOWCASE_SESSIONS: readonly ShowcaseSession[] = [
  { sessionId: 'ses_refactor_auth', agent: { name: 'claude-code', version: '2.1.3' }, startMs: SHOWCASE_T0 + 26 * 3_600_000, turns: 60, seed: 7, bashFactor: 3, ended: true },
  { sessionId: 'ses_fix_flaky_test', agent: { name: 'claude-code', version: '2.1.3' }, startMs: SHOWCASE_T0 + 4 * 3_600_000, turns: 60, seed: 11, ended: true },
  { sessionId: 'ses_docs_pass', agent: { name: 'gemini-cli', version: '0.21.0' }, startMs: SHOWCASE_T0 + 30 * 3_600_000, turns: 8, seed: 3, tools: ['Read', 'Glob', 'Edit'], ended: false },
  { sessionId: 'ses_wrapped_tools', startMs: SHOWCASE_T0, turns: 12, seed: 5, tools: ['Read', 'Grep', 'Bash'], llm: false, ended: true },
  { sessionId: 'ses_codex_migration', agent: { name: 'codex', version: '0.63.0' }, startMs: SHOWCASE_T0 + 50 * 3_600_000, turns: 14, seed: 13, tools: ['Read', 'Bash', 'Edit'], ended: true },
];

function hex(next: () => number, digits: number): string {
  let out = '';
  for (let i = 0; i < digits; i++) out += Math.floor(next() * 16).toString(16);
  return out;
}

/** A log-normal duration with this median and spread. */
function duration(next: () => number, median: number, sigma: number): number {
  const u = Math.max(1e-9, next());
  const v = next();
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.round(median * Math.exp(sigma * normal) * 1000) / 1000;
}

/** A tool name, drawn by the tools' weights. */
function pick(next: () => number, names: readonly string[]): string {
  const total = names.reduce((sum, name) => sum + (TOOLS[name]?.weight ?? 0), 0);
  let left = next() * total;
  for (const name of names) {
    left -= TOOLS[name]?.weight ?? 0;
    if (left < 0) return name;
  }
  return names.at(-1) as string;
}

/** The calls of one showcase session, in the order they end. */
export function showcaseCalls(session: ShowcaseSession): CallRecord[] {
  const next = prng(session.seed);
  const names = session.tools ?? Object.keys(TOOLS);
  const calls: CallRecord[] = [];
  let t = session.startMs;
  const base = { sessionId: session.sessionId, agent: session.agent, spanId: undefined } as const;
  for (let turn = 0; turn < session.turns; turn++) {
    const traceId = hex(next, 32);
    // The model's turn (for a host's own tools, the host's think time: no call).
    const llmMs = duration(next, 3200, 0.45);
    if (session.llm !== false) calls.push({ ...base, operationType: 'llm-call', toolName: 'claude-sonnet-4-5', callId: `msg_${turn}`, startTimeMs: t, durationMs: llmMs, errorType: undefined, traceId });
    t += llmMs + 20;
    // A batch of tool calls the model asked for at once: they run side by side.
    const batch = 1 + Math.floor(next() * (turn % 3 === 0 ? 4 : 2));
    let end = t;
    for (let i = 0; i < batch; i++) {
      const toolName = pick(next, names);
      const profile = TOOLS[toolName] as ToolProfile;
      const slow = toolName === 'Bash' && next() < 0.08 ? 25 : 1;
      const ms = duration(next, profile.median * slow * (toolName === 'Bash' ? (session.bashFactor ?? 1) : 1), profile.sigma);
      const fails = profile.failure !== undefined && next() < profile.failRate;
      const start = t + i * 3;
      calls.push({
        ...base,
        operationType: 'tool-execution',
        toolName,
        callId: `toolu_${turn}_${i}`,
        startTimeMs: start,
        durationMs: ms,
        errorType: fails ? profile.failure?.type : undefined,
        errorMessage: fails ? profile.failure?.messages[Math.floor(next() * profile.failure.messages.length)] : undefined,
        traceId,
      });
      end = Math.max(end, start + ms);
    }
    t = end + 40;
  }
  return calls.sort((a, b) => a.startTimeMs + a.durationMs - (b.startTimeMs + b.durationMs));
}

/** A clock the reports read (`createReports({ now })`), set to a session's end while it is ended. */
export interface ShowcaseClock {
  set(ms: number | undefined): void;
}

/** Epoch ms from `clock`, else the real time: give `() => clock.now()` to `createReports`. */
export function showcaseClock(): ShowcaseClock & { now(): number } {
  let fixed: number | undefined;
  return { set: (ms) => (fixed = ms), now: () => fixed ?? Date.now() };
}

/**
 * Records every showcase session into `reports` and ends those that ended, a second after their
 * last call (through `clock`, which the reports must read), so their times are the same each run.
 */
export async function recordShowcase(reports: Reports, clock: ShowcaseClock): Promise<void> {
  for (const session of SHOWCASE_SESSIONS) {
    const calls = showcaseCalls(session);
    for (const call of calls) reports.record(call);
    if (!session.ended) continue;
    const last = calls.at(-1) as CallRecord;
    clock.set(Math.ceil(last.startTimeMs + last.durationMs) + 1000);
    await reports.endSession(session.sessionId);
    clock.set(undefined);
  }
  await reports.flush();
}
