import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { formatReport } from '../src/cli/format-report.js';
import { runDemo } from '../demo/demo.js';
import { FileReportStore } from '../src/index.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'toolperf-demo-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

it('runs a real tracked session and reports every call, failures included', async () => {
  const { sessionId, report, reportPath } = await runDemo({ dataDir, handleProcessExit: false, env: {} });
  const tools = report.operations['tool-execution'];
  expect(tools).toMatchObject({ count: 12, errors: 2, errorTypes: { ENOENT: 1, Error: 1 } });
  expect(Object.fromEntries(Object.entries(tools?.tools ?? {}).map(([name, s]) => [name, [s.count, s.errors]]))).toEqual({
    list: [1, 0],
    read: [6, 1],
    grep: [3, 0],
    bash: [2, 1],
  });
  expect(report.endedAt).toBeDefined();
  expect(reportPath).toContain(join('session', 'performance', `${sessionId}.json`));
  expect(await new FileReportStore(dataDir).get(sessionId)).toMatchObject({ sessionId, operations: { 'tool-execution': { count: 12 } } });

  const table = formatReport(report);
  expect(table).toMatch(/^ {2}read\s+6\s+1\s+83\.3%/m);
  expect(table).toMatch(/^ {2}\(all\)\s+12\s+2\s+83\.3%/m);
  expect(table).toContain('errors by type: ENOENT ×1, Error ×1');
});
