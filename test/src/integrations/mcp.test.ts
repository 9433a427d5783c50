import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPerformance } from '../../../src/index.js';
import { trackMcpClient } from '../../../src/integrations/mcp.js';
import { tracked, type Tracked } from '../../helpers/tracking.js';

const require = createRequire(import.meta.url);
const serverPackage = require.resolve('@modelcontextprotocol/server-filesystem/package.json');
const serverEntry = join(dirname(serverPackage), (require(serverPackage) as { bin: Record<string, string> }).bin['mcp-server-filesystem'] as string);

let t: Tracked | undefined;
let root: string;
let client: Client | undefined;
beforeEach(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'toolperf-mcp-')));
  await mkdir(join(root, 'src'));
  await writeFile(join(root, 'README.md'), '# hello\n');
  await writeFile(join(root, 'src', 'a.ts'), 'export const a = 1;\n');
  await writeFile(join(root, 'src', 'b.ts'), 'export const b = 2;\n');
});
afterEach(async () => {
  await client?.close();
  client = undefined;
  await t?.perf.shutdown();
  await rm(root, { recursive: true, force: true });
});

/** The real filesystem server, over stdio, allowed `root` only. */
async function connect(): Promise<Client> {
  client = new Client({ name: 'toolperf-test', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [serverEntry, root], stderr: 'ignore' }));
  return client;
}

const text = (result: Awaited<ReturnType<Client['callTool']>>) =>
  ((result.content ?? []) as { type: string; text?: string }[]).map((c) => c.text ?? '').join('\n');

describe('trackMcpClient with @modelcontextprotocol/server-filesystem', () => {
  it('tracks callTool per tool; isError results count as tool_error failures; results pass through', async () => {
    t = tracked();
    const c = await connect();
    expect(trackMcpClient(t.perf, c, { sessionId: 'ses_mcp' })).toBe(c);

    expect(text(await c.callTool({ name: 'list_directory', arguments: { path: root } }))).toMatch(/\[DIR\] src/);
    expect(text(await c.callTool({ name: 'read_text_file', arguments: { path: join(root, 'README.md') } }))).toBe('# hello\n');
    expect(text(await c.callTool({ name: 'read_text_file', arguments: { path: join(root, 'src', 'a.ts') } }))).toContain('export const a');
    expect(text(await c.callTool({ name: 'search_files', arguments: { path: root, pattern: '**/*.ts' } }))).toMatch(/a\.ts[\s\S]*b\.ts|b\.ts[\s\S]*a\.ts/);
    const denied = await c.callTool({ name: 'read_text_file', arguments: { path: '/etc/hostname' } });
    expect(denied.isError).toBe(true);
    expect(text(denied)).toMatch(/access denied|outside allowed/i);

    const report = await t.perf.api.getReport({ sessionId: 'ses_mcp' });
    const ops = report?.operations['tool-execution'];
    expect(ops).toMatchObject({ count: 5, errors: 1, errorTypes: { tool_error: 1 } });
    expect(ops?.tools.read_text_file).toMatchObject({ count: 3, errors: 1 });
    expect(ops?.tools.list_directory).toMatchObject({ count: 1, errors: 0 });
    expect(ops?.tools.search_files).toMatchObject({ count: 1, errors: 0 });

    const failed = t.spans.getFinishedSpans().find((s) => s.attributes['error.type'] === 'tool_error');
    expect(failed?.name).toBe('execute_tool read_text_file');
    expect(failed?.attributes).toMatchObject({ 'gen_ai.tool.type': 'extension', 'mcp.method.name': 'tools/call', 'session.id': 'ses_mcp' });
    expect(failed?.status.message).toMatch(/access denied|outside allowed/i);
  });

  it('counts a thrown error (an unknown tool, a closed connection) as a failure and rethrows it unchanged', async () => {
    t = tracked();
    const c = trackMcpClient(t.perf, await connect(), { sessionId: 'ses_mcp_err' });
    const unknown = await c.callTool({ name: 'no_such_tool', arguments: {} }).then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
    await c.close();
    const closed = await c.callTool({ name: 'list_directory', arguments: { path: root } }).catch((error: unknown) => error);
    expect(closed).toBeInstanceOf(Error);

    const ops = (await t.perf.api.getReport({ sessionId: 'ses_mcp_err' }))?.operations['tool-execution'];
    expect(ops).toMatchObject({ count: 2, errors: 2 });
    // The SDK answers an unknown tool with an isError result or an McpError, by version: either is a failure.
    expect(ops?.tools.no_such_tool?.errors).toBe(1);
    expect('error' in unknown || unknown.result.isError === true).toBe(true);
  });

  it('never breaks the client: an invalid session ID is refused when wrapping, a call that cannot be tracked runs untracked', async () => {
    const tr = (t = tracked());
    expect(() => trackMcpClient(tr.perf, new Client({ name: 'x', version: '1' }), { sessionId: '../x' })).toThrow(/session/i);

    const lines: string[] = [];
    const c = trackMcpClient(tr.perf, await connect(), { sessionId: 'ses_mcp_untracked', logger: { warn: (line) => void lines.push(line) } });
    for (let i = 0; i < 2; i++) {
      const outcome = await c.callTool({ name: '' }).then(
        (result) => result,
        (error: unknown) => error,
      );
      // Whatever the server says of a nameless call reaches the caller; no error of toolperf's.
      expect(String(outcome instanceof Error ? outcome.message : '')).not.toMatch(/startCall/);
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/MCP tool call runs untracked: .*name must be a non-empty string/);
    expect(await tr.perf.api.getReport({ sessionId: 'ses_mcp_untracked' })).toBeUndefined();
  });

  it('wraps once, and leaves the client untouched when disabled', async () => {
    const perf = createPerformance({ enabled: false, handleProcessExit: false, env: {} });
    const c = new Client({ name: 'x', version: '1' });
    const before = c.callTool;
    expect(trackMcpClient(perf, c).callTool).toBe(before);

    t = tracked();
    const once = trackMcpClient(t.perf, c).callTool;
    expect(trackMcpClient(t.perf, c).callTool).toBe(once);
  });
});
