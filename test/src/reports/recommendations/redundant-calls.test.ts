import { describe, expect, it } from 'vitest';
import { SessionCalls } from '../../../helpers/session-calls.js';

describe('redundant-calls', () => {
  it('counts the calls made again with arguments that already succeeded, and their time as the saving', async () => {
    const session = new SessionCalls().repeat(20, 'read', 50, () => ({ fingerprint: 'same' })).repeat(5, 'grep', 10, (i) => ({ fingerprint: `g${i}` }));
    const found = await session.recommendations('redundant-calls');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ tool: 'read', severity: 'warning', estimatedSavingMs: 19 * 50 });
    expect(found[0]?.evidence).toMatchObject({ fingerprintedCalls: 20, repeatedCalls: 19, distinctArguments: 1, mostRepeated: 20 });
  });

  it('is not given for distinct arguments, calls without fingerprints, or a call again after a failure (a retry)', async () => {
    expect(await new SessionCalls().repeat(20, 'read', 50, (i) => ({ fingerprint: `f${i}` })).recommendations('redundant-calls')).toEqual([]);
    expect(await new SessionCalls().repeat(20, 'read', 50).recommendations('redundant-calls')).toEqual([]);
    const retried = new SessionCalls().repeat(5, 'read', 50, () => ({ fingerprint: 'same', errorType: 'timeout' }));
    expect(await retried.recommendations('redundant-calls')).toEqual([]);
  });
});
