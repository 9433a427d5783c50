import { resolve } from 'node:path';
import { CliError } from './cli-error.js';
import { cliLogger, type CliIo } from './cli-io.js';
import type { ReportStore } from '../storage/report-store.js';
import { isPostgresUrl, redactStoreUrl } from '../util/store-url.js';

/** A store named on the command line: a data directory, or a PostgreSQL URL. */
export type StoreLocation = { readonly kind: 'directory'; readonly path: string } | { readonly kind: 'postgres'; readonly url: string };

const POSTGRES_SCHEME = /^postgres(?:ql)?:/i;

/**
 * `--from`, `--to`: a `postgres://` (or `postgresql://`) URL, else a data directory (relative to
 * the working directory). A value that starts like a URL but is not a usable one is refused here,
 * rather than taken for a directory named `postgres:`.
 */
export function parseStoreLocation(raw: string, cwd: string): StoreLocation {
  if (isPostgresUrl(raw)) return { kind: 'postgres', url: raw };
  if (POSTGRES_SCHEME.test(raw)) throw new CliError(`not a usable PostgreSQL URL: ${redactStoreUrl(raw)}; expected postgres://user[:password]@host[:port]/database`);
  return { kind: 'directory', path: resolve(cwd, raw) };
}

/** The location as it may be printed: a URL's password is never shown. */
export function describeLocation(location: StoreLocation): string {
  return location.kind === 'directory' ? location.path : redactStoreUrl(location.url);
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
  const { PostgresReportStore } = await import('../storage/postgres/postgres-store.js');
  const store = new PostgresReportStore(location.url, cliLogger(io), { readOnly });
  try {
    await store.open();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw new CliError(`cannot open ${describeLocation(location)}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { store, close: () => store.close() };
}
