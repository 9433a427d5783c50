import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DurationStats, OperationStats } from '../../../../src/index.js';
import { expectOneLineError, runToolperf, seedSessions, tempDir } from '../../../helpers/cli.js';

let dataDir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dataDir = await tempDir('toolperf-cli-stats-');
  await seedSessions(dataDir.path);
});
afterAll(() => dataDir.remove());

const stats = (...args: string[]) => runToolperf(['stats', ...args, '--data-dir', dataDir.path]);

describe('toolperf stats', () => {
  it('defaults to tool-execution: a row per tool and (all)', async () => {
    const { code, stdout, stderr } = await stats('ses_b');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.split('\n')[0]).toBe('tool-execution (milliseconds)');
    expect(stdout).toMatch(/^ {2}grep\s+1\s+0\s+100\.0%/m);
    expect(stdout).toMatch(/^ {2}read\s+3\s+1\s+66\.7%/m);
    expect(stdout).toMatch(/^ {2}\(all\)\s+4\s+1\s+75\.0%/m);
    expect(stdout).toContain('errors by type: ENOENT ×1');
    expect(stdout).not.toContain('plan');
  });

  it('--operation picks another operation type', async () => {
    const { code, stdout } = await stats('ses_b', '--operation', 'llm-call');
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe('llm-call (milliseconds)');
    expect(stdout).toMatch(/^ {2}plan\s+2\s+0\s+100\.0%/m);
    expect(stdout).not.toMatch(/^ {2}read/m);
  });

  it('--tool prints that one tool only', async () => {
    const { code, stdout } = await stats('ses_b', '--tool', 'read');
    expect(code).toBe(0);
    const rows = stdout.split('\n').filter((line) => /^ {2}\S/.test(line) && !line.includes('---'));
    expect(rows.map((r) => r.trim().split(/\s+/)[0])).toEqual(['tool', 'read', 'errors']);
    expect(stdout).toMatch(/^ {2}read\s+3\s+1\s+66\.7%/m);
    expect(stdout).toContain('errors by type: ENOENT ×1');
  });

  it('--json prints the operation stats, with its tools', async () => {
    const { code, stdout } = await stats('ses_b', '--json');
    expect(code).toBe(0);
    const printed = JSON.parse(stdout) as OperationStats;
    expect(printed).toMatchObject({ count: 4, errors: 1, successRate: 0.75, errorTypes: { ENOENT: 1 } });
    expect(Object.keys(printed.tools).sort()).toEqual(['grep', 'read']);
  });

  it('--json --tool prints one tool\'s duration stats', async () => {
    const { code, stdout } = await stats('ses_b', '--operation', 'llm-call', '--tool', 'plan', '--json');
    expect(code).toBe(0);
    const printed = JSON.parse(stdout) as DurationStats;
    expect(printed).toMatchObject({ count: 2, errors: 0, successRate: 1 });
    expect(printed.p50Ms).toBeGreaterThanOrEqual(printed.minMs);
    expect(printed).not.toHaveProperty('tools');
  });

  it('an unknown operation type exits 1 and lists the ones there are', async () => {
    expectOneLineError(await stats('ses_b', '--operation', 'file-io'), 'session "ses_b" has no operation type "file-io"; it has: llm-call, tool-execution');
  });

  it('an unknown tool exits 1 and lists the tools of that operation type', async () => {
    expectOneLineError(await stats('ses_b', '--tool', 'bash'), 'session "ses_b" has no tool "bash" in tool-execution; it has: grep, read');
  });

  it('an unknown session exits 1', async () => {
    expectOneLineError(await stats('ses_nope'), 'unknown session "ses_nope"');
  });

  it('an invalid session id exits 1', async () => {
    expectOneLineError(await stats('../../etc/passwd'), 'invalid session id');
  });

  it('a missing session id exits 1', async () => {
    expectOneLineError(await stats(), "missing required argument 'sessionId'");
  });

  it('an option without its value exits 1', async () => {
    expectOneLineError(await runToolperf(['stats', 'ses_b', '--tool']), "option '--tool <name>' argument missing");
  });
});
