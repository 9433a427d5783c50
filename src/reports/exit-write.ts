import type { ReportStore } from '../storage/report-store.js';
import type { FailureLog } from '../util/logger.js';
import type { SessionLedger } from './session-ledger.js';

/**
 * The last write at `process.exit`, where nothing asynchronous runs: every ledger with unwritten
 * calls (a write under way included: `SessionLedger.beginExitWrite`) written synchronously.
 */
export function writeLedgersSync(store: ReportStore, live: Iterable<[string, { readonly ledger: SessionLedger }]>, failures: FailureLog): void {
  if (!store.updateSync) return;
  for (const [id, { ledger }] of live) {
    if (!ledger.hasUnwritten()) continue;
    try {
      const write = ledger.beginExitWrite();
      ledger.exitCommitted(store.updateSync(id, write.merge, write.known));
    } catch (error) {
      failures.fail('write', `could not write the report of session ${id} at exit`, error, id);
    }
  }
}
