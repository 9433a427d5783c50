import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionStatus, StoredSessionReport } from '../../../src/document/report.js';
import { SESSION_SORT_FIELDS, type SessionFilter, type SessionPosition, type SessionSort } from '../../../src/document/session-list-query.js';
import { createReports } from '../../../src/reports/reports.js';
import { SessionAggregate } from '../../../src/reports/session-aggregate.js';
import { selectSessions } from '../../../src/reports/session-query.js';
import type { StatusClock } from '../../../src/reports/session-status.js';
import { PostgresReportStore } from '../../../src/storage/postgres/postgres-store.js';
import { findPostgres, startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';
import { prng } from '../../helpers/prng.js';
import { requireProgram, skipUnlessAvailable } from '../../helpers/real-component.js';
import { recordingLogger } from '../../helpers/tracking.js';

const postgres = findPostgres();
const T0 = Date.UTC(2026, 5, 1);
const TOOLS = ['read', 'grep', 'bash', 'edit', 'web_fetch'];
const AGENTS = ['claude-code', 'codex', undefined];

/**
 * A session with random counts, times, tools and agent; a few share their update time, so that
 * ties (broken by session ID) are exercised, and some are ended.
 */
function randomReport(sessionId: string, random: () => number): StoredSessionReport {
  const aggregate = new SessionAggregate(sessionId, 5);
  const calls = 1 + Math.floor(random() * 12);
  const start = T0 + Math.floor(random() * 40) * 60_000;
  const agentName = AGENTS[Math.floor(random() * AGENTS.length)];
  for (let i = 0; i < calls; i++) {
    aggregate.add({
      sessionId,
      operationType: random() < 0.8 ? 'tool-execution' : 'llm-call',
      toolName: TOOLS[Math.floor(random() * TOOLS.length)] as string,
      callId: undefined,
      startTimeMs: start + i * 1000,
      durationMs: Math.round(random() * 500) / 10,
      errorType: random() < 0.15 ? 'ENOENT' : undefined,
      traceId: undefined,
      spanId: undefined,
      ...(agentName === undefined ? {} : { agent: { name: agentName } }),
    });
  }
  if (random() < 0.3) aggregate.end(start + calls * 1000);
  return aggregate.toStored();
}

function randomQuery(random: () => number): { filter: SessionFilter; sort: SessionSort; limit: number } {
  const filter: { -readonly [K in keyof SessionFilter]: SessionFilter[K] } = {};
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  if (random() < 0.3) filter.status = (['active', 'idle', 'ended'] as SessionStatus[]).filter(() => random() < 0.5);
  if (random() < 0.2) filter.hasErrors = random() < 0.5;
  if (random() < 0.2) filter.tool = pick(TOOLS);
  if (random() < 0.2) filter.since = T0 + Math.floor(random() * 30) * 60_000;
  if (random() < 0.2) filter.until = T0 + Math.floor(random() * 60) * 60_000;
  if (random() < 0.2) filter.search = pick(['S1', 'ses_0', '7', 'x']);
  if (random() < 0.2) filter.agent = pick(['claude-code', 'codex', 'gemini']);
  return { filter, sort: { by: pick(SESSION_SORT_FIELDS), order: random() < 0.5 ? 'asc' : 'desc' }, limit: 1 + Math.floor(random() * 15) };
}

describe.skipIf(skipUnlessAvailable(postgres))('session pages in SQL (a real PostgreSQL 15)', () => {
  let server: PostgresServer;
  let store: PostgresReportStore;
  const reports: StoredSessionReport[] = [];
  // Some sessions are active, some idle at this time.
  const clock: StatusClock = { nowMs: T0 + 45 * 60_000, idleAfterMs: 10 * 60_000 };

  beforeAll(async () => {
    server = await startPostgres(requireProgram(postgres));
    store = new PostgresReportStore(await server.createDatabase(), recordingLogger());
    const random = prng(15);
    for (let i = 0; i < 120; i++) reports.push(randomReport(`ses_${String(i).padStart(3, '0')}${i % 7 === 0 ? 'S1' : ''}`, random));
    for (const report of reports) await store.put(report);
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    await server?.stop();
  });

  it('every page, followed by its cursor to the end, is the page the in-memory selection gives', async () => {
    const summaries = await store.list();
    expect(summaries).toHaveLength(120);
    const random = prng(7);
    let pages = 0;
    for (let q = 0; q < 60; q++) {
      const { filter, sort, limit } = randomQuery(random);
      let after: SessionPosition | undefined;
      for (let guard = 0; guard < 200; guard++) {
        const expected = selectSessions(summaries, { filter, sort, limit, ...(after ? { after } : {}) }, clock);
        const actual = await store.listSessionsPage({ filter, sort, after, limit, nowMs: clock.nowMs, idleAfterMs: clock.idleAfterMs, exclude: [] });
        expect({ query: { filter, sort, limit, after }, ids: actual.sessions.map((s) => s.sessionId), hasMore: actual.hasMore }).toEqual({
          query: { filter, sort, limit, after },
          ids: expected.sessions.map((s) => s.sessionId),
          hasMore: expected.hasMore,
        });
        pages++;
        if (!expected.hasMore) break;
        after = expected.sessions[expected.sessions.length - 1];
      }
    }
    expect(pages).toBeGreaterThan(100);
  });

  it('leaves out the sessions it is told to, and returns every session without a limit', async () => {
    const all = await store.listSessionsPage({ filter: {}, sort: { by: 'updatedAt', order: 'desc' }, limit: Infinity, nowMs: clock.nowMs, idleAfterMs: clock.idleAfterMs, exclude: ['ses_000S1', 'ses_001'] });
    expect(all.hasMore).toBe(false);
    expect(all.sessions).toHaveLength(118);
    expect(all.sessions.map((s) => s.sessionId)).not.toContain('ses_001');
  });

  it('the reports page the database and the live sessions together: a live session shows its unwritten calls, in its place', async () => {
    const live = createReports({ store, writeIntervalMs: 60_000, logger: recordingLogger(), now: () => clock.nowMs, idleAfterMs: clock.idleAfterMs });
    try {
      // Not written yet (the write interval is a minute): only the registry knows these calls.
      const late = T0 + 44 * 60_000;
      for (let i = 0; i < 50; i++) live.record({ sessionId: 'ses_001', operationType: 'tool-execution', toolName: 'read', callId: undefined, startTimeMs: late, durationMs: 1, errorType: undefined, traceId: undefined, spanId: undefined });
      const first = await live.listSessionsPage({ limit: 3, sort: { by: 'calls', order: 'desc' } });
      expect(first.sessions[0]).toMatchObject({ sessionId: 'ses_001', status: 'active' });
      expect(first.sessions[0]?.calls).toBe((reports[1]?.operations['tool-execution']?.count ?? 0) + (reports[1]?.operations['llm-call']?.count ?? 0) + 50);
      expect(first.hasMore).toBe(true);
      // Paging on: the live session never shows twice, and every session shows once.
      const seen: string[] = [];
      let after: SessionPosition | undefined;
      for (;;) {
        const page = await live.listSessionsPage({ limit: 25, sort: { by: 'calls', order: 'desc' }, ...(after ? { after } : {}) });
        seen.push(...page.sessions.map((s) => s.sessionId));
        if (!page.hasMore) break;
        after = page.sessions[page.sessions.length - 1];
      }
      expect(seen).toHaveLength(120);
      expect(new Set(seen).size).toBe(120);
    } finally {
      await live.shutdown();
    }
    // Written at shutdown.
    expect((await store.listSessionsPage({ filter: { search: 'ses_001' }, sort: { by: 'calls', order: 'desc' }, limit: 1, nowMs: clock.nowMs, idleAfterMs: clock.idleAfterMs, exclude: [] })).sessions[0]?.sessionId).toBe('ses_001');
  });
});
