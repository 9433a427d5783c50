import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createReports } from '../../../../src/reports/reports.js';
import { createReportApp } from '../../../../src/server/app.js';
import { InMemoryReportStore } from '../../../../src/storage/memory-store.js';
import { ArgumentFingerprinter } from '../../../../src/util/argument-fingerprint.js';
import { recordingLogger } from '../../../helpers/tracking.js';

const fixtureDir = fileURLToPath(new URL('../../../fixtures/agents/codex/mixed/', import.meta.url));
const logBodies = readdirSync(fixtureDir)
  .filter((name) => /^\d+-logs\.json$/.test(name))
  .sort()
  .map((name) => readFileSync(join(fixtureDir, name), 'utf8'));
const SESSION = (JSON.parse(readFileSync(join(fixtureDir, 'truth.json'), 'utf8')) as { sessionId: string }).sessionId;

interface Attribute {
  key: string;
  value: { stringValue?: string };
}

/** The `arguments` of each `codex.tool_result` record of the fixture, in the order the bodies hold them. */
function toolResultArguments(): string[] {
  const found: string[] = [];
  for (const body of logBodies) {
    const doc = JSON.parse(body) as { resourceLogs: { scopeLogs: { logRecords: { attributes: Attribute[] }[] }[] }[] };
    for (const records of doc.resourceLogs.flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords))) {
      const attributes = new Map(records.attributes.map((a) => [a.key, a.value.stringValue]));
      if (attributes.get('event.name') === 'codex.tool_result') found.push(attributes.get('arguments') as string);
    }
  }
  return found;
}

async function ingest(fingerprintArguments: boolean): Promise<{ store: InMemoryReportStore; recent: { toolName: string; argumentsFingerprint?: string }[] }> {
  const store = new InMemoryReportStore();
  const reports = createReports({ store });
  const app = createReportApp(reports, { fingerprintArguments, logger: recordingLogger() });
  for (const body of logBodies) {
    const response = await app.request('/v1/logs', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(200);
  }
  await reports.shutdown();
  return { store, recent: store.getSync(SESSION)?.recent ?? [] };
}

describe('OTLP ingest with fingerprintArguments, on the records Codex 0.171 sent', () => {
  const args = toolResultArguments();

  it('fingerprints each Codex call\'s arguments with the store\'s secret, and keeps nothing of them', async () => {
    expect(args).toHaveLength(8);
    expect(args).toContain('{"cmd":"cat notes.txt"}');
    const { store, recent } = await ingest(true);
    expect(recent).toHaveLength(8);
    const fingerprinter = new ArgumentFingerprinter();
    fingerprinter.setKey(store.secretSync());
    const expected = args.map((text) => fingerprinter.ofJsonText(text));
    expect(expected.every((fingerprint) => /^[A-Za-z0-9_-]{22}$/.test(fingerprint ?? ''))).toBe(true);
    expect(recent.map((call) => call.argumentsFingerprint).sort()).toEqual([...expected].sort());
    // Not one argument's text in the stored report (nor any piece of a command that ran).
    const stored = JSON.stringify(store.getSync(SESSION));
    for (const text of args) expect(stored).not.toContain(text);
    expect(stored).not.toContain('notes.txt');
    expect(stored).not.toContain('no-such-dir');
  });

  it('without it, the calls carry no fingerprint', async () => {
    const { recent } = await ingest(false);
    expect(recent).toHaveLength(8);
    expect(recent.every((call) => call.argumentsFingerprint === undefined)).toBe(true);
  });
});
