import { resolve } from 'node:path';
import { CliError } from './cli-error.js';
import { cliLogger, type CliIo } from './cli-io.js';
import type { ReportStore } from '../storage/report-store.js';

/** A store named on the command line: a data directory, or a PostgreSQL URL. */
export type StoreLocation = { readonly kind: 'directory'; readonly path: string } | { readonly kind: 'postgres'; readonly url: string };

const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

/** `--from`, `--to`: a `postgres://` (or `postgresql://`) URL, else a data directory (relative to the working directory). */
export function parseStoreLocation(raw: string, cwd: string): StoreLocation {
  if (POSTGRES_URL.test(raw)) return { kind: 'postgres', url: raw };
  return { kind: 'directory', path: resolve(cwd, raw) };
}

/** The location as it may be printed: a URL's password is never shown. */
export function describeLocation(location: StoreLocation): string {
  if (location.kind === 'directory') return location.path;
  try {
    const url = new URL(location.url);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return 'the PostgreSQL URL given';
  }
}

export function sameLocation(a: StoreLocation, b: StoreLocation): boolean {
  return a.kind === b.kind && (a.kind === 'directory' ? a.path === (b as typeof a).path : a.url === (b as { url: string }).url);
}

/** An opened store and how to close it. */
export interface OpenedStore {
  readonly store: ReportStore;
  close(): Promise<void>;
}

/** Opens the store at `location`; `readOnly`: nothing there is written, moved or removed (a migration's source). */
export async function openStoreAt(location: StoreLocation, io: CliIo, readOnly: boolean): Promise<OpenedStore> {
  if (location.kind === 'directory') {
    const { FileReportStore } = await import('../storage/file-store.js');
    return { store: new FileReportStore(location.path, cliLogger(io), { readOnly }), close: async () => {} };
  }
  throw new CliError(`${describeLocation(location)}: this build has no PostgreSQL store`);
}
