// The published JavaScript: each entry of package.json "exports" (and the bin) bundled by esbuild
// into dist/package/, the code they share split into chunks, dependencies left as imports.
// Why: Node loads an ES module graph file by file, and the ~45 small modules of the root entry
// cost more at startup than the code in them (see BENCHMARKS.md, "Import and startup"). Types stay
// tsc's (dist/src/**/*.d.ts); tests run the sources.
//
// A build whose inputs (the files esbuild read last time, this script, package.json) are all older
// than that build is skipped: `npm run demo` right after `npm install` rebuilt everything for 38 s.
import { readFileSync } from 'node:fs';
import { readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

const OUT = 'dist/package';
/** What the last build read, written when it succeeded; its mtime is when that build started. */
const INPUTS = 'dist/.bundle-inputs.json';
const ALWAYS_INPUTS = ['scripts/bundle.mjs', 'package.json'];

if (await upToDate()) process.exit(0);

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
  metafile: true,
};

// A file edited while the build runs is newer than the build's start, which is the time recorded.
const started = new Date();
await rm(INPUTS, { force: true });
await rm(OUT, { recursive: true, force: true });
// The library's entries share their chunks, so that every entry sees one instance of each class.
const library = await build({
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
// Commander, which every command loads, is bundled in: loaded from node_modules it is CommonJS,
// which Node resolves, reads and lexes file by file on every start (~4 ms of `toolperf sessions`).
const { packages: _packages, ...binOptions } = common;
// Its `require('node:events')` needs a `require` in the ES module output.
const bin = await build({
  ...binOptions,
  external: externalsBut(['commander']),
  banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
  entryPoints: { toolperf: 'src/cli/bin.ts' },
  outdir: `${OUT}/cli`,
});
const read = new Set([...Object.keys(library.metafile.inputs), ...Object.keys(bin.metafile.inputs)]);
await writeFile(INPUTS, `${JSON.stringify({ inputs: [...read].sort() })}\n`);
await utimes(INPUTS, started, started);

/** Every dependency and peer as an external import (with its subpaths), except `bundled`. */
function externalsBut(bundled) {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
  const names = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies, ...manifest.devDependencies });
  return names.filter((name) => !bundled.includes(name)).flatMap((name) => [name, `${name}/*`]);
}

/** Whether the last build is newer than every file it read (a file it did not read changes nothing unless one it read does). */
async function upToDate() {
  let inputs;
  let built;
  try {
    [inputs, built] = await Promise.all([readFile(INPUTS, 'utf8').then((text) => JSON.parse(text).inputs), stat(INPUTS).then((s) => s.mtimeMs)]);
    await stat(`${OUT}/cli/toolperf.js`);
  } catch {
    return false;
  }
  const times = await Promise.all([...inputs, ...ALWAYS_INPUTS].map((path) => stat(path).then((s) => s.mtimeMs, () => Infinity)));
  return times.every((time) => time < built);
}
