import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Hooks } from '@opencode-ai/plugin';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileReportStore } from '../../../src/index.js';
import * as pluginModule from '../../../src/integrations/opencode.js';
import { openCodeErrorType } from '../../../src/integrations/opencode-tool-tracker.js';
import { loadPluginModule, pluginInput, toolPartEvent, type Event } from '../../helpers/opencode-host.js';

let directory: string;
let hooks: Hooks | undefined;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'toolperf-opencode-'));
});
afterEach(async () => {
  await hooks?.dispose?.();
  hooks = undefined;
  await rm(directory, { recursive: true, force: true });
});

async function load(options?: Record<string, unknown>) {
  const { input, logLines } = pluginInput(directory);
  const all = await loadPluginModule(pluginModule, input, options ?? { dataDir: 'reports' });
  expect(all).toHaveLength(1);
  hooks = all[0] as Hooks;
  return { hooks, logLines, store: new FileReportStore(join(directory, 'reports')) };
}

const emit = (h: Hooks, event: Event) => h.event?.({ event });

/** One tool call, in the order OpenCode drives the hooks: part pending, running, before, the tool, after (success only), part completed or error. */
async function runTool(h: Hooks, sessionID: string, callID: string, tool: string, body: () => Promise<string>): Promise<void> {
  const args = { callID };
  await emit(h, toolPartEvent(sessionID, callID, tool, { status: 'pending', input: {}, raw: '' }));
  const start = Date.now();
  await emit(h, toolPartEvent(sessionID, callID, tool, { status: 'running', input: args, time: { start } }));
  await h['tool.execute.before']?.({ tool, sessionID, callID }, { args });
  let output: string;
  try {
    output = await body();
  } catch (error) {
    await emit(h, toolPartEvent(sessionID, callID, tool, { status: 'error', input: args, error: String(error), time: { start, end: Date.now() } }));
    return;
  }
  await h['tool.execute.after']?.({ tool, sessionID, callID, args }, { title: tool, output, metadata: {} });
  await emit(h, toolPartEvent(sessionID, callID, tool, { status: 'completed', input: args, output, title: tool, metadata: {}, time: { start, end: Date.now() } }));
}

async function endTurn(h: Hooks, sessionID: string) {
  await emit(h, { type: 'session.status', properties: { sessionID, status: { type: 'idle' } } });
  await emit(h, { type: 'session.idle', properties: { sessionID } });
}

describe('the OpenCode plugin', () => {
  it('reports a session\'s successes, failures and parallel calls as OpenCode drives the hooks', async () => {
    const { hooks: h, store } = await load();
    const s = 'ses_opencode1';
    await emit(h, { type: 'session.status', properties: { sessionID: s, status: { type: 'busy' } } });
    await runTool(h, s, 'call_read', 'read', async () => {
      await sleep(20);
      return 'file contents';
    });
    // Two calls in parallel, finishing in the other order.
    await Promise.all([
      runTool(h, s, 'call_grep1', 'grep', async () => {
        await sleep(30);
        return 'a.ts:1';
      }),
      runTool(h, s, 'call_grep2', 'grep', async () => 'b.ts:2'),
    ]);
    await runTool(h, s, 'call_bash', 'bash', async () => {
      throw Object.assign(new Error("ENOENT: no such file or directory, open '/nope'"), { code: 'ENOENT' });
    });
    // Denied before it ran: OpenCode sets the part to error without calling tool.execute.before.
    const t = Date.now();
    await emit(h, toolPartEvent(s, 'call_edit', 'edit', { status: 'error', input: {}, error: 'RejectedError: The user rejected permission to use this tool', time: { start: t - 5, end: t } }));
    // The same error update again (OpenCode republishes parts) is not a second call.
    await emit(h, toolPartEvent(s, 'call_edit', 'edit', { status: 'error', input: {}, error: 'RejectedError: The user rejected permission to use this tool', time: { start: t - 5, end: t } }));
    // Started and never finished: still open when the turn ends.
    await h['tool.execute.before']?.({ tool: 'webfetch', sessionID: s, callID: 'call_fetch' }, { args: { url: 'http://x' } });
    await endTurn(h, s);

    const report = await store.get(s);
    expect(report?.endedAt).toBeDefined();
    const ops = report?.operations['tool-execution'];
    expect(ops).toMatchObject({ count: 6, errors: 3, errorTypes: { ENOENT: 1, RejectedError: 1, incomplete: 1 } });
    const perTool = Object.fromEntries(Object.entries(ops?.tools ?? {}).map(([name, stats]) => [name, [stats.count, stats.errors]]));
    expect(perTool).toEqual({ read: [1, 0], grep: [2, 0], bash: [1, 1], edit: [1, 1], webfetch: [1, 1] });
    expect(ops?.tools.read?.minMs).toBeGreaterThanOrEqual(19);
    expect(ops?.tools.grep?.maxMs).toBeGreaterThanOrEqual(29);
    expect(ops?.tools.edit?.meanMs).toBeCloseTo(5, -1);
    expect(report?.recent.map((c) => c.callId).sort()).toEqual(['call_bash', 'call_edit', 'call_fetch', 'call_grep1', 'call_grep2', 'call_read']);
  });

  it('keeps calls of two sessions apart when their providers reuse a call ID', async () => {
    const { hooks: h, store } = await load();
    await h['tool.execute.before']?.({ tool: 'read', sessionID: 'ses_parent', callID: 'call_0' }, { args: {} });
    await h['tool.execute.before']?.({ tool: 'bash', sessionID: 'ses_child', callID: 'call_0' }, { args: {} });
    await h['tool.execute.after']?.({ tool: 'read', sessionID: 'ses_parent', callID: 'call_0', args: {} }, { title: '', output: 'x', metadata: {} });
    const t = Date.now();
    await emit(h, toolPartEvent('ses_child', 'call_0', 'bash', { status: 'error', input: {}, error: 'Error: exit 2', time: { start: t - 30, end: t } }));
    await endTurn(h, 'ses_parent');
    await endTurn(h, 'ses_child');
    expect((await store.get('ses_parent'))?.operations['tool-execution']).toMatchObject({ count: 1, errors: 0 });
    const child = (await store.get('ses_child'))?.operations['tool-execution'];
    expect(child).toMatchObject({ count: 1, errors: 1, errorTypes: { Error: 1 } });
    // Timed from tool.execute.before on this process's clock to the host's end time: well under a second.
    expect(child?.maxMs).toBeLessThan(1000);
  });

  it('continues a session after an idle turn and ends a deleted one', async () => {
    const { hooks: h, store } = await load();
    const s = 'ses_opencode2';
    await runTool(h, s, 'call_1', 'read', async () => 'x');
    await endTurn(h, s);
    const first = await store.get(s);
    expect(first?.operations['tool-execution']?.count).toBe(1);
    expect(first?.endedAt).toBeDefined();

    await runTool(h, s, 'call_2', 'read', async () => 'y');
    await h['tool.execute.before']?.({ tool: 'bash', sessionID: s, callID: 'call_3' }, { args: {} });
    await emit(h, { type: 'session.deleted', properties: { info: { id: s, projectID: 'p', directory, title: 't', version: '1', time: { created: 0, updated: 0 } } } });
    const second = await store.get(s);
    expect(second?.operations['tool-execution']).toMatchObject({ count: 3, errors: 1, errorTypes: { incomplete: 1 } });
    expect(second?.endedAt).toBeDefined();
  });

  it('takes settings from toolperf.json, the plugin options and the environment, and rejects unknown ones', async () => {
    await writeFile(join(directory, 'toolperf.json'), JSON.stringify({ performance: { dataDir: 'from-file', maxMetrics: 3 } }));
    const { input } = pluginInput(directory);
    const [fromFile] = await loadPluginModule(pluginModule, input, {});
    await runTool(fromFile as Hooks, 'ses_file', 'c1', 'read', async () => 'x');
    await endTurn(fromFile as Hooks, 'ses_file');
    await fromFile?.dispose?.();
    expect(JSON.parse(await readFile(join(directory, 'from-file', 'session', 'performance', 'ses_file.json'), 'utf8'))).toMatchObject({ sessionId: 'ses_file' });

    // A mistake in the settings turns tracking off and says why in OpenCode's log; OpenCode starts all the same.
    const bad = pluginInput(directory);
    await expect(loadPluginModule(pluginModule, bad.input, { enabledd: true })).resolves.toEqual([{}]);
    await expect.poll(() => bad.logLines.length).toBe(1);
    expect(bad.logLines[0]).toMatch(/toolperf is off: .*toolperf plugin options in opencode\.json.*performance\.enabledd/s);

    const [off] = await loadPluginModule(pluginModule, input, { enabled: false });
    expect(off).toEqual({});
  });

  it('never breaks OpenCode: a bad session ID is logged once to OpenCode\'s log and the hooks return', async () => {
    const { hooks: h, logLines } = await load();
    await expect(h['tool.execute.before']?.({ tool: 'read', sessionID: '../../etc', callID: 'c1' }, { args: {} })).resolves.toBeUndefined();
    await expect(h['tool.execute.before']?.({ tool: 'read', sessionID: '../../etc', callID: 'c2' }, { args: {} })).resolves.toBeUndefined();
    await expect.poll(() => logLines.length).toBe(1);
    expect(logLines[0]).toMatch(/toolperf opencode plugin: .*session/i);
  });
});

describe('openCodeErrorType', () => {
  it('finds a system code, else the error class, else an abort, else _OTHER', () => {
    expect(openCodeErrorType("Error: ENOENT: no such file or directory, open '/x'")).toBe('ENOENT');
    expect(openCodeErrorType('RejectedError: The user rejected permission')).toBe('RejectedError');
    expect(openCodeErrorType('TypeError: x is not a function')).toBe('TypeError');
    expect(openCodeErrorType('Error: exit 2')).toBe('Error');
    expect(openCodeErrorType('Tool execution aborted')).toBe('AbortError');
    expect(openCodeErrorType('ERROR: EXIT 1, see EOF')).toBe('_OTHER');
    expect(openCodeErrorType('something odd')).toBe('_OTHER');
  });
});
