/**
 * The real OpenCode (test/agents/versions.json), headless against the fake model on loopback, both
 * ways toolperf takes its tool calls: its native spans sent to a real report server, and the toolperf
 * plugin loaded as the README says (the package packed and installed into the project, the plugin
 * file written by `toolperf setup opencode --write`). Each report is checked call for call against
 * OpenCode's own record of the session (`opencode export`).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { openCodeTelemetryEnv } from '../../src/cli/setup/opencode.js';
import { FileReportStore } from '../../src/index.js';
import type { SessionReport } from '../../src/document/report.js';
import { defaultDataDir } from '../../src/storage/data-dir.js';
import { errorKindOfText } from '../../src/util/error-vocabulary.js';
import { runToolperf } from '../helpers/cli.js';
import { programOrSkip } from '../helpers/real-component.js';
import { startFakeChatModel, type FakeChatModel } from './fake-model/openai-chat.js';
import { agentCli, pinnedAgent } from './helpers/agent-cli.js';
import { mixedTurn, openCodeSandbox, PROJECT_CONFIG, PROJECT_FILES, REJECTED_READ, type RecordedToolPart } from './helpers/opencode.js';
import { startToolperfServe } from './helpers/toolperf-serve.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const cli = agentCli('opencode');
const version = pinnedAgent('opencode').version;
const PROMPT = 'Work through the files.';

/** A call as both sides can name it: tool, call ID, and the error type (undefined for a success). */
interface CallOutcome {
  readonly tool: string;
  readonly callId: string;
  readonly errorType: string | undefined;
}

const byName = (a: CallOutcome, b: CallOutcome) => `${a.tool} ${a.callId} ${a.errorType}`.localeCompare(`${b.tool} ${b.callId} ${b.errorType}`);

function reportedCalls(report: SessionReport | undefined): CallOutcome[] {
  return (report?.recent ?? []).map((c) => ({ tool: c.toolName, callId: c.callId ?? '', errorType: c.errorType })).sort(byName);
}

/**
 * What OpenCode's own spans say of a call it stored: an error's text typed by the vocabulary, its
 * `invalid` tool as an unknown tool; a shell command's exit code is not on the span; a call that
 * never ended (interrupted) never gets one.
 */
function nativeOutcome({ tool, callID, state }: RecordedToolPart): CallOutcome | undefined {
  if (state.status === 'running' || state.status === 'pending') return undefined;
  if (tool === 'invalid') return { tool, callId: callID, errorType: 'unknown_tool' };
  return { tool, callId: callID, errorType: state.status === 'error' ? (errorKindOfText(state.error) ?? 'tool_error') : undefined };
}

/**
 * What the plugin sees of the same call: also the tool the `invalid` one stood for, the exit code,
 * timeout or abort of a shell command (from its metadata and output), and a call left running by
 * an interrupt, which it ends as aborted.
 */
function pluginOutcome({ tool, callID, state }: RecordedToolPart): CallOutcome {
  const outcome = (errorType: string | undefined, name = tool): CallOutcome => ({ tool: name, callId: callID, errorType });
  if (tool === 'invalid') return outcome('unknown_tool', typeof state.input?.tool === 'string' ? state.input.tool : tool);
  if (state.status === 'running' || state.status === 'pending') return outcome('aborted');
  if (state.status === 'error') return outcome(errorKindOfText(state.error) ?? 'tool_error');
  const exit = state.metadata?.exit;
  if (typeof exit === 'number') return outcome(exit === 0 ? undefined : 'nonzero_exit');
  if (exit === null) return outcome(/exceeding timeout/.test(state.output ?? '') ? 'timeout' : /User aborted/.test(state.output ?? '') ? 'aborted' : 'tool_error');
  return outcome(undefined);
}

/** Polls until `read` gives as many calls as expected (or the time is up), then hands back the last report. */
async function reportWithCalls(read: () => Promise<SessionReport | undefined>, calls: number, timeoutMs = 30_000): Promise<SessionReport | undefined> {
  const deadline = Date.now() + timeoutMs;
  let report = await read();
  while ((report?.recent.length ?? 0) < calls && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    report = await read();
  }
  return report;
}

describe('OpenCode, the real CLI', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function fakeModel(): Promise<FakeChatModel> {
    const model = await startFakeChatModel([]);
    cleanups.push(() => model.close());
    return model;
  }

  it('native spans: the report under OpenCode\'s session equals what OpenCode recorded, with telemetry as `toolperf setup opencode` prints it', { timeout: 180_000 }, async ({ skip }) => {
    const bin = programOrSkip(cli, skip);
    const model = await fakeModel();
    const dataDir = await mkdtemp(join(tmpdir(), 'toolperf-opencode-reports-'));
    const { reports, proxy, stop } = await startToolperfServe(dataDir);
    const sandbox = await openCodeSandbox(bin, { baseUrl: model.baseUrl, files: PROJECT_FILES, config: PROJECT_CONFIG });
    cleanups.push(() => sandbox.remove(), stop, () => rm(dataDir, { recursive: true, force: true }));

    // The turn ends with the model's answer, after a while, as a model's does: OpenCode sends its spans every
    // OTEL_BSP_SCHEDULE_DELAY and not at exit, so the spans of a run that stops at once after its last call are
    // lost (a rejected permission ends the run so: the plugin's test has that one).
    model.append(...mixedTurn(sandbox.project), { text: 'Done.', delayMs: 2000 });
    const done = await sandbox.run(['run', '--format', 'json', PROMPT], { env: openCodeTelemetryEnv(proxy.url) });
    expect(done.code, done.stderr).toBe(0);
    const sessionId = done.sessionId as string;
    expect(sessionId).toMatch(/^ses_/);

    const truth = (await sandbox.toolParts(sessionId)).map(nativeOutcome).filter((c): c is CallOutcome => c !== undefined).sort(byName);
    expect(truth).toHaveLength(9);
    const report = await reportWithCalls(() => reports.getReport({ sessionId }), truth.length);
    expect(reportedCalls(report)).toEqual(truth);
    const ops = report?.operations['tool-execution'];
    expect(ops?.count).toBe(truth.length);
    expect(ops?.errors).toBe(truth.filter((c) => c.errorType !== undefined).length);
    expect(ops?.errorTypes).toEqual({ file_not_found: 1, unknown_tool: 1, invalid_arguments: 1, permission_denied: 1 });
    expect(report?.agent).toEqual({ name: 'opencode', version });

    // Every request OpenCode sent was taken: traces and logs, no 404, nothing but 2xx; no exporter error on its side.
    const paths = new Set(proxy.answered.map((a) => a.path));
    expect(paths).toContain('/v1/traces');
    expect(paths).toContain('/v1/logs');
    expect(proxy.answered.filter((a) => a.status < 200 || a.status > 299)).toEqual([]);
    expect(done.stderr).not.toMatch(/OTLP|export(er)? (failed|error)|ECONNREFUSED/i);
    // OpenCode asked the fake model for nothing but chat completions.
    expect(model.unknown).toEqual([]);
  });

  it('the plugin, set up as the README says: each call of each turn, an interrupted call as aborted, call for call with OpenCode', { timeout: 300_000 }, async ({ skip }) => {
    const bin = programOrSkip(cli, skip);
    const model = await fakeModel();
    const sandbox = await openCodeSandbox(bin, { baseUrl: model.baseUrl, files: { ...PROJECT_FILES, 'package.json': '{ "name": "app", "private": true, "type": "module" }\n' }, config: PROJECT_CONFIG });
    const packDir = await mkdtemp(join(tmpdir(), 'toolperf-pack-'));
    cleanups.push(() => sandbox.remove(), () => rm(packDir, { recursive: true, force: true }));

    // The package as published: its JavaScript built from these sources (types are tsc's, and OpenCode
    // loads none), packed, and installed into the project from the tarball.
    await run(process.execPath, ['scripts/bundle.mjs'], { cwd: repo });
    const packed = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir], { cwd: repo });
    const tarball = join(packDir, packed.stdout.trim().split('\n').at(-1) as string);
    await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: sandbox.project });
    const setup = await runToolperf(['setup', 'opencode', '--write'], { cwd: sandbox.project, env: { HOME: sandbox.home } });
    expect(setup.stdout).toContain(join('.opencode', 'plugins', 'toolperf.ts'));
    const store = new FileReportStore(defaultDataDir(sandbox.env()));

    // 0. A bad setting: the plugin turns itself off and says why in OpenCode's log, as service=toolperf
    // (and OpenCode installs its plugin SDK into .opencode/, once).
    const off = await sandbox.run(['run', '--print-logs', 'Hello.'], { env: { TOOLPERF_MAX_METRICS: 'lots' } });
    expect(off.code, off.stderr).toBe(0);
    expect(off.stderr).toMatch(/level=ERROR .*message="toolperf is off: .*TOOLPERF_MAX_METRICS.*service=toolperf/);

    // 1. The mixed turn.
    model.append(...mixedTurn(sandbox.project), REJECTED_READ);
    const first = await sandbox.run(['run', '--format', 'json', PROMPT]);
    expect(first.code, first.stderr).toBe(0);
    const sessionId = first.sessionId as string;
    let truth = (await sandbox.toolParts(sessionId)).map(pluginOutcome).sort(byName);
    expect(truth).toHaveLength(10);
    let report = await reportWithCalls(() => store.get(sessionId), truth.length);
    expect(reportedCalls(report)).toEqual(truth);
    expect(report?.operations['tool-execution']?.errorTypes).toEqual({ file_not_found: 1, nonzero_exit: 1, unknown_tool: 1, invalid_arguments: 1, permission_denied: 2, timeout: 1 });
    expect(report?.operations['tool-execution']?.tools.no_such_tool).toMatchObject({ count: 1, errors: 1 });
    expect(report?.endedAt).toBeDefined();

    // 2. A second turn of the session continues its report; its provider numbers from call_0 again.
    model.append(
      {
        toolCalls: [
          { id: 'call_0', name: 'read', arguments: { filePath: join(sandbox.project, 'notes.txt') } },
          { id: 'call_1', name: 'grep', arguments: { pattern: 'hello' } },
        ],
      },
      { text: 'Both found.' },
    );
    const second = await sandbox.run(['run', '--session', sessionId, '--format', 'json', 'Once more.']);
    expect(second.code, second.stderr).toBe(0);
    truth = (await sandbox.toolParts(sessionId)).map(pluginOutcome).sort(byName);
    expect(truth).toHaveLength(12);
    report = await reportWithCalls(() => store.get(sessionId), truth.length);
    expect(reportedCalls(report)).toEqual(truth);

    // 3. SIGINT while a command runs: OpenCode goes down without ending the turn; the call is in the report, aborted.
    const flag = join(sandbox.project, 'started.flag');
    // A read first, in a response of its own (settled before the next), then the command, both call_0.
    model.append(
      { toolCalls: [{ id: 'call_0', name: 'read', arguments: { filePath: join(sandbox.project, 'src', 'app.ts') } }] },
      { toolCalls: [{ id: 'call_0', name: 'bash', arguments: { command: `touch ${flag} && sleep 60`, description: 'Wait a long time' } }] },
    );
    const interrupted = await sandbox.run(['run', '--session', sessionId, '--format', 'json', 'Wait.'], {
      started: (child) => {
        const poll = setInterval(() => {
          if (!existsSync(flag)) return;
          clearInterval(poll);
          child.kill('SIGINT');
        }, 100);
        child.on('exit', () => clearInterval(poll));
      },
    });
    expect(interrupted.signal === 'SIGINT' || interrupted.code === 130, `exit ${interrupted.code} ${interrupted.signal}`).toBe(true);
    const parts = await sandbox.toolParts(sessionId);
    expect(parts.find((p) => p.tool === 'bash' && p.state.input?.description === 'Wait a long time')?.state.status).toBe('running');
    truth = parts.map(pluginOutcome).sort(byName);
    expect(truth).toHaveLength(14);
    report = await store.get(sessionId);
    expect(reportedCalls(report)).toEqual(truth);
    expect(report?.operations['tool-execution']?.errorTypes.aborted).toBe(1);
    // Nothing of the commands' output, the files or the prompts.
    const text = JSON.stringify(report);
    for (const secret of ['hello', 'greeting', PROMPT, 'Wait a long time']) expect(text).not.toContain(secret);
    expect(model.unknown).toEqual([]);
  });
});
