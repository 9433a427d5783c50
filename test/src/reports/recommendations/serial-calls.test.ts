import { describe, expect, it } from 'vitest';
import { isReadOnlyTool } from '../../../../src/reports/recommendations/read-only-tools.js';
import { SessionCalls } from '../../../helpers/session-calls.js';

describe('serial-calls', () => {
  it('finds read-only calls run one after another in a turn, and what running them at once saves', async () => {
    // Two turns of four reads each, back to back (5 ms apart): 4 × 100 ms where 100 ms would do.
    const session = new SessionCalls().repeat(4, 'read_file', 100, (i) => ({ gapMs: i === 0 ? 2000 : 5 })).repeat(4, 'read_file', 100, (i) => ({ gapMs: i === 0 ? 2000 : 5 }));
    const [found] = await session.recommendations('serial-calls');
    expect(found).toMatchObject({ tool: 'read_file', severity: 'info', estimatedSavingMs: 600 });
    expect(found?.evidence).toEqual({ callsInRuns: 8, runs: 2, longestRun: 4, serialMs: 800 });
  });

  it('is not given for calls a turn apart, calls that overlap, or tools that change things', async () => {
    expect(await new SessionCalls().repeat(6, 'read_file', 100, () => ({ gapMs: 1500 })).recommendations('serial-calls')).toEqual([]);
    const start = Date.parse('2026-11-30T10:00:00.000Z');
    expect(await new SessionCalls().repeat(6, 'Read', 100, (i) => ({ startMs: start + i * 10 })).recommendations('serial-calls')).toEqual([]);
    expect(await new SessionCalls().repeat(6, 'write_file', 100, () => ({ gapMs: 5 })).recommendations('serial-calls')).toEqual([]);
  });
});

describe('isReadOnlyTool', () => {
  it.each(['Read', 'read_file', 'Glob', 'Grep', 'LS', 'WebFetch', 'list_directory', 'search_file_content', 'view_image', 'mcp__github__get_issue'])('takes %s as read-only', (name) => {
    expect(isReadOnlyTool(name)).toBe(true);
  });
  it.each(['Bash', 'exec_command', 'Edit', 'write_file', 'apply_patch', 'run_shell_command', 'get_and_delete', 'mcp__db__run_query'])('does not take %s as read-only', (name) => {
    expect(isReadOnlyTool(name)).toBe(false);
  });
});
