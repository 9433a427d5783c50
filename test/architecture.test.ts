import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * The rooms of src/ and the rooms each may import from: arrows point down only (DESIGN.md,
 * "Layout"). `.` is src/ itself: the public entry and the facade that composes the rooms.
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  util: [],
  config: ['util'],
  document: ['util'],
  storage: ['document', 'util'],
  telemetry: ['config', 'util'],
  tracking: ['telemetry', 'util'],
  reports: ['storage', 'document', 'telemetry', 'util'],
  '.': ['tracking', 'telemetry', 'reports', 'storage', 'document', 'config', 'util'],
  server: ['reports', 'storage', 'document', 'telemetry', 'config', 'util'],
  integrations: ['.', 'tracking', 'telemetry', 'config', 'util'],
  cli: ['.', 'server', 'reports', 'storage', 'document', 'telemetry', 'config', 'util', 'demo'],
};
/** Past this many lines a source file says in its header comment why it is one file. */
const MAX_LINES = 300;

async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(path)));
    else if (/\.ts$/.test(entry.name)) files.push(path);
  }
  return files;
}

/** The room of a path under src/ (`.` for files directly in it); a path outside src/ is named by its top folder. */
function roomOf(path: string): string {
  const fromSrc = relative(join(root, 'src'), path);
  if (fromSrc.startsWith('..')) return relative(root, path).split('/')[0] as string;
  const parts = fromSrc.split('/');
  return parts.length === 1 ? '.' : (parts[0] as string);
}

/** Relative specifiers a file imports or re-exports, statically or with `import()`. */
function relativeImports(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) found.push(match[1] as string);
  return found;
}

describe('the house', () => {
  it('has rooms whose imports point down only', async () => {
    const files = await sourceFiles(join(root, 'src'));
    expect(files.length).toBeGreaterThan(50);
    const upward: string[] = [];
    for (const file of files) {
      const from = roomOf(file);
      const allowed = ALLOWED[from];
      expect(allowed, `a room not in the table: ${from}`).toBeDefined();
      for (const specifier of relativeImports(await readFile(file, 'utf8'))) {
        const to = roomOf(resolve(dirname(file), specifier));
        if (to !== from && !allowed?.includes(to)) upward.push(`${relative(root, file)} (${from}) imports ${specifier} (${to})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('catches an import back up (the check itself)', () => {
    const file = join(root, 'src/storage/file-store.ts');
    const to = roomOf(resolve(dirname(file), '../reports/reports.js'));
    expect(ALLOWED[roomOf(file)]).not.toContain(to);
    expect(relativeImports("import { x } from '../reports/reports.js';\nconst m = await import('./a.js');")).toEqual(['../reports/reports.js', './a.js']);
  });

  it(`keeps source files under ${MAX_LINES} lines, or says why in their header`, async () => {
    const long: string[] = [];
    for (const file of [...(await sourceFiles(join(root, 'src'))), ...(await sourceFiles(join(root, 'exporters')))]) {
      const text = await readFile(file, 'utf8');
      const lines = text.split('\n').length;
      if (lines > MAX_LINES && !/^\/\*\*?[\s\S]*?one file because[\s\S]*?\*\//.test(text)) long.push(`${relative(root, file)}: ${lines} lines`);
    }
    expect(long).toEqual([]);
  });
});
