import { spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileLock, LOCK_LEASE_MS, LockLostError, ReportLockedError } from '../../../src/storage/file-lock.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'toolperf-lock-'));
  path = join(dir, '.ses.json.lock');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A lock file as another holder would leave it. */
async function foreignLock(owner: { host?: string; pid?: number; pidNamespace?: string | undefined }): Promise<void> {
  await writeFile(path, JSON.stringify({ token: 'theirs', host: hostname(), pid: process.pid, pidNamespace: ownPidNamespace(), ...owner }));
}

function ownPidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

describe('FileLock', () => {
  it('lets one holder in at a time (20 at once, each holding across several turns of the event loop)', async () => {
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const lock = await FileLock.acquire(path, { timeoutMs: 10_000 });
        most = Math.max(most, ++inside);
        for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
        inside--;
        await lock.release();
      }),
    );
    expect(most).toBe(1);
    expect(await readdir(dir)).toEqual([]);
  });

  it('waits for a live holder elsewhere, and gives up after its wait with ReportLockedError', async () => {
    await foreignLock({ host: 'another-machine' });
    await expect(FileLock.acquire(path, { timeoutMs: 150 })).rejects.toBeInstanceOf(ReportLockedError);
    expect(() => FileLock.acquireSync(path, { timeoutMs: 150 })).toThrow(ReportLockedError);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ token: 'theirs' });
  });

  // Elsewhere no PID is ever trusted (there is no PID namespace to compare): leases only.
  it.skipIf(ownPidNamespace() === undefined)('takes over at once the lock of a process of this host that no longer runs', async () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    await foreignLock({ pid: gone });
    const lock = await FileLock.acquire(path, { timeoutMs: 150 });
    await lock.assertHeld();
    await lock.release();
    await foreignLock({ pid: gone });
    FileLock.acquireSync(path, { timeoutMs: 150 }).releaseSync();
  });

  it('does not trust a PID of another PID namespace (another container): only the lease', async () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    await foreignLock({ pid: gone, pidNamespace: 'pid:[1]' });
    await expect(FileLock.acquire(path, { timeoutMs: 150 })).rejects.toBeInstanceOf(ReportLockedError);
  });

  it(`takes over a lock whose lease (${LOCK_LEASE_MS} ms) ran out, whoever holds it`, async () => {
    await foreignLock({ host: 'another-machine' });
    const past = (Date.now() - LOCK_LEASE_MS - 1000) / 1000;
    await utimes(path, past, past);
    const lock = await FileLock.acquire(path, { timeoutMs: 150 });
    await lock.assertHeld();
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('a holder whose lock was taken over writes nothing (LockLostError) and leaves the new lock alone', async () => {
    const first = await FileLock.acquire(path, { timeoutMs: 150 });
    // At exit, a lock this process holds is taken over: its async holder never runs again.
    const atExit = FileLock.acquireSync(path, { timeoutMs: 150 });
    await expect(first.assertHeld()).rejects.toBeInstanceOf(LockLostError);
    await first.release();
    atExit.assertHeldSync();
    atExit.releaseSync();
    expect(await readdir(dir)).toEqual([]);
  });

  it('an async holder of this process is waited for, not taken over, by another async writer', async () => {
    const first = await FileLock.acquire(path, { timeoutMs: 150 });
    await expect(FileLock.acquire(path, { timeoutMs: 150 })).rejects.toBeInstanceOf(ReportLockedError);
    await first.release();
  });

  it('the last write at exit takes over a lock this process is still releasing (its file not gone yet)', async () => {
    const held = await FileLock.acquire(path, { timeoutMs: 1000 });
    const releasing = held.release();
    // The release has not reached its unlink yet: the lock file is there, and still this process's.
    const atExit = FileLock.acquireSync(path, { timeoutMs: 0 });
    atExit.releaseSync();
    await releasing;
  });

  it('waits at exit share one budget: once it is spent, a locked session is skipped without waiting', async () => {
    const budget = { leftMs: 100 };
    for (let i = 0; i < 5; i++) {
      path = join(dir, `.ses_${i}.json.lock`);
      await foreignLock({ host: 'another-machine' });
      expect(() => FileLock.acquireSync(path, { timeoutMs: 1000, budget })).toThrow(ReportLockedError);
      expect(budget.leftMs).toBe(0);
    }
    // A free lock is still taken with nothing left to wait.
    FileLock.acquireSync(join(dir, '.free.json.lock'), { timeoutMs: 1000, budget }).releaseSync();
  });

  it('a lock file whose owner cannot be read (torn) is judged by its age alone', async () => {
    await writeFile(path, '{"tok');
    await expect(FileLock.acquire(path, { timeoutMs: 150 })).rejects.toBeInstanceOf(ReportLockedError);
    const past = (Date.now() - LOCK_LEASE_MS - 1000) / 1000;
    await utimes(path, past, past);
    await (await FileLock.acquire(path, { timeoutMs: 150 })).release();
  });
});
