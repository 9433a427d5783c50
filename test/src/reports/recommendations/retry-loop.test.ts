import { describe, expect, it } from 'vitest';
import { SessionCalls } from '../../../helpers/session-calls.js';

describe('retry-loop', () => {
  it('finds a failed call repeated with the same arguments, again and again', async () => {
    const session = new SessionCalls()
      .repeat(6, 'edit', 40, () => ({ fingerprint: 'patch-1', errorType: 'invalid_arguments' }))
      .add('edit', 40, { fingerprint: 'patch-2' });
    const [found] = await session.recommendations('retry-loop');
    expect(found).toMatchObject({ tool: 'edit', severity: 'critical', estimatedSavingMs: 5 * 40 });
    expect(found?.evidence).toEqual({ retries: 5, failedRetries: 5, longestStreak: 5, errorType: 'invalid_arguments' });
  });

  it('calls retries that succeed a transient failure (info)', async () => {
    const session = new SessionCalls();
    for (let i = 0; i < 3; i++) session.add('webfetch', 30, { fingerprint: `url${i}`, errorType: 'timeout' }).add('webfetch', 30, { fingerprint: `url${i}` });
    const [found] = await session.recommendations('retry-loop');
    expect(found).toMatchObject({ tool: 'webfetch', severity: 'info', estimatedSavingMs: 0 });
    expect(found?.evidence).toMatchObject({ retries: 3, failedRetries: 0 });
  });

  it('is not given when failed calls are followed by other arguments, or retried too seldom', async () => {
    expect(await new SessionCalls().repeat(8, 'edit', 40, (i) => ({ fingerprint: `p${i}`, errorType: 'invalid_arguments' })).recommendations('retry-loop')).toEqual([]);
    expect(await new SessionCalls().repeat(3, 'edit', 40, () => ({ fingerprint: 'p', errorType: 'invalid_arguments' })).recommendations('retry-loop')).toEqual([]);
  });
});
