/**
 * The ESM half of module-recorder.ts, registered by it with `module.register` (it runs on the
 * loader's own thread): appends `import <url>` for every module resolved.
 */
import { appendFileSync } from 'node:fs';
import type { InitializeHook, ResolveHook } from 'node:module';

let log = '';

export const initialize: InitializeHook<{ log: string }> = (data) => {
  log = data.log;
};

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(log, `import ${resolved.url}\n`);
  return resolved;
};
