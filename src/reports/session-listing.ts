import type { SessionSummary } from '../document/report.js';
import type { ReportStore } from '../storage/report-store.js';
import type { SessionDigest } from '../storage/session-digest.js';
import { compareNewestFirst } from './session-order.js';

/** Where a page of sessions starts: just after this session in the list's order. */
export interface SessionPosition {
  readonly updatedAt: string;
  readonly sessionId: string;
}

export interface SessionPageQuery {
  /** Sessions per page. */
  readonly limit: number;
  /** The last session of the previous page; omitted for the first page. */
  readonly after?: SessionPosition;
  /** Only sessions whose calls came from this agent (`SessionSummary.agent.name`). */
  readonly agent?: string;
}

export interface SessionPage {
  readonly sessions: SessionSummary[];
  /** Whether sessions follow this page. */
  readonly hasMore: boolean;
}

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
   * One page of `list()`. Pages follow each other without gaps or repeats while the sessions do
   * not change; a session updated meanwhile moves to the front.
   */
  async page({ limit, after, agent }: SessionPageQuery): Promise<SessionPage> {
    const listed = await this.list();
    const all = agent === undefined ? listed : listed.filter((s) => s.agent?.name === agent);
    const start = after === undefined ? 0 : firstAfter(all, after);
    return { sessions: all.slice(start, start + limit), hasMore: start + limit < all.length };
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

/** Index of the first session that sorts after `position` (binary search: the list is sorted). */
function firstAfter(sorted: readonly SessionSummary[], position: SessionPosition): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareNewestFirst(sorted[mid] as SessionSummary, position) <= 0) low = mid + 1;
    else high = mid;
  }
  return low;
}
