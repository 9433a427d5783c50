import { describe, expect, it } from 'vitest';
import { DOMINANT_MIN_CALLS } from '../../../../src/reports/recommendations/dominant-tool.js';
import { SessionCalls } from '../../../helpers/session-calls.js';

describe('dominant-tool', () => {
  it('names the tool that takes 90% of the tool time, with its share, and a saving of half its time', async () => {
    // bash: 9 × 1000 ms = 9000 ms; read and grep: 500 ms each; 90% bash.
    const session = new SessionCalls().repeat(9, 'bash', 1000).repeat(5, 'read', 100).repeat(5, 'grep', 100);
    const [found, ...more] = await session.recommendations('dominant-tool');
    expect(more).toEqual([]);
    expect(found).toMatchObject({ tool: 'bash', operationType: 'tool-execution', severity: 'warning', estimatedSavingMs: 4500 });
    expect(found?.evidence).toMatchObject({ share: 0.9, toolMs: 9000, operationMs: 10000, calls: 9, tools: 3 });
    expect(found?.advice).toContain('bash takes 90%');
  });

  it('is info between 60% and 80%', async () => {
    const session = new SessionCalls().repeat(7, 'bash', 100).repeat(3, 'read', 100);
    expect((await session.recommendations('dominant-tool')).map((r) => [r.tool, r.severity])).toEqual([['bash', 'info']]);
  });

  it('is not given when the time is spread, for a tool alone, or below the minimum of calls', async () => {
    expect(await new SessionCalls().repeat(4, 'bash', 100).repeat(4, 'read', 100).repeat(4, 'grep', 90).recommendations('dominant-tool')).toEqual([]);
    expect(await new SessionCalls().repeat(20, 'bash', 100).recommendations('dominant-tool')).toEqual([]);
    const few = new SessionCalls().repeat(DOMINANT_MIN_CALLS - 2, 'bash', 1000).add('read', 1);
    expect(await few.recommendations('dominant-tool')).toEqual([]);
  });
});
