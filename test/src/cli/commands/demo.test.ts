import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionReport, SessionSummary } from '../../../../src/index.js';
import { runToolperf, tempDir } from '../../../helpers/cli.js';

let dataDir: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  dataDir = await tempDir('toolperf-cli-demo-');
});
afterEach(() => dataDir.remove());

describe('toolperf demo', () => {
  it('runs the scripted session into --data-dir and prints its report', async () => {
    const { code, stdout, stderr } = await runToolperf(['demo', '--data-dir', dataDir.path]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const sessionId = /^Session (ses_demo_\w+)$/m.exec(stdout)?.[1];
    expect(sessionId).toBeDefined();
    expect(stdout).toMatch(/^ {2}\(all\)\s+12\s+2\s+83\.3%/m);
    expect(stdout).toContain('errors by type: ENOENT ×1, Error ×1');
    // The demo shortens the path to one relative to the working directory when that is shorter.
    const written = /^Report written to (.+)$/m.exec(stdout)?.[1];
    expect(written && resolve(written)).toBe(join(dataDir.path, 'session', 'performance', `${sessionId}.json`));
    // It ends by saying how to open the dashboard on that data directory.
    const [hint, serve, open] = stdout.trimEnd().split('\n').slice(-3);
    expect(hint).toBe('See it in the dashboard:');
    // The path shortened the same way: relative to the working directory when that is shorter.
    expect(resolve(/^ {2}npx toolperf serve --data-dir (.+)$/.exec(serve ?? '')?.[1] ?? '')).toBe(dataDir.path);
    expect(open).toBe(`  then open http://127.0.0.1:7318/#/sessions/${sessionId}`);

    const listed = await runToolperf(['sessions', '--json', '--data-dir', dataDir.path]);
    expect((JSON.parse(listed.stdout) as { sessions: SessionSummary[] }).sessions).toMatchObject([{ sessionId, calls: 12, errors: 2 }]);
  });

  it('honours --config (maxMetrics bounds the recent calls kept)', async () => {
    const config = join(dataDir.path, 'toolperf.json');
    await writeFile(config, JSON.stringify({ performance: { maxMetrics: 3 } }));
    const { code, stdout } = await runToolperf(['demo', '--config', config, '--data-dir', dataDir.path]);
    expect(code).toBe(0);
    expect(stdout).toContain('last 3 of 3 recent calls');
    const sessionId = /^Session (ses_demo_\w+)$/m.exec(stdout)?.[1] as string;
    const report = JSON.parse((await runToolperf(['report', sessionId, '--json', '--data-dir', dataDir.path])).stdout) as SessionReport;
    expect(report.recent).toHaveLength(3);
    expect(report.operations['tool-execution']?.count).toBe(12);
  });

  it('an invalid config exits 1 with one line and runs nothing', async () => {
    const config = join(dataDir.path, 'bad.json');
    await writeFile(config, JSON.stringify({ performance: { maxMetrics: -1 } }));
    const { code, stdout, stderr } = await runToolperf(['demo', '--config', config, '--data-dir', dataDir.path]);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain('performance.maxMetrics = -1');
  });

  it('takes no positional', async () => {
    const { code, stderr } = await runToolperf(['demo', 'extra', '--data-dir', dataDir.path]);
    expect(code).toBe(1);
    expect(stderr).toContain('too many arguments');
  });
});
