import type { DurationStats, ListedSession, OperationStats, SessionReport, SessionStatus, SessionSummary } from '../document/report.js';
import { openStore } from '../storage/open-store.js';
import { defaultDataDir } from '../storage/data-dir.js';
import type { ReportStore } from '../storage/report-store.js';
import { consoleLogger, type Logger } from '../util/logger.js';
import { ownEntry } from '../util/own-record.js';
import { assertValidSessionId } from '../util/session-id.js';
import { checkCall, type CallRecord } from './call-record.js';
import { SessionListing } from './session-listing.js';
import type { SessionListQuery, SessionPage, SessionPageQuery } from './session-query.js';
import { DEFAULT_IDLE_AFTER_MS, sessionStatus, withStatus, type StatusClock } from './session-status.js';
import type { SessionComparison } from './compare/session-comparison.js';
import { SpanFolder, type SessionReportExporter } from './session-report-exporter.js';
import { SessionRegistry } from './session-registry.js';
import { withRecommendations } from './recommendations/recommend.js';
import type { ToolTrend, ToolTrendIndex } from './tool-trends.js';
import type { StoredToolTrends } from './stored-tool-trends.js';
import { internals } from './reports-internals.js';
import type { PruneQuery, PruneResult } from './retention.js';
import { resolveAlerts, type AlertsOptions } from './alerts/alert-rules.js';
import { AlertEngine } from './alerts/alert-engine.js';
import { collectAlerts, type AlertQuery } from './alerts/alert-listing.js';
import type { ListedAlert } from './alerts/alert-text.js';

export interface CreateReportsOptions {
  /**
   * Where reports go: a store, or a PostgreSQL URL (`postgres://user:password@host:5432/db`), whose
   * store these reports open and close. Default: JSON files under `dataDir`.
   */
  readonly store?: ReportStore | string;
  /** Default: the platform's data directory (see `defaultDataDir`). Ignored when `store` is given. */
  readonly dataDir?: string;
  /** Raw recent calls kept per session (the config's `maxMetrics`). Default 1000. */
  readonly maxMetrics?: number;
  /** Debounce of report writes. Default 1000 ms. */
  readonly writeIntervalMs?: number;
  /** A session with no call for this long is written and dropped from memory. Default 15 minutes. */
  readonly sessionIdleTimeoutMs?: number;
  /**
   * Keep failed calls' error messages in the recent calls (the config's `recordErrorMessages`).
   * Default true; false drops them as calls are folded (messages can hold paths and data).
   */
  readonly recordErrorMessages?: boolean;
  /** A session with no call for longer than this lists as `idle` rather than `active`. Default 5 minutes. */
  readonly idleAfterMs?: number;
  /**
   * End (and write) a session this process folded calls for once it has had no call for this
   * long, at its last call's end: what a report server does for the sessions it ingests, whose
   * agents never say they ended. Default: never.
   */
  readonly endIdleAfterMs?: number;
  /**
   * Alert rules evaluated as calls are folded (see README, "Alerts"): the defaults (hung calls,
   * large regressions) unless told otherwise; `false` turns alerts off. Bad options throw
   * `AlertOptionsError`, naming each key and value.
   */
  readonly alerts?: AlertsOptions | false;
  /** Called with each alert transition (fired, resolved), beside the log line and the webhook. */
  readonly onAlert?: (alert: ListedAlert) => void;
  readonly logger?: Logger;
  /** Epoch milliseconds; injectable for tests. */
  readonly now?: () => number;
  /** While the store fails (a database down), sessions kept waiting with their calls; past it, calls are dropped (counted, logged). Default 10,000. */
  readonly maxUnwrittenSessions?: number;
}

export interface SessionQuery {
  readonly sessionId: string;
}

export interface OperationStatsQuery extends SessionQuery {
  /** E.g. `tool-execution`. */
  readonly operationType: string;
  /** One tool's statistics instead of the operation type's. */
  readonly toolName?: string;
}

export interface CompareQuery {
  /** The baseline session. */
  readonly a: string;
  /** The session compared with it. */
  readonly b: string;
}

export interface EndSessionOptions {
  /** When the session ended (epoch milliseconds), e.g. as its source said. Default: now. */
  readonly endedAtMs?: number;
}

export interface ToolTrendsQuery {
  /** Points per tool's trend: the last sessions that used it. Default 20. */
  readonly sessionsPerTool?: number;
}

/**
 * Per-session reports: folds calls (spans through `exporter`, or calls through `record`), answers
 * queries over live and stored sessions alike, and writes to its store in the background. Session
 * IDs are validated: an unsafe one throws `InvalidSessionIdError`; an unknown one answers `undefined`.
 */
export interface Reports {
  /** A SpanProcessor and SpanExporter that folds tool-call spans into these reports. */
  readonly exporter: SessionReportExporter;
  /** Folds one finished call (from any source); throws `TypeError` for a call that is not one. */
  record(call: CallRecord): void;
  /** @example const report = await reports.getReport({ sessionId: 'ses_1' }); */
  getReport(query: SessionQuery): Promise<SessionReport | undefined>;
  /**
   * @example
   * await reports.getOperationStats({ sessionId: 'ses_1', operationType: 'tool-execution' });
   * await reports.getOperationStats({ sessionId: 'ses_1', operationType: 'tool-execution', toolName: 'read' });
   */
  getOperationStats(query: OperationStatsQuery & { toolName: string }): Promise<DurationStats | undefined>;
  getOperationStats(query: OperationStatsQuery): Promise<OperationStats | undefined>;
  /**
   * Every session (newest update first, unless `query.sort` says otherwise), with its counts and
   * its status now; `query.filter` narrows the list.
   * @example const failing = await reports.listSessions({ filter: { status: ['active'], hasErrors: true }, sort: { by: 'errorRate', order: 'desc' } });
   */
  listSessions(query?: SessionListQuery): Promise<ListedSession[]>;
  /**
   * One page of `listSessions(query)`; pass the last session of a page as `after` for the next.
   * Pages follow each other without gaps or repeats while the sessions do not change; a session
   * updated meanwhile moves to its new place.
   * @example const { sessions, hasMore } = await reports.listSessionsPage({ limit: 50 });
   */
  listSessionsPage(query: SessionPageQuery): Promise<SessionPage>;
  /**
   * Session `b` against session `a`, per operation type and per tool: both sides' counts,
   * p50/p95/p99 and error rates, the ratios b / a, and `significant` where the durations shifted
   * beyond noise (a Mann–Whitney U test on the two sessions' sketches, Holm-adjusted over the
   * comparison's rows, p < 0.01, and p50s at least 1.2× apart). Undefined if either is unknown.
   * @example const diff = await reports.compareSessions({ a: 'ses_yesterday', b: 'ses_today' });
   */
  compareSessions(query: CompareQuery): Promise<SessionComparison<ListedSession> | undefined>;
  /** A session's status now, from its times (`updatedAt`, `endedAt`): as the session list shows it. */
  statusOf(session: Pick<SessionSummary, 'updatedAt' | 'endedAt'>): SessionStatus;
  /**
   * Every tool across the stored sessions (live ones as of their last write), most calls first.
   * @example const tools = await reports.listToolTrends({ sessionsPerTool: 10 });
   */
  listToolTrends(query?: ToolTrendsQuery): Promise<ToolTrend[]>;
  /** Removes one session (`{ sessionId }`) or all of them (no argument); returns how many were removed. */
  clear(query?: SessionQuery): Promise<number>;
  /**
   * Retention: removes the sessions last updated more than `olderThanMs` ago (from memory and
   * store), each tested again under the store's lock, so a session another process writes
   * meanwhile stays. `dryRun` only lists them.
   * @example const { removed } = await reports.prune({ olderThanMs: 30 * 86_400_000 });
   */
  prune(query: PruneQuery): Promise<PruneResult>;
  /**
   * Alerts of live and stored sessions, latest transition first, filtered by state, session and tool.
   * @example const firing = await reports.listAlerts({ state: 'firing' });
   */
  listAlerts(query?: AlertQuery): Promise<ListedAlert[]>;
  /** Marks the session ended (now, or at `endedAtMs`), writes its final report and frees its memory. */
  endSession(sessionId: string, options?: EndSessionOptions): Promise<void>;
  /** Writes every session with unwritten calls. */
  flush(): Promise<void>;
  /** Writes what is unwritten and stops; afterwards the exporter answers FAILED. Idempotent. */
  shutdown(): Promise<void>;
}

export { exitHooksOf, isShutDown, storeIdentityOf, whenStoreIdentified, type ReportsExitHooks } from './reports-internals.js';

/**
 * Opens per-session reports over a store (JSON files under `dataDir` by default). Needs no
 * tracker: read stored reports, or fold calls and spans from elsewhere.
 *
 * @example
 * const reports = createReports({ dataDir: './.toolperf' });
 * console.log(await reports.listSessions());
 * await reports.shutdown();
 */
export function createReports(options: CreateReportsOptions = {}): Reports {
  const logger = options.logger ?? consoleLogger;
  const ownStore = typeof options.store !== 'object';
  const store = typeof options.store === 'object' ? options.store : openStore({ url: options.store, dataDir: options.dataDir ?? defaultDataDir() }, logger);
  const now = options.now ?? Date.now;
  const idleAfterMs = options.idleAfterMs ?? DEFAULT_IDLE_AFTER_MS;
  const clock = (): StatusClock => ({ nowMs: now(), idleAfterMs });
  const resolvedAlerts = options.alerts === false ? undefined : resolveAlerts(options.alerts);
  const engine =
    resolvedAlerts &&
    new AlertEngine({ alerts: resolvedAlerts, store, logger, now, persist: (id, alert) => registry.recordAlert(id, alert), ...(options.onAlert ? { onAlert: options.onAlert } : {}) });
  const registry = new SessionRegistry({
    store,
    maxRecent: options.maxMetrics ?? 1000,
    writeIntervalMs: options.writeIntervalMs ?? 1000,
    idleTimeoutMs: options.sessionIdleTimeoutMs ?? 15 * 60_000,
    ...(options.endIdleAfterMs !== undefined ? { endIdleAfterMs: options.endIdleAfterMs } : {}),
    ...(options.maxUnwrittenSessions !== undefined ? { maxUnwrittenSessions: options.maxUnwrittenSessions } : {}),
    logger,
    now,
    ...(engine ? { alerts: engine } : {}),
  });
  const listing = new SessionListing(store, () => registry.liveSummaries());
  // Comparing, tool trends and pruning load their modules when first used: most processes that
  // open reports (a tracker, `toolperf sessions`) never do any of them.
  let toolTrends: Promise<ToolTrendIndex> | undefined;
  let storedTrends: Promise<StoredToolTrends> | undefined;
  let shutdownOnce: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    exporter.stop();
    engine?.hung?.stop();
    // A store these reports opened is closed by them, once everything is written (or not).
    shutdownOnce ??= registry
      .shutdown()
      .finally(() => engine?.shutdown(Math.min(2000, resolvedAlerts?.webhook.timeoutMs ?? 0)))
      .finally(() => (ownStore ? store.close?.() : undefined));
    return shutdownOnce;
  };
  const fold =
    options.recordErrorMessages === false
      ? (call: CallRecord): void => registry.record(call.errorMessage === undefined ? call : { ...call, errorMessage: undefined })
      : (call: CallRecord): void => registry.record(call);
  const exporter = new SpanFolder(fold, () => registry.flush(), shutdown, logger, engine?.hung);

  const getReport = async ({ sessionId }: SessionQuery): Promise<SessionReport | undefined> => {
    assertValidSessionId(sessionId);
    return withRecommendations(await registry.getReport(sessionId));
  };
  async function getOperationStats(query: OperationStatsQuery): Promise<OperationStats | DurationStats | undefined> {
    const operation = ownEntry((await getReport(query))?.operations, query.operationType);
    if (operation === undefined || query.toolName === undefined) return operation;
    return ownEntry(operation.tools, query.toolName);
  }

  const reports: Reports = {
    exporter,
    record: (call) => fold(checkCall(call)),
    getReport,
    getOperationStats: getOperationStats as Reports['getOperationStats'],
    listSessions: async (query = {}) => (await listing.page({ ...query, limit: Number.POSITIVE_INFINITY }, clock())).sessions,
    listSessionsPage: (query) => listing.page(query, clock()),
    statusOf: (session) => sessionStatus(session, clock()),
    compareSessions: async ({ a, b }) => {
      assertValidSessionId(a);
      assertValidSessionId(b);
      const [storedA, storedB] = await Promise.all([registry.getStored(a), registry.getStored(b)]);
      if (storedA === undefined || storedB === undefined) return undefined;
      const { compareReports } = await import('./compare/session-comparison.js');
      const comparison = compareReports(storedA, storedB);
      const now = clock();
      return { ...comparison, a: withStatus(comparison.a, now), b: withStatus(comparison.b, now) };
    },
    listToolTrends: async ({ sessionsPerTool = 20 } = {}) => {
      if (store.toolTotals !== undefined) {
        // The store keeps the per-tool totals (PostgreSQL): merged here from its parts.
        storedTrends ??= import('./stored-tool-trends.js').then(({ StoredToolTrends }) => new StoredToolTrends(logger));
        return (await storedTrends).trends(await store.toolTotals(sessionsPerTool));
      }
      toolTrends ??= import('./tool-trends.js').then(({ ToolTrendIndex }) => new ToolTrendIndex(store, logger));
      return (await toolTrends).trends(sessionsPerTool);
    },
    clear: async (query) => {
      if (query === undefined) return registry.clearAll();
      assertValidSessionId(query.sessionId);
      return (await registry.clear(query.sessionId)) ? 1 : 0;
    },
    prune: (query) => {
      if (!(Number.isFinite(query.olderThanMs) && query.olderThanMs >= 0)) throw new TypeError('prune: olderThanMs must be a number of milliseconds, 0 or more');
      const list = async () => (await listing.page({ limit: Number.POSITIVE_INFINITY }, clock())).sessions;
      return import('./retention.js').then(({ pruneSessions }) => pruneSessions({ store, registry, list, now }, query));
    },
    endSession: async (sessionId, { endedAtMs } = {}) => {
      assertValidSessionId(sessionId);
      if (endedAtMs !== undefined && !Number.isFinite(endedAtMs)) throw new TypeError(`endSession: endedAtMs must be epoch milliseconds, got ${String(endedAtMs)}`);
      await registry.endSession(sessionId, endedAtMs);
    },
    listAlerts: async (query = {}) => {
      if (query.sessionId !== undefined) assertValidSessionId(query.sessionId);
      return collectAlerts(await listing.list(), (id) => registry.getReport(id), query);
    },
    flush: () => registry.flush(),
    shutdown,
  };
  internals.set(reports, {
    hasUnwritten: () => registry.hasUnwritten(),
    flushSync: () => registry.flushSync(),
    storeIdentity: () => store.identity?.(),
    whenStoreIdentified: () => store.whenIdentified?.(),
    storeSecret: () => (store.secretSync ? store.secretSync() : store.secret?.()),
    isShutDown: () => shutdownOnce !== undefined,
  });
  return reports;
}
