import { describe, expect, it } from 'vitest';
import { currentSessionId, withSession } from '../../../src/tracking/session-context.js';
import { InvalidSessionIdError } from '../../../src/util/session-id.js';

describe('withSession', () => {
  it('is the session of everything inside it, across awaits, and only inside it', async () => {
    const seen = await withSession('ses_outer', async () => {
      await new Promise((r) => setTimeout(r, 1));
      const inner = withSession('ses_inner', () => currentSessionId());
      return [currentSessionId(), inner];
    });
    expect(seen).toEqual(['ses_outer', 'ses_inner']);
    expect(currentSessionId()).toBeUndefined();
  });

  it('rejects an unsafe session ID before running anything', () => {
    let ran = false;
    expect(() => withSession('a/b', () => (ran = true))).toThrow(InvalidSessionIdError);
    expect(ran).toBe(false);
  });
});
