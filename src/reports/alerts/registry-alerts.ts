import type { StoredSessionReport } from '../../document/report.js';
import type { CallRecord } from '../call-record.js';

/** What the session registry asks of alerts: a look at each folded call, and at each report it wrote. */
export interface RegistryAlerts {
  /** Hot: once per folded call, after it is folded. */
  onCall(call: CallRecord): void;
  /** A write of the session stored `stored`; never rejects. */
  afterWrite(sessionId: string, stored: StoredSessionReport): Promise<void>;
  /** The session ended and its alerts are written. */
  forget(sessionId: string): void;
}
