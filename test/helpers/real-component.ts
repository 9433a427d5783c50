import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A program a test runs for real (Prometheus, promtool, docker-compose): its path, or why it is missing. */
export interface Program {
  readonly path?: string;
  readonly missing?: string;
}

/** Looks `name` up on PATH without running it. */
export function findProgram(name: string, debianPackage: string): Program {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return { path: join(dir, name) };
    } catch {
      // not in this directory
    }
  }
  return { missing: `${name} is not installed: install the Debian package '${debianPackage}' (apt-get install -y ${debianPackage})` };
}

/**
 * For `describe.skipIf`: skip only outside CI. In CI (`CI=true`) a missing program must fail the
 * test, never skip it silently; `requireProgram` does that.
 */
export function skipUnlessAvailable(program: Program): boolean {
  return program.missing !== undefined && process.env.CI !== 'true';
}

/** The program's path; throws (failing the test) with the install hint when it is missing. */
export function requireProgram(program: Program): string {
  if (program.path === undefined) throw new Error(program.missing);
  return program.path;
}

/** Inside a test: the path, or a visible skip with the install hint (a failure in CI). */
export function programOrSkip(program: Program, skip: (note: string) => void): string {
  if (program.missing !== undefined && process.env.CI !== 'true') skip(program.missing);
  return requireProgram(program);
}
