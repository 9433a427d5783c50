import type { SessionSummary } from '../document/report.js';
import type { ReportStore } from '../storage/report-store.js';
import type { SessionDigest } from '../storage/session-digest.js';
import { compareNewestFirst } from './session-order.js';
import { DEFAULT_SESSION_SORT, PositionSortMismatchError, selectSessions, type SessionPage, type SessionPageQuery } from './session-query.js';
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
    if (this.store.listSessionsPage === undefined) return selectSessions(await this.list(), query, clock);
    return this.pageFromStore(this.store.listSessionsPage.bind(this.store), query, clock);
  }

  /**
   * A page from a store that answers it itself (SQL), with the live sessions in their places: the
   * store's page leaves them out, and the page is cut again from its sessions and the live ones.
   * The first `limit` after `after` of the whole list are among those two, and if the store had
   * more, so does the whole list.
   */
  private async pageFromStore(listSessionsPage: NonNullable<ReportStore['listSessionsPage']>, query: SessionPageQuery, clock: StatusClock): Promise<SessionPage> {
    const sort = query.sort ?? DEFAULT_SESSION_SORT;
    if (query.after !== undefined && query.after[sort.by] === undefined) throw new PositionSortMismatchError(sort.by);
    const live = await this.liveSummaries();
    const stored = await listSessionsPage({
      filter: query.filter ?? {},
      sort,
      after: query.after,
      limit: query.limit,
      nowMs: clock.nowMs,
      idleAfterMs: clock.idleAfterMs,
      exclude: live.map((s) => s.sessionId),
    });
    const page = selectSessions(live.length === 0 ? stored.sessions : [...stored.sessions, ...live], query, clock);
    return stored.hasMore && !page.hasMore ? { ...page, hasMore: true } : page;
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
