import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { chown, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './prometheus-server.js';
import type { Program } from './real-component.js';

const run = promisify(execFile);

/** Debian's PostgreSQL 15 (package `postgresql`): its server programs are not on PATH. */
export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

/** `initdb` and `pg_ctl` of Debian's PostgreSQL 15, or why they are missing (see `real-component.ts`). */
export function findPostgres(): Program {
  try {
    for (const name of ['initdb', 'pg_ctl', 'postgres']) accessSync(join(POSTGRES_BIN, name), constants.X_OK);
    return { path: POSTGRES_BIN };
  } catch {
    return { missing: `PostgreSQL 15 is not installed (${POSTGRES_BIN}/initdb): install the Debian package 'postgresql' (apt-get install -y postgresql)` };
  }
}

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/<database>`: trust authentication, loopback only. */
  url(database: string): string;
  /** A new, empty database; returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server (fast shutdown: connections are cut) but keeps its data, for `start` again. */
  pause(): Promise<void>;
  /** Starts a paused server again, on the same port and data. */
  resume(): Promise<void>;
  /** Stops the server and removes its data. Idempotent. */
  stop(): Promise<void>;
}

let databases = 0;

/**
 * A PostgreSQL 15 of its own: `initdb` in a temp dir, `pg_ctl start` on a free loopback port with
 * its socket in that dir, fsync off (a test's data need not survive a crash of the machine). The
 * server refuses to run as root, so as root it runs as the `postgres` user (`runuser`).
 */
export async function startPostgres(bin: string = POSTGRES_BIN): Promise<PostgresServer> {
  const dir = await mkdtemp(join(tmpdir(), 'toolperf-postgres-'));
  const data = join(dir, 'data');
  const sockets = join(dir, 'sockets');
  await mkdir(sockets);
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const uid = Number(stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    await chown(dir, uid, gid);
    await chown(sockets, uid, gid);
  }
  const asServerUser = (program: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, program), ...args]) : run(join(bin, program), args);
  const port = await freePort();
  const log = join(dir, 'server.log');
  await asServerUser('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
  const options = [`-c listen_addresses=127.0.0.1`, `-p ${port}`, `-k ${sockets}`, '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off', '-c max_connections=200'].join(' ');
  const start = async (): Promise<void> => {
    try {
      await asServerUser('pg_ctl', ['-D', data, '-l', log, '-o', options, '-w', '-t', '60', 'start']);
    } catch (error) {
      const text = await readFile(log, 'utf8').catch(() => '');
      throw new Error(`pg_ctl start failed: ${String(error)}\n${text}`);
    }
  };
  let running = false;
  const pause = async (): Promise<void> => {
    if (!running) return;
    running = false;
    await asServerUser('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
  };
  await start();
  running = true;
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  let stopped = false;
  return {
    url,
    async createDatabase(name = `toolperf_${process.pid}_${++databases}`) {
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    pause,
    async resume() {
      if (running) return;
      await start();
      running = true;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await pause().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
