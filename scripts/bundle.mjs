// The published JavaScript: each entry of package.json "exports" (and the bin) bundled by esbuild
// into dist/package/, the code they share split into chunks, dependencies left as imports.
// Why: Node loads an ES module graph file by file, and the ~45 small modules of the root entry
// cost more at startup than the code in them (see BENCHMARKS.md, "Import and startup"). Types stay
// tsc's (dist/src/**/*.d.ts); tests run the sources.
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

const OUT = 'dist/package';

/** What both builds share. */
const common = {
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.6',
  // Dependencies and optional peers stay imports, resolved from node_modules as usual.
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
};

await rm(OUT, { recursive: true, force: true });
// The library's entries share their chunks, so that every entry sees one instance of each class.
await build({
  ...common,
  entryPoints: {
    index: 'src/index.ts',
    'report-server': 'src/server/index.ts',
    exporters: 'exporters/index.ts',
    opencode: 'src/integrations/opencode.ts',
    ai: 'src/integrations/ai.ts',
    mcp: 'src/integrations/mcp.ts',
  },
  outdir: OUT,
});
// The bin apart: a program, sharing no objects with the library, so what every command needs is
// one file and each command's own modules (reports, server, demo) a chunk loaded when it runs.
await build({ ...common, entryPoints: { toolperf: 'src/cli/bin.ts' }, outdir: `${OUT}/cli` });
