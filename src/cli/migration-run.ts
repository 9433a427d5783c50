import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { MigrationAccount, SessionProblem } from '../storage/store-migration.js';
import { CliError } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import { describeLocation, openStoreAt, parseStoreLocation, sameLocation, type OpenedStore, type StoreLocation } from './store-location.js';

export interface MigrationRequest {
  readonly from: string;
  readonly to: string;
  readonly concurrency?: number;
  readonly json?: boolean;
}

/** Progress lines on stderr come at most this often. */
const PROGRESS_INTERVAL_MS = 1_000;

/** `toolperf migrate`: opens both stores, copies, prints the account; exit code 1 when a session was set aside or failed. */
export async function runMigration(request: MigrationRequest, io: CliIo): Promise<void> {
  const from = parseStoreLocation(request.from, io.cwd);
  const to = parseStoreLocation(request.to, io.cwd);
  if (sameLocation(from, to)) throw new CliError(`migrate: --from and --to name the same store (${describeLocation(from)})`);
  await assertSourceExists(from);
  if (to.kind === 'directory') {
    const { unusableDataDir } = await import('../storage/usable-directory.js');
    const unusable = await unusableDataDir(to.path);
    if (unusable !== undefined) throw new CliError(`migrate: cannot write reports to ${to.path}: ${unusable}`);
  }
  const { migrateReports } = await import('../storage/store-migration.js');
  const { storedSessionIds } = await import('../storage/stored-session-ids.js');

  const source = await openStoreAt(from, io, true);
  let target: OpenedStore | undefined;
  try {
    target = await openStoreAt(to, io, false);
    const { sessionIds, misnamed } = await storedSessionIds(source.store);
    let shownAt = Date.now();
    let shown = false;
    const account = await migrateReports(source.store, target.store, sessionIds, {
      ...(request.concurrency === undefined ? {} : { concurrency: request.concurrency }),
      onProgress: ({ done, total }) => {
        const now = Date.now();
        if (now - shownAt < PROGRESS_INTERVAL_MS && !(shown && done === total)) return;
        shownAt = now;
        shown = true;
        io.stderr(`migrate: ${done}/${total} sessions\n`);
      },
    });
    const full: MigrationAccount = {
      ...account,
      total: account.total + misnamed.length,
      setAside: [...misnamed.map((name) => ({ sessionId: name, reason: 'a file not named after a valid session ID: not read' })), ...account.setAside],
    };
    io.stdout(request.json ? `${JSON.stringify({ from: describeLocation(from), to: describeLocation(to), ...full }, null, 2)}\n` : described(full, from, to));
    if (full.stopped !== undefined) throw new CliError(`migrate: stopped: ${full.stopped}. What was copied stays; run it again once the target is back`);
    const problems = full.setAside.length + full.failed.length;
    if (problems > 0) {
      throw new CliError(`migrate: ${full.setAside.length} ${plural(full.setAside.length)} set aside and ${full.failed.length} failed (listed above); the others were copied. Run it again once they are fixed`);
    }
  } finally {
    await target?.close();
    await source.close();
  }
}

/** A source that does not exist is a typo, not an empty store: refused rather than "0 sessions". */
async function assertSourceExists(from: StoreLocation): Promise<void> {
  if (from.kind !== 'directory') return;
  const { REPORTS_SUBDIRECTORY } = await import('../storage/file-store.js');
  const reports = join(from.path, REPORTS_SUBDIRECTORY);
  const found = await stat(reports).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!found) throw new CliError(`migrate: no reports in ${from.path} (no directory ${reports}); check --from`);
}

function described(account: MigrationAccount, from: StoreLocation, to: StoreLocation): string {
  const lines = [
    `${account.total} ${plural(account.total)} in ${describeLocation(from)}, copied to ${describeLocation(to)}:`,
    `  moved       ${account.moved}`,
    `  replaced    ${account.replaced}`,
    `  unchanged   ${account.unchanged}`,
  ];
  if (account.keptNewer.length > 0) {
    lines.push(`  kept newer  ${account.keptNewer.length} (the target's report was updated later than the source's; left as it is):`);
    lines.push(...account.keptNewer.map((id) => `    ${id}`));
  }
  if (account.vanished > 0) lines.push(`  vanished    ${account.vanished} (deleted from the source while migrating)`);
  lines.push(...problems('set aside', account.setAside), ...problems('failed', account.failed));
  if (account.stopped !== undefined) lines.push(`  not tried   ${account.total - account.moved - account.replaced - account.unchanged - account.keptNewer.length - account.vanished - account.setAside.length - account.failed.length} (stopped: the target kept refusing)`);
  return `${lines.join('\n')}\n`;
}

function problems(label: string, list: readonly SessionProblem[]): string[] {
  if (list.length === 0) return [`  ${label.padEnd(11)} 0`];
  return [`  ${label.padEnd(11)} ${list.length}:`, ...list.map(({ sessionId, reason }) => `    ${sessionId}  ${reason}`)];
}

function plural(n: number): string {
  return n === 1 ? 'session' : 'sessions';
}
