import { describe, expect, it } from 'vitest';
import { SessionCalls } from '../../../helpers/session-calls.js';

describe('error-hotspot', () => {
  it('names the error type most of a tool\'s failures share, and what it usually means', async () => {
    const session = new SessionCalls()
      .repeat(6, 'read', 10)
      .repeat(3, 'read', 10, () => ({ errorType: 'file_not_found' }))
      .add('read', 10, { errorType: 'permission_denied' });
    const [found, ...more] = await session.recommendations('error-hotspot');
    expect(more).toEqual([]);
    expect(found).toMatchObject({ tool: 'read', severity: 'warning' });
    expect(found?.evidence).toMatchObject({ errorType: 'file_not_found', errorsOfType: 3, errors: 4, calls: 10, share: 0.75, errorRate: 0.4 });
    expect(found?.advice).toContain('the model guesses paths');
  });

  it('reads a code the vocabulary knows by its text (ENOENT is file_not_found), and is critical from half the calls failing', async () => {
    const [found] = await new SessionCalls().repeat(4, 'read', 10, () => ({ errorType: 'ENOENT' })).add('read', 10).recommendations('error-hotspot');
    expect(found?.evidence).toMatchObject({ errorType: 'ENOENT', errorKind: 'file_not_found' });
    expect(found?.severity).toBe('critical');
    expect(found?.advice).toContain('the model guesses paths');
  });

  it('is not given for failures of many types, or too few of them', async () => {
    const spread = new SessionCalls()
      .add('bash', 10, { errorType: 'timeout' })
      .add('bash', 10, { errorType: 'nonzero_exit' })
      .add('bash', 10, { errorType: 'aborted' })
      .add('bash', 10, { errorType: 'permission_denied' });
    expect(await spread.recommendations('error-hotspot')).toEqual([]);
    expect(await new SessionCalls().repeat(2, 'read', 10, () => ({ errorType: 'file_not_found' })).recommendations('error-hotspot')).toEqual([]);
  });
});
