import { describe, expect, it } from 'vitest';
import { sessionStatus } from '../../../src/reports/session-status.js';

const NOW = Date.UTC(2026, 5, 1, 12);
const clock = { nowMs: NOW, idleAfterMs: 120_000 };
const at = (msAgo: number) => new Date(NOW - msAgo).toISOString();

describe('sessionStatus', () => {
  it('is active while the last call ended within the threshold, idle after it', () => {
    expect(sessionStatus({ updatedAt: at(0) }, clock)).toBe('active');
    expect(sessionStatus({ updatedAt: at(120_000) }, clock)).toBe('active');
    expect(sessionStatus({ updatedAt: at(120_001) }, clock)).toBe('idle');
    expect(sessionStatus({ updatedAt: at(86_400_000) }, clock)).toBe('idle');
  });

  it('is ended once ended, however recent its last call', () => {
    expect(sessionStatus({ updatedAt: at(0), endedAt: at(0) }, clock)).toBe('ended');
  });

  it('is active for a last call in the future (another machine’s clock ahead)', () => {
    expect(sessionStatus({ updatedAt: at(-60_000) }, clock)).toBe('active');
  });

  it('follows the threshold it is given', () => {
    expect(sessionStatus({ updatedAt: at(600_000) }, { nowMs: NOW, idleAfterMs: 3_600_000 })).toBe('active');
  });
});
