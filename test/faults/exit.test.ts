import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileReportStore, REPORTS_SUBDIRECTORY } from '../../src/index.js';
import { startFixture } from '../helpers/child.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'toolperf-faults-exit-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function storedCount(sessionId: string): Promise<number | undefined> {
  return (await new FileReportStore(dataDir).get(sessionId))?.operations['tool-execution']?.count;
}

async function tempFiles(): Promise<string[]> {
  const names = await readdir(join(dataDir, REPORTS_SUBDIRECTORY)).catch(() => []);
  return names.filter((name) => name.endsWith('.tmp'));
}

describe('process.exit() while a debounced write is under way (issue item 2)', () => {
  it.each(['get', 'put', 'put-late'] as const)('exit during its %s: every call is stored, no temp file is left', async (stage) => {
    for (let run = 0; run < 3; run++) {
      const finished = await startFixture('exit-in-flight.ts', [dataDir, stage]).done;
      expect(finished.stderr).toBe('');
      expect(finished.code).toBe(0);
      expect([await storedCount('ses_a'), await storedCount('ses_b')]).toEqual([30 * (run + 1), 10 * (run + 1)]);
      expect(await tempFiles()).toEqual([]);
    }
  });
});
