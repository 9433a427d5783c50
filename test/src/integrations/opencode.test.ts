import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Hooks } from '@opencode-ai/plugin';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileReportStore } from '../../../src/index.js';
import * as pluginModule from '../../../src/integrations/opencode.js';
import { failureOfOutput, failureOfText } from '../../../src/integrations/opencode-tool-tracker.js';
import { startFixture, waitForOutput } from '../../helpers/child.js';
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
  const { input, logLines, logRequests } = pluginInput(directory);
  const all = await loadPluginModule(pluginModule, input, options ?? { dataDir: 'reports' });
  expect(all).toHaveLength(1);
  hooks = all[0] as Hooks;
  return { hooks, logLines, logRequests, store: new FileReportStore(join(directory, 'reports')) };
}

const emit = (h: Hooks, event: Event) => h.event?.({ event });

interface Returned {
  readonly output: string;
  readonly metadata?: Record<string, unknown>;
}

/**
 * One tool call, in the order OpenCode 1.18 drives the hooks: part pending, running, before, the
 * tool, after (only when the tool returned), part completed or error.
 */
async function runTool(h: Hooks, sessionID: string, callID: string, tool: string, body: () => Promise<string | Returned>, args: Record<string, unknown> = { callID }): Promise<void> {
  await emit(h, toolPartEvent(sessionID, callID, tool, { status: 'pending', input: {}, raw: '' }));
  const start = Date.now();
  await emit(h, toolPartEvent(sessionID, callID, tool, { status: 'running', input: args, time: { start } }));
  await h['tool.execute.before']?.({ tool, sessionID, callID }, { args });
  let returned: Returned;
  try {
    const result = await body();
    returned = typeof result === 'string' ? { output: result } : result;
  } catch (error) {
    await emit(h, toolPartEvent(sessionID, callID, tool, { status: 'error', input: args, error: error instanceof Error ? error.message : String(error), time: { start, end: Date.now() } }));
    return;
  }
  const metadata = returned.metadata ?? {};
  await h['tool.execute.after']?.({ tool, sessionID, callID, args }, { title: tool, output: returned.output, metadata });
  await emit(h, toolPartEvent(sessionID, callID, tool, { status: 'completed', input: args, output: returned.output, title: tool, metadata, time: { start, end: Date.now() } }));
}

async function endTurn(h: Hooks, sessionID: string) {
  await emit(h, { type: 'session.status', properties: { sessionID, status: { type: 'idle' } } });
  await emit(h, { type: 'session.idle', properties: { sessionID } });
}

function perTool(ops: { tools: Record<string, { count: number; errors: number }> } | undefined) {
  return Object.fromEntries(Object.entries(ops?.tools ?? {}).map(([name, stats]) => [name, [stats.count, stats.errors]]));
}

describe('the OpenCode plugin', () => {
  it("reports a session's successes, failures and parallel calls as OpenCode drives the hooks, with the vocabulary's error types", async () => {
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
    // OpenCode's error texts are bare messages.
    await runTool(h, s, 'call_missing', 'read', async () => {
      throw new Error('File not found: /project/missing.txt');
    });
    await runTool(h, s, 'call_args', 'read', async () => {
      throw new Error('The read tool was called with invalid arguments: SchemaError(Missing key\n  at ["filePath"]).');
    });
    await runTool(h, s, 'call_ext', 'read', async () => {
      throw new Error('The user rejected permission to use this specific tool call.');
    });
    await runTool(h, s, 'call_rm', 'bash', async () => {
      throw new Error('The user has specified a rule which prevents you from using this specific tool call. Here are some of the relevant rules []');
    });
    const started = Date.now();
    await h['tool.execute.before']?.({ tool: 'webfetch', sessionID: s, callID: 'call_odd' }, { args: {} });
    const failed = toolPartEvent(s, 'call_odd', 'webfetch', { status: 'error', input: {}, error: 'Request failed with status code: 502', time: { start: started, end: Date.now() } });
    await emit(h, failed);
    // The same error update again (OpenCode republishes parts) is not a second call.
    await emit(h, failed);
    await endTurn(h, s);

    const report = await store.get(s);
    expect(report?.endedAt).toBeDefined();
    const ops = report?.operations['tool-execution'];
    expect(ops).toMatchObject({
      count: 8,
      errors: 5,
      errorTypes: { file_not_found: 1, invalid_arguments: 1, permission_denied: 2, tool_error: 1 },
    });
    expect(perTool(ops)).toEqual({ read: [4, 3], grep: [2, 0], bash: [1, 1], webfetch: [1, 1] });
    expect(ops?.tools.read?.maxMs).toBeGreaterThanOrEqual(19);
    expect(ops?.tools.grep?.maxMs).toBeGreaterThanOrEqual(29);
  });

  it('counts every call when the provider numbers calls per response (call_0 in each)', async () => {
    const { hooks: h, store } = await load();
    const s = 'ses_reused';
    // Three responses of one turn, each calling `call_0`; the second one's failure arrives as a part update.
    await runTool(h, s, 'call_0', 'read', async () => 'x');
    await runTool(h, s, 'call_0', 'read', async () => {
      throw new Error('File not found: /nope');
    });
    await Promise.all([runTool(h, s, 'call_0', 'bash', async () => ({ output: 'hi', metadata: { exit: 0 } })), runTool(h, s, 'call_1', 'glob', async () => 'a.ts')]);
    await endTurn(h, s);
    const ops = (await store.get(s))?.operations['tool-execution'];
    expect(ops).toMatchObject({ count: 4, errors: 1, errorTypes: { file_not_found: 1 } });
    expect(perTool(ops)).toEqual({ read: [2, 1], bash: [1, 0], glob: [1, 0] });
  });

  it("gives a late error update to the call it belongs to, not to a later call that reuses its ID", async () => {
    const { hooks: h, store } = await load();
    const s = 'ses_late';
    const first = Date.now() - 50;
    await h['tool.execute.before']?.({ tool: 'read', sessionID: s, callID: 'call_0' }, { args: {} });
    await sleep(5);
    const failedAt = Date.now();
    await sleep(5);
    // The next response's call_0 starts before the first call_0's error update is delivered.
    await h['tool.execute.before']?.({ tool: 'bash', sessionID: s, callID: 'call_0' }, { args: {} });
    await emit(h, toolPartEvent(s, 'call_0', 'read', { status: 'error', input: {}, error: 'File not found: /x', time: { start: first, end: failedAt } }));
    await h['tool.execute.after']?.({ tool: 'bash', sessionID: s, callID: 'call_0', args: {} }, { title: '', output: 'ok', metadata: { exit: 0 } });
    await endTurn(h, s);
    const ops = (await store.get(s))?.operations['tool-execution'];
    expect(perTool(ops)).toEqual({ read: [1, 1], bash: [1, 0] });
  });

  it('counts a call that failed before tool.execute.before, once', async () => {
    const { hooks: h, store } = await load();
    const s = 'ses_early';
    const t = Date.now();
    const aborted = toolPartEvent(s, 'call_0', 'edit', { status: 'error', input: {}, error: 'Tool execution aborted', time: { start: t - 5, end: t } });
    await emit(h, aborted);
    await emit(h, aborted);
    await endTurn(h, s);
    const ops = (await store.get(s))?.operations['tool-execution'];
    expect(ops).toMatchObject({ count: 1, errors: 1, errorTypes: { aborted: 1 } });
    expect(ops?.tools.edit?.meanMs).toBeCloseTo(5, -1);
  });

  it('counts an unknown tool as a failure of the tool the model asked for (OpenCode runs `invalid` in its place)', async () => {
    const { hooks: h, store } = await load();
    const s = 'ses_unknown';
    const args = { tool: 'no_such_tool', error: "Model tried to call unavailable tool 'no_such_tool'. Available tools: bash, read." };
    await runTool(h, s, 'call_0', 'invalid', async () => 'The arguments provided to the tool are invalid: …', args);
    // Without a tool name to read, it stays `invalid`.
    await runTool(h, s, 'call_1', 'invalid', async () => 'The arguments provided to the tool are invalid: …', {});
    await endTurn(h, s);
    const ops = (await store.get(s))?.operations['tool-execution'];
    expect(ops).toMatchObject({ count: 2, errors: 2, errorTypes: { unknown_tool: 2 } });
    expect(perTool(ops)).toEqual({ no_such_tool: [1, 1], invalid: [1, 1] });
  });

  it("fails a shell command by its exit code, its timeout or its abort, read from the tool's metadata", async () => {
    const { hooks: h, store } = await load();
    const s = 'ses_shell';
    await runTool(h, s, 'call_0', 'bash', async () => ({ output: 'hi', metadata: { exit: 0 } }));
    await runTool(h, s, 'call_1', 'bash', async () => ({ output: '(no output)', metadata: { exit: 3 } }));
    await runTool(h, s, 'call_2', 'bash', async () => ({ output: '<shell_metadata>\nshell tool terminated command after exceeding timeout 200 ms.\n</shell_metadata>', metadata: { exit: null } }));
    await runTool(h, s, 'call_3', 'bash', async () => ({ output: '<shell_metadata>\nUser aborted the command\n</shell_metadata>', metadata: { exit: null } }));
    await endTurn(h, s);
    const ops = (await store.get(s))?.operations['tool-execution'];
    expect(ops).toMatchObject({ count: 4, errors: 3, errorTypes: { nonzero_exit: 1, timeout: 1, aborted: 1 } });
  });

  it('ends a call still running when the session goes idle as aborted, and the late update does not count it again', async () => {
    const { hooks: h, store } = await load();
    const s = 'ses_abort';
    const start = Date.now();
    await emit(h, toolPartEvent(s, 'call_0', 'bash', { status: 'running', input: {}, time: { start } }));
    await h['tool.execute.before']?.({ tool: 'bash', sessionID: s, callID: 'call_0' }, { args: {} });
    // OpenCode's abort: the session goes idle first, the tool's end comes after.
    await endTurn(h, s);
    await h['tool.execute.after']?.({ tool: 'bash', sessionID: s, callID: 'call_0', args: {} }, { title: '', output: 'User aborted the command', metadata: { exit: null } });
    await emit(h, toolPartEvent(s, 'call_0', 'bash', { status: 'error', input: {}, error: 'Tool execution aborted', time: { start, end: Date.now() } }));
    await endTurn(h, s);
    const report = await store.get(s);
    expect(report?.operations['tool-execution']).toMatchObject({ count: 1, errors: 1, errorTypes: { aborted: 1 } });
  });

  it('writes a call running when OpenCode is interrupted (SIGINT, SIGTERM) as aborted, at once', async () => {
    const { hooks: h, store } = await load();
    const s = 'ses_sigint';
    await runTool(h, s, 'call_0', 'read', async () => 'x');
    await h['tool.execute.before']?.({ tool: 'bash', sessionID: s, callID: 'call_1' }, { args: { command: 'sleep 30' } });
    // OpenCode listens to the signal too and goes down right after, without session.idle or dispose.
    const host = (): void => {};
    process.on('SIGINT', host);
    try {
      process.emit('SIGINT', 'SIGINT');
      // Written synchronously, before the host's own handler could end the process.
      const report = await store.get(s);
      expect(report?.operations['tool-execution']).toMatchObject({ count: 2, errors: 1, errorTypes: { aborted: 1 } });
      expect(perTool(report?.operations['tool-execution'])).toEqual({ read: [1, 0], bash: [1, 1] });
    } finally {
      process.removeListener('SIGINT', host);
    }
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('in a host without a handler of its own (opencode run), %s writes the running call as aborted and the process goes down at once, by that signal', async (signal) => {
    const run = startFixture('agents/opencode/interrupted-host.ts', [directory]);
    await waitForOutput(run.output, 'ready');
    const sent = Date.now();
    run.child.kill(signal);
    const finished = await run.done;
    expect(finished.signal).toBe(signal);
    // No shutdown wait: the host is cut off about as soon as the signal alone would have cut it.
    expect(Date.now() - sent).toBeLessThan(2000);
    const report = await new FileReportStore(join(directory, 'reports')).get('ses_interrupted');
    expect(report?.operations['tool-execution']).toMatchObject({ count: 2, errors: 1, errorTypes: { aborted: 1 } });
    expect(perTool(report?.operations['tool-execution'])).toEqual({ read: [1, 0], bash: [1, 1] });
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
    expect(child).toMatchObject({ count: 1, errors: 1, errorTypes: { tool_error: 1 } });
    // Timed from tool.execute.before on this process's clock to the host's end time: well under a second.
    expect(child?.maxMs).toBeLessThan(1000);
  });

  it('continues a session after an idle turn and ends a deleted one', async () => {
    const { hooks: h, store } = await load();
    const s = 'ses_opencode2';
    await runTool(h, s, 'call_0', 'read', async () => 'x');
    await endTurn(h, s);
    const first = await store.get(s);
    expect(first?.operations['tool-execution']?.count).toBe(1);
    expect(first?.endedAt).toBeDefined();

    // The next turn's provider numbers from call_0 again.
    await runTool(h, s, 'call_0', 'read', async () => 'y');
    await h['tool.execute.before']?.({ tool: 'bash', sessionID: s, callID: 'call_1' }, { args: {} });
    await emit(h, { type: 'session.deleted', properties: { info: { id: s, projectID: 'p', directory, title: 't', version: '1', time: { created: 0, updated: 0 } } } });
    const second = await store.get(s);
    expect(second?.operations['tool-execution']).toMatchObject({ count: 3, errors: 1, errorTypes: { aborted: 1 } });
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
    // OpenCode 1.x writes `extra` as the line's fields (its `service` field is dropped): the line says service=toolperf.
    expect(bad.logRequests[0]).toMatchObject({ service: 'toolperf', level: 'error', extra: { service: 'toolperf' } });

    const [off] = await loadPluginModule(pluginModule, input, { enabled: false });
    expect(off).toEqual({});
  });

  it("never breaks OpenCode: a bad session ID is logged once to OpenCode's log and the hooks return", async () => {
    const { hooks: h, logLines, logRequests } = await load();
    await expect(h['tool.execute.before']?.({ tool: 'read', sessionID: '../../etc', callID: 'c1' }, { args: {} })).resolves.toBeUndefined();
    await expect(h['tool.execute.before']?.({ tool: 'read', sessionID: '../../etc', callID: 'c2' }, { args: {} })).resolves.toBeUndefined();
    await expect.poll(() => logLines.length).toBe(1);
    expect(logLines[0]).toMatch(/toolperf opencode plugin: .*session/i);
    expect(logRequests[0]).toMatchObject({ level: 'warn', extra: { service: 'toolperf' } });
  });
});

describe("OpenCode's failures in the vocabulary", () => {
  it("types OpenCode's error texts (bare messages, no class)", () => {
    expect(failureOfText('File not found: /p/missing.txt').kind).toBe('file_not_found');
    expect(failureOfText('The user rejected permission to use this specific tool call.').kind).toBe('permission_denied');
    expect(failureOfText('The user has specified a rule which prevents you from using this specific tool call. Here are some of the relevant rules [{"permission":"bash","pattern":"rm *","action":"deny"}]').kind).toBe('permission_denied');
    expect(failureOfText('The read tool was called with invalid arguments: SchemaError(Missing key\n  at ["filePath"]).').kind).toBe('invalid_arguments');
    expect(failureOfText('Could not find oldString in the file. It must match exactly, including whitespace and indentation.').kind).toBe('invalid_arguments');
    expect(failureOfText('Tool execution aborted').kind).toBe('aborted');
    expect(failureOfText('Request failed with status code: 502').kind).toBe('tool_error');
    expect(failureOfText('').kind).toBe('tool_error');
  });

  it('reads a shell command outcome from its metadata: exit code, or null with a timeout or an abort', () => {
    expect(failureOfOutput({ output: 'hi', metadata: { exit: 0 } })).toBeUndefined();
    expect(failureOfOutput({ output: '', metadata: { exit: 2 } })).toMatchObject({ kind: 'nonzero_exit', message: 'exit code 2' });
    expect(failureOfOutput({ output: 'shell tool terminated command after exceeding timeout 300 ms', metadata: { exit: null } })?.kind).toBe('timeout');
    expect(failureOfOutput({ output: 'User aborted the command', metadata: { exit: null } })?.kind).toBe('aborted');
    // Tools without an exit code in their metadata succeed when they return.
    expect(failureOfOutput({ output: 'x', metadata: { truncated: false } })).toBeUndefined();
    expect(failureOfOutput(undefined)).toBeUndefined();
  });
});
