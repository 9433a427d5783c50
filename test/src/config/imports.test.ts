import { describe, expect, it } from 'vitest';
import { startFixture } from '../../helpers/child.js';

// Config is validated on the way into `createPerformance`, where zod alone cost ~45 ms of import
// time; these run a fresh Node process, since this one has zod loaded already (vitest, other tests).

const ZOD = /\/node_modules\/zod\//;

/** The URLs of the modules loaded by importing `files` (paths in the repository) in a new process. */
async function modulesLoadedBy(...files: string[]): Promise<string[]> {
  const { code, stdout, stderr } = await startFixture('loaded-modules.ts', files).done;
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return JSON.parse(stdout) as string[];
}

describe('what src/config loads', () => {
  it('loads no module of zod', async () => {
    const urls = await modulesLoadedBy('src/config/load.ts', 'src/config/schema.ts');
    // The hook saw the config modules themselves, so an empty list cannot pass for "no zod".
    for (const file of ['load', 'schema', 'env', 'errors', 'fields', 'validate']) {
      expect(urls).toContainEqual(expect.stringMatching(new RegExp(`/src/config/${file}\\.ts$`)));
    }
    expect(urls.filter((url) => ZOD.test(url))).toEqual([]);
  });

  it('would see zod if it were loaded (a module that uses it)', async () => {
    const urls = await modulesLoadedBy('src/server/schemas.ts');
    expect(urls.some((url) => ZOD.test(url))).toBe(true);
  });
});
