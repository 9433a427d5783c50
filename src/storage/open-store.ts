import { consoleLogger, type Logger } from '../util/logger.js';
import { isPostgresUrl, redactStoreUrl } from '../util/store-url.js';
import { FileReportStore } from './file-store.js';
import { PostgresReportStore } from './postgres/postgres-store.js';
import type { ReportStore } from './report-store.js';

export interface StoreChoice {
  /** A PostgreSQL URL (`postgres://…`): the reports live in that database. */
  readonly url?: string | undefined;
  /** Without `url`: the JSON files under this directory. */
  readonly dataDir: string;
  /** Nothing is written (see each store's `readOnly`). */
  readonly readOnly?: boolean;
}

/**
 * The store a URL or a data directory names: PostgreSQL for a `postgres://` URL, else the JSON
 * files. Throws for a URL that is no PostgreSQL URL (shown without its password).
 */
export function openStore(choice: StoreChoice, logger: Logger = consoleLogger): ReportStore {
  const options = { readOnly: choice.readOnly === true };
  if (choice.url === undefined) return new FileReportStore(choice.dataDir, logger, options);
  if (!isPostgresUrl(choice.url)) throw new TypeError(`store ${redactStoreUrl(choice.url)}: expected a postgres:// or postgresql:// URL`);
  return new PostgresReportStore(choice.url, logger, options);
}
