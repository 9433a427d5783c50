import type { SessionSummary } from '../document/report.js';
import type { ReportStore } from '../storage/report-store.js';
import type { SessionDigest } from '../storage/session-digest.js';
import { compareNewestFirst } from './session-order.js';
import { selectSessions, type SessionPage, type SessionPageQuery } from './session-query.js';
import type { StatusClock } from './session-status.js';

/**
 * The session list: stored sessions, with the live ones' fresh summaries in their place, newest
 * update first. The stored part is kept sorted while the store hands out the same digests (no
 * report changed), so a page at 10,000 sessions is not a sort each time.
 */
export class SessionListing {
  private sortedStored: { readonly digests: readonly SessionDigest[]; readonly sorted: readonly SessionSummary[] } | undefined;

  constructor(
    private readonly store: ReportStore,
    /** The live sessions' summaries, their stored parts merged in. */
    private readonly liveSummaries: () => Promise<SessionSummary[]>,
  ) {}

  /** Every session, newest first: a fresh array each call. */
  async list(): Promise<SessionSummary[]> {
    const current = await this.liveSummaries();
    const stored = await this.storedNewestFirst();
    if (current.length === 0) return [...stored];
    // Few sessions are live: their fresh summaries replace the stored ones and are merged in, O(stored).
    const liveIds = new Set(current.map((s) => s.sessionId));
    current.sort(compareNewestFirst);
    const merged: SessionSummary[] = [];
    let next = 0;
    for (const summary of stored) {
      if (liveIds.has(summary.sessionId)) continue;
      while (next < current.length && compareNewestFirst(current[next] as SessionSummary, summary) < 0) merged.push(current[next++] as SessionSummary);
      merged.push(summary);
    }
    while (next < current.length) merged.push(current[next++] as SessionSummary);
    return merged;
  }

  /**
   * One page of `list()`, filtered and sorted as `query` says (see `selectSessions`), each session
   * with its status at `clock`.
   */
  async page(query: SessionPageQuery, clock: StatusClock): Promise<SessionPage> {
    return selectSessions(await this.list(), query, clock);
  }

  private async storedNewestFirst(): Promise<readonly SessionSummary[]> {
    const { store } = this;
    if (store.listDigests === undefined) return (await store.list()).sort(compareNewestFirst);
    const digests = await store.listDigests();
    if (digests !== this.sortedStored?.digests) {
      this.sortedStored = { digests, sorted: digests.map((d) => d.summary).sort(compareNewestFirst) };
    }
    return this.sortedStored.sorted;
  }
}
