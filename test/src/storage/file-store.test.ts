import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallRecord } from '../../../src/reports/call-record.js';
import { FileReportStore, REPORTS_SUBDIRECTORY, UnreadableReportError } from '../../../src/storage/file-store.js';
import type { Logger } from '../../../src/util/logger.js';
import type { StoredSessionReport } from '../../../src/document/report.js';
import { SessionAggregate } from '../../../src/reports/session-aggregate.js';
import { InvalidSessionIdError } from '../../../src/util/session-id.js';
import { reportStoreContract } from './report-store-contract.js';

const T0 = Date.UTC(2025, 0, 1);

function reportOf(sessionId: string, calls = 3, errors = 0): StoredSessionReport {
  const aggregate = new SessionAggregate(sessionId, 10);
  for (let i = 0; i < calls; i++) {
    const record: CallRecord = {
      sessionId,
      operationType: i % 4 === 3 ? 'llm-call' : 'tool-execution',
      toolName: ['read', 'bash', 'edit'][i % 3]!,
      callId: `call_${i}`,
      startTimeMs: T0 + i * 1000,
      durationMs: 5 + i * 1.5,
      errorType: i < errors ? 'ENOENT' : undefined,
      traceId: undefined,
      spanId: undefined,
    };
    aggregate.add(record);
  }
  return aggregate.toStored();
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (line) => void lines.push(line) };
}

let dataDir: string;
let logger: ReturnType<typeof recordingLogger>;
let store: FileReportStore;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'toolperf-file-store-'));
  logger = recordingLogger();
  store = new FileReportStore(dataDir, logger);
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function entries(): Promise<string[]> {
  return (await readdir(store.directory)).sort();
}

async function listedIds(): Promise<string[]> {
  return (await store.list()).map((s) => s.sessionId).sort();
}

describe('FileReportStore paths', () => {
  it('keeps reports in <dataDir>/session/performance/<id>.json', () => {
    expect(REPORTS_SUBDIRECTORY).toBe(join('session', 'performance'));
    expect(store.directory).toBe(join(dataDir, 'session', 'performance'));
    expect(store.pathOf('ses_1')).toBe(join(dataDir, 'session', 'performance', 'ses_1.json'));
  });

  it.each([
    ['traversal', '../x'],
    ['slash', 'a/b'],
    ['empty', ''],
    ['too long', 'a'.repeat(200)],
    ['hidden', '.hidden'],
  ])('throws InvalidSessionIdError for a %s id, from every entry point', async (_label, id) => {
    expect(() => store.pathOf(id)).toThrow(InvalidSessionIdError);
    await expect(store.get(id)).rejects.toBeInstanceOf(InvalidSessionIdError);
    await expect(store.put(reportOf(id))).rejects.toBeInstanceOf(InvalidSessionIdError);
    await expect(store.delete(id)).rejects.toBeInstanceOf(InvalidSessionIdError);
    expect(() => store.getSync(id)).toThrow(InvalidSessionIdError);
    expect(() => store.putSync(reportOf(id))).toThrow(InvalidSessionIdError);
    // Nothing was written anywhere, in particular not one directory up.
    expect(existsSync(join(dataDir, 'session', 'x.json'))).toBe(false);
    expect(existsSync(store.directory) ? await entries() : []).toEqual([]);
  });
});

describe('FileReportStore put / get / list / delete', () => {
  it('returns what was put', async () => {
    const report = reportOf('ses_1', 7, 2);
    await store.put(report);
    expect(await store.get('ses_1')).toEqual(JSON.parse(JSON.stringify(report)));
    expect(store.getSync('ses_1')).toEqual(JSON.parse(JSON.stringify(report)));
    // The file is the report, led by its digest (what a listing reads).
    const { digest, ...document } = JSON.parse(await readFile(store.pathOf('ses_1'), 'utf8')) as { digest: unknown };
    expect(document).toEqual(JSON.parse(JSON.stringify(report)));
    expect(digest).toMatchObject({ summary: { sessionId: 'ses_1', calls: 7, errors: 2 } });
  });

  it('returns undefined for a session never stored, even before the directory exists', async () => {
    expect(await store.get('nobody')).toBeUndefined();
    expect(store.getSync('nobody')).toBeUndefined();
    await store.put(reportOf('someone'));
    expect(await store.get('nobody')).toBeUndefined();
  });

  it('replaces the previous report of a session', async () => {
    await store.put(reportOf('ses', 2));
    await store.put(reportOf('ses', 9, 1));
    expect((await store.list())).toEqual([expect.objectContaining({ sessionId: 'ses', calls: 9, errors: 1 })]);
  });

  it('lists the summaries of every stored report', async () => {
    await store.put(reportOf('a', 1));
    await store.put(reportOf('b', 4, 2));
    const ended = new SessionAggregate('c', 5);
    ended.end(T0 + 10_000);
    await store.put(ended.toStored());

    const summaries = (await store.list()).sort((x, y) => x.sessionId.localeCompare(y.sessionId));
    expect(summaries).toEqual([
      {
        sessionId: 'a', startedAt: new Date(T0).toISOString(), updatedAt: new Date(T0 + 5).toISOString(),
        calls: 1, errors: 0, toolCalls: 1, toolErrors: 0, errorRate: 0, durationMs: 5, tools: ['read'],
      },
      expect.objectContaining({ sessionId: 'b', calls: 4, errors: 2, errorRate: 0.5 }),
      {
        sessionId: 'c', startedAt: new Date(T0 + 10_000).toISOString(), updatedAt: new Date(T0 + 10_000).toISOString(), endedAt: new Date(T0 + 10_000).toISOString(),
        calls: 0, errors: 0, toolCalls: 0, toolErrors: 0, errorRate: 0, durationMs: 0, tools: [],
      },
    ]);
  });

  it('lists nothing when the directory does not exist', async () => {
    expect(await store.list()).toEqual([]);
  });

  it('ignores temp files, hidden files and non-json files when listing', async () => {
    await store.put(reportOf('a'));
    const junk = reportOf('x');
    await writeFile(join(store.directory, '.x.json.123.1.tmp'), JSON.stringify(junk));
    await writeFile(join(store.directory, '.x.json'), JSON.stringify(junk));
    await writeFile(join(store.directory, 'notes.txt'), 'hello');
    await writeFile(join(store.directory, 'x.json.bak'), JSON.stringify(junk));
    await writeFile(join(store.directory, 'x.json.corrupt-2025-01-01T00-00-00-000Z'), '{');
    expect(await listedIds()).toEqual(['a']);
    expect(logger.lines).toEqual([]);
  });

  it('lists many sessions (more than one read batch)', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `s${String(i).padStart(2, '0')}`);
    await Promise.all(ids.map((id, i) => store.put(reportOf(id, (i % 5) + 1))));
    const summaries = await store.list();
    expect(summaries.map((s) => s.sessionId).sort()).toEqual(ids);
    expect(summaries.find((s) => s.sessionId === 's07')?.calls).toBe(3);
  });

  it('delete returns true when a report was deleted and false when there was none', async () => {
    await store.put(reportOf('a'));
    expect(await store.delete('a')).toBe(true);
    expect(await store.delete('a')).toBe(false);
    expect(await store.delete('never')).toBe(false);
    expect(await store.get('a')).toBeUndefined();
    expect(await listedIds()).toEqual([]);
  });

  it('leaves no temp file behind after writes', async () => {
    await store.put(reportOf('a'));
    store.putSync(reportOf('b'));
    await store.put(reportOf('a', 5));
    expect(await entries()).toEqual(['a.json', 'b.json']);
  });
});

describe('FileReportStore synchronous calls', () => {
  it('putSync writes into a fresh data directory and getSync reads it back', () => {
    const report = reportOf('sync', 4, 1);
    store.putSync(report);
    expect(store.getSync('sync')).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it('reads synchronously what was put asynchronously, and the other way round', async () => {
    await store.put(reportOf('async', 2));
    expect(store.getSync('async')?.operations['tool-execution']?.count).toBe(2);
    store.putSync(reportOf('async', 6));
    expect((await store.get('async'))?.recent).toHaveLength(6);
  });

});

describe('FileReportStore corrupt reports', () => {
  const CORRUPT: ReadonlyArray<readonly [string, string]> = [
    ['bad JSON', '{"schemaVersion": 1, "sessionId": '],
    ['JSON failing the schema', JSON.stringify({ schemaVersion: 1, sessionId: 'bad', operations: 'none' })],
    ['a JSON array', '[]'],
    ['JSON null', 'null'],
  ];

  it.each(CORRUPT)('%s: reported once, moved aside, read as missing; other sessions still list', async (_label, text) => {
    await store.put(reportOf('good', 2));
    await writeFile(store.pathOf('bad'), text);

    expect(await listedIds()).toEqual(['good']);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toContain(store.pathOf('bad'));
    expect(logger.lines[0]).toContain('corrupt');

    const names = await entries();
    expect(names).not.toContain('bad.json');
    const aside = names.filter((n) => n.startsWith('bad.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(aside[0]).toMatch(/^bad\.json\.corrupt-\d{4}-\d{2}-\d{2}T[\d-]+Z$/);
    expect(await readFile(join(store.directory, aside[0]!), 'utf8')).toBe(text);

    // Once aside, it is just missing: no second report.
    expect(await store.get('bad')).toBeUndefined();
    expect(store.getSync('bad')).toBeUndefined();
    expect(await listedIds()).toEqual(['good']);
    expect(logger.lines).toHaveLength(1);
  });

  it('get on a corrupt report returns undefined and moves it aside', async () => {
    await mkdir(store.directory, { recursive: true });
    await writeFile(store.pathOf('bad'), '{{{');
    expect(await store.get('bad')).toBeUndefined();
    expect(logger.lines).toHaveLength(1);
    expect(await entries()).toEqual([expect.stringMatching(/^bad\.json\.corrupt-/)]);
  });

  it('getSync on a corrupt report returns undefined and moves it aside', async () => {
    await mkdir(store.directory, { recursive: true });
    await writeFile(store.pathOf('bad'), JSON.stringify({ ...reportOf('bad'), recent: 'nope' }));
    expect(store.getSync('bad')).toBeUndefined();
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toContain('recent');
    expect(await entries()).toEqual([expect.stringMatching(/^bad\.json\.corrupt-/)]);
  });

  it('a new report can be written after a corrupt one was moved aside', async () => {
    await mkdir(store.directory, { recursive: true });
    await writeFile(store.pathOf('s'), 'garbage');
    expect(await store.get('s')).toBeUndefined();
    await store.put(reportOf('s', 3));
    expect((await store.get('s'))?.operations['tool-execution']?.count).toBe(3);
  });
});

describe('FileReportStore reports of a newer schema', () => {
  async function writeNewer(id: string): Promise<string> {
    await mkdir(store.directory, { recursive: true });
    const text = JSON.stringify({ ...reportOf(id), schemaVersion: 999, somethingNew: true });
    await writeFile(store.pathOf(id), text);
    return text;
  }

  it('get and getSync throw UnreadableReportError and leave the file alone', async () => {
    const text = await writeNewer('future');
    await expect(store.get('future')).rejects.toBeInstanceOf(UnreadableReportError);
    await expect(store.get('future')).rejects.toThrow(/schemaVersion 999/);
    expect(() => store.getSync('future')).toThrow(UnreadableReportError);
    expect(await entries()).toEqual(['future.json']);
    expect(await readFile(store.pathOf('future'), 'utf8')).toBe(text);
  });

  it('list skips it without moving it, and still lists the other sessions', async () => {
    const text = await writeNewer('future');
    await store.put(reportOf('now'));
    expect(await listedIds()).toEqual(['now']);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toContain('future');
    expect(await entries()).toEqual(['future.json', 'now.json']);
    expect(await readFile(store.pathOf('future'), 'utf8')).toBe(text);
  });
});

describe('FileReportStore atomic writes', () => {
  it('a put whose rename fails removes its temp file and rejects', async () => {
    await store.put(reportOf('other'));
    // A directory where the report should go: the final rename cannot replace it.
    await mkdir(store.pathOf('blocked'));
    await writeFile(join(store.pathOf('blocked'), 'keep'), 'x');
    await expect(store.put(reportOf('blocked'))).rejects.toThrow();
    expect(await entries()).toEqual(['blocked.json', 'other.json']);
    expect(await readdir(store.pathOf('blocked'))).toEqual(['keep']);
  });

  it('a putSync whose rename fails removes its temp file and throws', async () => {
    await store.put(reportOf('other'));
    await mkdir(store.pathOf('blocked'));
    expect(() => store.putSync(reportOf('blocked'))).toThrow();
    expect(await entries()).toEqual(['blocked.json', 'other.json']);
  });

  /** A report that fails while being written: after the temp file is opened, before it is complete. */
  function failingMidWrite(sessionId: string): StoredSessionReport {
    const report = reportOf(sessionId, 50);
    const poisoned = { ...report.operations['tool-execution']!, toJSON: () => { throw new Error('simulated write failure'); } };
    return { ...report, operations: { ...report.operations, 'tool-execution': poisoned } };
  }

  it('a put failing mid-way keeps the previous report intact and leaves no temp file', async () => {
    await store.put(reportOf('ses', 2));
    const before = await readFile(store.pathOf('ses'), 'utf8');
    await expect(store.put(failingMidWrite('ses'))).rejects.toThrow('simulated write failure');
    expect(await readFile(store.pathOf('ses'), 'utf8')).toBe(before);
    expect(await entries()).toEqual(['ses.json']);
    expect((await store.get('ses'))?.operations['tool-execution']?.count).toBe(2);
  });

  it('a putSync failing mid-way keeps the previous report intact and leaves no temp file', async () => {
    store.putSync(reportOf('ses', 2));
    const before = await readFile(store.pathOf('ses'), 'utf8');
    expect(() => store.putSync(failingMidWrite('ses'))).toThrow('simulated write failure');
    expect(await readFile(store.pathOf('ses'), 'utf8')).toBe(before);
    expect(await entries()).toEqual(['ses.json']);
  });

  it('concurrent puts of one session leave one complete report, never a mix', async () => {
    const reports = Array.from({ length: 12 }, (_, i) => reportOf('busy', i + 1));
    await Promise.all(reports.map((r) => store.put(r)));
    const stored = await store.get('busy');
    // Exactly one of the written versions, whole.
    expect(reports.map((r) => JSON.parse(JSON.stringify(r)) as unknown)).toContainEqual(stored);
    expect(await entries()).toEqual(['busy.json']);
    expect(logger.lines).toEqual([]);
  });
});

describe('FileReportStore storage faults', () => {
  it('makes the directory again when it was removed after the first write (and again, and again)', async () => {
    await store.put(reportOf('ses', 2));
    for (let round = 3; round < 6; round++) {
      await rm(dataDir, { recursive: true, force: true });
      await store.put(reportOf('ses', round));
      expect((await store.get('ses'))?.recent).toHaveLength(round);
    }
    expect(logger.lines).toEqual([]);
  });

  it('a copy of another session’s report is not that session: set aside, and listed once under its own id', async () => {
    await store.put(reportOf('ses_a', 4));
    await copyFile(store.pathOf('ses_a'), store.pathOf('ses_b'));
    expect(await listedIds()).toEqual(['ses_a']);
    expect(await store.get('ses_b')).toBeUndefined();
    expect(logger.lines).toEqual([expect.stringMatching(/corrupt report .*ses_b\.json \(the report of another session\): moved to /)]);
    await writeFile(store.pathOf('ses_c'), await readFile(store.pathOf('ses_a')));
    expect(store.getSync('ses_c')).toBeUndefined();
  });

  it('a text that is not JSON is said to be so, never quoted', async () => {
    await mkdir(store.directory, { recursive: true });
    await writeFile(store.pathOf('ses_pw'), 'root:x:0:0:root:/root:/bin/bash');
    expect(await store.get('ses_pw')).toBeUndefined();
    expect(logger.lines).toEqual([expect.stringMatching(/corrupt report .*ses_pw\.json \(not valid JSON\): moved to /)]);
    expect(logger.lines[0]).not.toContain('root:x');
  });

  it('many readers of one corrupt file at once: set aside once, said once', async () => {
    await mkdir(store.directory, { recursive: true });
    await writeFile(store.pathOf('bad'), '{{{');
    const results = await Promise.all(Array.from({ length: 8 }, () => store.get('bad')));
    expect(results).toEqual(Array(8).fill(undefined));
    expect(logger.lines).toHaveLength(1);
    expect((await entries()).filter((n) => n.startsWith('bad.json.corrupt-'))).toHaveLength(1);
  });

  it('two stores of one process (one pid) writing one session at once never share a temp file', async () => {
    const other = new FileReportStore(dataDir, logger);
    for (let round = 0; round < 5; round++) {
      await Promise.all([store.put(reportOf('shared', 2)), other.put(reportOf('shared', 3)), store.put(reportOf('shared', 4)), other.put(reportOf('shared', 5))]);
    }
    expect(await entries()).toEqual(['shared.json']);
    expect([2, 3, 4, 5]).toContain((await store.get('shared'))?.recent.length);
  });
});

describe('FileReportStore.update: read, merge and write under the session lock', () => {
  /** A merge that adds one call of `tool` to whatever is stored. */
  const oneMore =
    (tool: string) =>
    (stored: StoredSessionReport | undefined): StoredSessionReport => {
      const aggregate = new SessionAggregate('ses', 10);
      if (stored) aggregate.mergeStored(stored);
      aggregate.add({ ...callOf(tool), sessionId: 'ses' });
      return aggregate.toStored();
    };
  const callOf = (tool: string): CallRecord => ({
    sessionId: 'ses', operationType: 'tool-execution', toolName: tool, callId: undefined, startTimeMs: T0, durationMs: 1, errorType: undefined, traceId: undefined, spanId: undefined,
  });
  const countOf = (report: StoredSessionReport | undefined) => report?.operations['tool-execution']?.count;

  it('two stores on one directory, 40 updates each at once: none is lost', async () => {
    const other = new FileReportStore(dataDir, logger);
    await Promise.all(Array.from({ length: 40 }, () => [store.update('ses', oneMore('a')), other.update('ses', oneMore('b'))]).flat());
    const stored = await store.get('ses');
    expect(stored?.operations['tool-execution']?.tools).toMatchObject({ a: { count: 40 }, b: { count: 40 } });
    expect((await entries()).filter((name) => name !== 'ses.json')).toEqual([]);
  });

  it('resolves with what it stored, and reads nothing when handed that back while the file did not change', async () => {
    const first = await store.update('ses', oneMore('a'));
    let reads = 0;
    const get = store.get.bind(store);
    store.get = async (id) => (reads++, get(id));
    const second = await store.update('ses', oneMore('a'), first);
    expect(reads).toBe(0);
    expect(countOf(second)).toBe(2);
    // Another writer changed the file: the report handed back is stale, so the file is read.
    await new FileReportStore(dataDir, logger).update('ses', oneMore('b'));
    const third = await store.update('ses', oneMore('a'), second);
    expect(reads).toBe(1);
    expect(countOf(third)).toBe(4);
    expect(countOf(await store.get('ses'))).toBe(4);
  });

  it('writes nothing when the merge returns undefined', async () => {
    await store.update('ses', oneMore('a'));
    const before = await readFile(store.pathOf('ses'), 'utf8');
    expect(countOf(await store.update('ses', () => undefined))).toBe(1);
    expect(store.updateSync('ses', () => undefined)).toBeDefined();
    expect(await readFile(store.pathOf('ses'), 'utf8')).toBe(before);
    expect(await store.update('none', () => undefined)).toBeUndefined();
  });

  it('updateSync merges like update, under the same lock', async () => {
    const first = store.updateSync('ses', oneMore('a'));
    await store.update('ses', oneMore('b'));
    expect(countOf(store.updateSync('ses', oneMore('a'), first))).toBe(3);
    expect(countOf(await store.get('ses'))).toBe(3);
  });

  it('waits for a lock another writer holds, then writes', async () => {
    const { FileLock } = await import('../../../src/storage/file-lock.js');
    await store.put(reportOf('ses', 1));
    const held = await FileLock.acquire(join(store.directory, '.ses.json.lock'), { timeoutMs: 1000 });
    const writing = store.update('ses', oneMore('a'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(countOf(await store.get('ses'))).toBe(1);
    await held.release();
    expect(countOf(await writing)).toBe(2);
  });
});

describe('FileReportStore.identity', () => {
  it('is made once and shared by every store on the directory', async () => {
    const id = store.identity();
    expect(id).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    expect(new FileReportStore(dataDir, logger).identity()).toBe(id);
    expect(await readFile(join(store.directory, '.store-id'), 'utf8')).toBe(`${id}\n`);
    expect(await listedIds()).toEqual([]);
  });

  it('is undefined for a .store-id that holds no id (never quoted), and for a directory that cannot be made', async () => {
    await mkdir(store.directory, { recursive: true });
    await writeFile(join(store.directory, '.store-id'), 'root:x:0:0');
    expect(new FileReportStore(dataDir, logger).identity()).toBeUndefined();
    await writeFile(join(dataDir, 'file'), '');
    expect(new FileReportStore(join(dataDir, 'file'), logger).identity()).toBeUndefined();
  });
});

describe('FileReportStore: the store contract', () => {
  reportStoreContract(() => ({ store, other: () => new FileReportStore(dataDir, logger) }), true);
});
