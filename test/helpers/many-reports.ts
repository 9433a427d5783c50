import type { StoredSessionReport } from '../../src/document/report.js';
import type { ReportStore } from '../../src/storage/report-store.js';
import { storedReport, T0, type CallSpec } from '../src/server/fixtures.js';

const TOOLS = ['read', 'grep', 'edit', 'bash', 'glob'] as const;

/**
 * The `i`-th of many different sessions (`ses_<i>`): 1-12 calls of up to five tools, some failing,
 * one LLM call in every third session, starting a minute apart, so that no two reports are alike.
 */
export function variedReport(i: number): StoredSessionReport {
  const calls: CallSpec[] = [];
  for (let c = 0; c < 1 + (i % 12); c++) {
    const tool = TOOLS[(i + c) % TOOLS.length] as string;
    calls.push({ tool, ms: 1 + ((i * 7 + c * 13) % 400) + (c % 3) * 0.125, ...((i + c) % 9 === 0 ? { error: 'ENOENT' } : {}) });
  }
  if (i % 3 === 0) calls.push({ tool: 'plan', ms: 900 + (i % 50), operationType: 'llm-call' });
  return storedReport(sessionIdOf(i), T0 + i * 60_000, calls);
}

export function sessionIdOf(i: number): string {
  return `ses_${i.toString().padStart(6, '0')}`;
}

/** Puts `variedReport(0 .. count-1)` into `store`, `concurrency` at a time. */
export async function seedStore(store: ReportStore, count: number, concurrency = 32): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) await store.put(variedReport(i));
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
