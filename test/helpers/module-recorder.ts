/**
 * A preload that records every module a Node process loads, for test/startup-imports.test.ts.
 * Built with the package (tsconfig.build.json) and used as
 *
 *   MODULE_RECORDER_LOG=/tmp/modules.log node --import ./dist/test/helpers/module-recorder.js app.js
 *
 * It appends a line to that file for every module resolved, from two places, because neither
 * sees everything on Node 20:
 * - `import <url>`: an ESM resolve hook (module-recorder-hooks.ts), for every `import` and
 *   `import()`, a CommonJS package's entry imported from ESM included;
 * - `require <path>`: a wrapper around `Module._load`, for every `require`: the ones inside
 *   CommonJS packages (most OpenTelemetry packages are CommonJS) and the ones made lazily through
 *   `createRequire`, which no ESM hook sees.
 * Lines are appended synchronously, so none is lost however the process ends.
 */
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

const log = process.env.MODULE_RECORDER_LOG;
if (log === undefined || log === '') throw new Error('module-recorder: set MODULE_RECORDER_LOG to the file to append to');

register('./module-recorder-hooks.js', import.meta.url, { data: { log } });

/** The CommonJS loader's internals this wraps (not in @types/node). */
interface CommonJsLoader {
  _load(request: string, parent: unknown, isMain: boolean, ...rest: unknown[]): unknown;
  _resolveFilename(request: string, parent: unknown, isMain: boolean): string;
}

const loader = Module as unknown as CommonJsLoader;
const load = loader._load;
loader._load = function (this: unknown, request: string, parent: unknown, isMain: boolean, ...rest: unknown[]): unknown {
  let resolved = request;
  try {
    resolved = loader._resolveFilename(request, parent, isMain);
  } catch {
    // Not resolvable: the real load below throws the error the caller expects.
  }
  appendFileSync(log, `require ${resolved}\n`);
  return Reflect.apply(load, this, [request, parent, isMain, ...rest]);
};
