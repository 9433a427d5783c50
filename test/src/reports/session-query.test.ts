import { describe, expect, it } from 'vitest';
import type { SessionSummary } from '../../../src/document/report.js';
import { PositionSortMismatchError, SESSION_SORT_FIELDS, selectSessions, type SessionPageQuery, type SessionSort } from '../../../src/reports/session-query.js';
import { prng } from '../../helpers/prng.js';

const NOW = Date.UTC(2026, 5, 1, 12);
const CLOCK = { nowMs: NOW, idleAfterMs: 5 * 60_000 };
const iso = (ms: number) => new Date(ms).toISOString();

/** One summary; times in minutes before NOW. */
function summary(sessionId: string, spec: { startedMin: number; updatedMin: number; ended?: boolean; calls?: number; errors?: number; toolCalls?: number; tools?: string[] }): SessionSummary {
  const calls = spec.calls ?? 1;
  const errors = spec.errors ?? 0;
  const startedAt = iso(NOW - spec.startedMin * 60_000);
  const updatedAt = iso(NOW - spec.updatedMin * 60_000);
  return {
    sessionId,
    startedAt,
    updatedAt,
    ...(spec.ended ? { endedAt: updatedAt } : {}),
    calls,
    errors,
    toolCalls: spec.toolCalls ?? calls,
    toolErrors: errors,
    errorRate: calls === 0 ? 0 : Math.round((errors / calls) * 1e4) / 1e4,
    durationMs: (spec.startedMin - spec.updatedMin) * 60_000,
    tools: spec.tools ?? ['read'],
  };
}

const withAgent = (s: SessionSummary, name: string): SessionSummary => ({ ...s, agent: { name, version: '1.0.0' } });
const SESSIONS: SessionSummary[] = [
  summary('ses_active', { startedMin: 30, updatedMin: 1, calls: 10, errors: 1, tools: ['bash', 'read'] }),
  summary('ses_edge', { startedMin: 20, updatedMin: 5, calls: 3 }), // exactly at the threshold: still active
  withAgent(summary('ses_idle', { startedMin: 90, updatedMin: 6, calls: 40, errors: 10, toolCalls: 30, tools: ['grep'] }), 'codex'),
  withAgent(summary('ses_ended', { startedMin: 300, updatedMin: 200, ended: true, calls: 7, errors: 7, tools: ['bash'] }), 'claude-code'),
  withAgent(summary('SES_Upper', { startedMin: 100, updatedMin: 100, calls: 0, tools: [] }), 'claude-code'),
];

const ids = (query: Partial<SessionPageQuery>) => selectSessions(SESSIONS, { limit: 100, ...query }, CLOCK).sessions.map((s) => s.sessionId);

describe('selectSessions', () => {
  it('lists every session newest update first by default, each with its status now', () => {
    const { sessions, hasMore } = selectSessions(SESSIONS, { limit: 100 }, CLOCK);
    expect(sessions.map((s) => [s.sessionId, s.status])).toEqual([
      ['ses_active', 'active'],
      ['ses_edge', 'active'],
      ['ses_idle', 'idle'],
      ['SES_Upper', 'idle'],
      ['ses_ended', 'ended'],
    ]);
    expect(hasMore).toBe(false);
  });

  it.each([
    [{ status: ['active'] as const }, ['ses_active', 'ses_edge']],
    [{ status: ['idle', 'ended'] as const }, ['ses_idle', 'SES_Upper', 'ses_ended']],
    [{ hasErrors: true }, ['ses_active', 'ses_idle', 'ses_ended']],
    [{ hasErrors: false }, ['ses_edge', 'SES_Upper']],
    [{ tool: 'bash' }, ['ses_active', 'ses_ended']],
    [{ tool: 'nope' }, []],
    [{ since: NOW - 6 * 60_000 }, ['ses_active', 'ses_edge', 'ses_idle']],
    [{ until: NOW - 6 * 60_000 }, ['ses_idle', 'SES_Upper', 'ses_ended']],
    [{ since: NOW - 150 * 60_000, until: NOW - 50 * 60_000 }, ['SES_Upper']],
    [{ search: 'ses_u' }, ['SES_Upper']],
    [{ search: 'E' }, ['ses_active', 'ses_edge', 'ses_idle', 'SES_Upper', 'ses_ended']],
    [{ status: ['idle'] as const, hasErrors: true, tool: 'grep' }, ['ses_idle']],
    [{}, ['ses_active', 'ses_edge', 'ses_idle', 'SES_Upper', 'ses_ended']],
    [{ agent: 'codex' }, ['ses_idle']],
    [{ agent: 'claude-code', hasErrors: true }, ['ses_ended']],
  ])('filters %j', (filter, expected) => {
    expect(ids({ filter })).toEqual(expected);
  });

  it.each([
    [{ by: 'calls', order: 'desc' }, ['ses_idle', 'ses_active', 'ses_ended', 'ses_edge', 'SES_Upper']],
    [{ by: 'calls', order: 'asc' }, ['SES_Upper', 'ses_edge', 'ses_ended', 'ses_active', 'ses_idle']],
    [{ by: 'errorRate', order: 'desc' }, ['ses_ended', 'ses_idle', 'ses_active', 'SES_Upper', 'ses_edge']],
    [{ by: 'durationMs', order: 'desc' }, ['ses_ended', 'ses_idle', 'ses_active', 'ses_edge', 'SES_Upper']],
    [{ by: 'startedAt', order: 'asc' }, ['ses_ended', 'SES_Upper', 'ses_idle', 'ses_active', 'ses_edge']],
    [{ by: 'updatedAt', order: 'asc' }, ['ses_ended', 'SES_Upper', 'ses_idle', 'ses_edge', 'ses_active']],
    [{ by: 'toolCalls', order: 'desc' }, ['ses_idle', 'ses_active', 'ses_ended', 'ses_edge', 'SES_Upper']],
  ] as const)('sorts by %j', (sort, expected) => {
    expect(ids({ sort })).toEqual(expected);
  });

  it('breaks ties by session ID ascending, whatever the order', () => {
    const tied = ['ses_c', 'ses_a', 'ses_b'].map((id) => summary(id, { startedMin: 10, updatedMin: 2, calls: 5 }));
    for (const order of ['asc', 'desc'] as const) {
      expect(selectSessions(tied, { limit: 10, sort: { by: 'calls', order } }, CLOCK).sessions.map((s) => s.sessionId)).toEqual(['ses_a', 'ses_b', 'ses_c']);
    }
  });

  it('does not change its input', () => {
    const copy = structuredClone(SESSIONS);
    selectSessions(SESSIONS, { limit: 2, sort: { by: 'calls', order: 'asc' }, filter: { hasErrors: true } }, CLOCK);
    expect(SESSIONS).toEqual(copy);
  });

  describe('paging after the last session of a page', () => {
    // Many sessions with many ties, in random input order: every sort's pages must join up.
    const random = prng(21);
    const many = Array.from({ length: 157 }, (_, i) =>
      summary(`ses_${String(i).padStart(3, '0')}`, {
        startedMin: 100 + Math.floor(random() * 20),
        updatedMin: Math.floor(random() * 20),
        calls: Math.floor(random() * 6),
        errors: 0,
      }),
    ).sort(() => random() - 0.5);

    it.each(SESSION_SORT_FIELDS.flatMap((by) => (['asc', 'desc'] as const).map((order): SessionSort => ({ by, order }))))('%j: pages cover the list once, in order', (sort) => {
      const whole = selectSessions(many, { limit: 1000, sort }, CLOCK).sessions.map((s) => s.sessionId);
      const paged: string[] = [];
      let after: SessionSummary | undefined;
      for (let pages = 0; pages < 100; pages++) {
        const page = selectSessions(many, { limit: 10, sort, ...(after ? { after } : {}) }, CLOCK);
        paged.push(...page.sessions.map((s) => s.sessionId));
        if (!page.hasMore) break;
        after = page.sessions.at(-1);
      }
      expect(paged).toEqual(whole);
      expect(new Set(paged).size).toBe(many.length);
    });

    it('goes on from where a page ended when that session changed meanwhile, without repeating the ones before', () => {
      const first = selectSessions(many, { limit: 10 }, CLOCK).sessions;
      const last = first.at(-1) as SessionSummary;
      // The last session of the page gets a call: it moves to the front, the next page still starts after its old place.
      const changed = many.map((s) => (s.sessionId === last.sessionId ? { ...s, updatedAt: iso(NOW) } : s));
      const next = selectSessions(changed, { limit: 10, after: last }, CLOCK).sessions.map((s) => s.sessionId);
      const expected = selectSessions(many, { limit: 20 }, CLOCK).sessions.slice(10).map((s) => s.sessionId);
      expect(next).toEqual(expected);
    });

    it('refuses a position without the sort field', () => {
      expect(() => selectSessions(many, { limit: 10, sort: { by: 'calls', order: 'desc' }, after: { sessionId: 'ses_001', updatedAt: iso(NOW) } }, CLOCK)).toThrow(PositionSortMismatchError);
    });
  });
});
