import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startFixture } from './helpers/child.js';
import { startOtlpReceiver } from './helpers/otlp-receiver.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = await readFile(join(root, 'README.md'), 'utf8');
// Top-level ```ts blocks that import the package are programs; indented ones in lists are fragments.
const examples = [...readme.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1] as string).filter((code) => /from 'toolperf(\/[\w-]+)?'/.test(code));
/** Where each of the package's entries lives in the source tree. */
const entries: Record<string, string> = {
  toolperf: 'src/index.ts',
  'toolperf/opencode': 'src/integrations/opencode.ts',
  'toolperf/ai': 'src/integrations/ai.ts',
  'toolperf/mcp': 'src/integrations/mcp.ts',
  'toolperf/report-server': 'src/server/index.ts',
  'toolperf/exporters': 'exporters/index.ts',
};

describe('README examples', () => {
  it('has runnable examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
  });

  it.each(examples.map((code, i) => [i, code] as const))('example %i runs', async (index, code) => {
    // Inside the repository, so that the example's own imports resolve from node_modules.
    await mkdir(join(root, 'test-artifacts'), { recursive: true });
    const dir = await mkdtemp(join(root, 'test-artifacts', 'readme-'));
    // A collector for the examples that stream over OTLP.
    const collector = await startOtlpReceiver();
    try {
      // A project of the user's: an ESM package.json, which the first example reads.
      await writeFile(join(dir, 'package.json'), '{ "name": "my-agent", "type": "module" }');
      const file = join(dir, 'example.ts');
      const source = code.replace(/from '(toolperf(?:\/[\w-]+)?)'/g, (_, entry: string) => {
        const path = entries[entry];
        if (path === undefined) throw new Error(`README imports an unknown entry ${entry}`);
        return `from ${JSON.stringify(join(root, path))}`;
      });
      await writeFile(file, source);
      // No TOOLPERF_ENABLED: an example records only if it says so itself, as it would for a reader.
      const run = startFixture(file, [], {
        cwd: dir,
        env: { TOOLPERF_DATA_DIR: dir, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url },
      });
      const { code: exit, stderr, stdout } = await run.done;
      expect(stderr).toBe('');
      expect(exit).toBe(0);
      // The first example prints the report of the calls it made.
      if (index === 0) expect(stdout).toMatch(/count: 2,[\s\S]*tools: \{[\s\S]*read: \{[\s\S]*add: \{/);
      if (/otlp: \{ enabled: true/.test(code)) expect(collector.spans.length).toBeGreaterThan(0);
    } finally {
      await collector.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
