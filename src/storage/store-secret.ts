import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, fsyncSync, linkSync, mkdirSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** The file, in a store's directory, that holds the key of its argument fingerprints (`ReportStore.secret`). */
export const STORE_SECRET_FILE = '.fingerprint-secret';
/** Random bytes of a store's secret. */
export const STORE_SECRET_BYTES = 32;

/**
 * The secret of the store in `directory`: read from its `.fingerprint-secret`, or made (32 random
 * bytes, mode 0600) if there is none and `create`. Made once however many processes start at once:
 * a complete temp file (opened with O_EXCL, 0600, fsynced) is linked into place, which fails for
 * every process but the first; they all read the first one's. Only a regular file of exactly
 * `STORE_SECRET_BYTES` is taken, never through a link. Throws, naming the file and what is wrong,
 * when it can be neither read nor made; undefined when it is missing and not `create`.
 */
export function readOrCreateStoreSecret(directory: string, create: boolean): Uint8Array | undefined {
  const path = join(directory, STORE_SECRET_FILE);
  const existing = readSecret(path);
  if (existing !== 'missing' || !create) return existing === 'missing' ? undefined : existing;
  mkdirSync(directory, { recursive: true });
  const temp = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, randomBytes(STORE_SECRET_BYTES));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, path);
  } catch (error) {
    // Another process made it first: theirs is the secret, read below.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temp);
  }
  const made = readSecret(path);
  if (made === 'missing') throw new Error(`${path} vanished as it was made`);
  return made;
}

function readSecret(path: string): Uint8Array | 'missing' {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  try {
    if (!fstatSync(fd).isFile()) throw new Error(`${path} is not a regular file`);
    const buffer = Buffer.alloc(STORE_SECRET_BYTES + 1);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    if (read !== STORE_SECRET_BYTES) {
      throw new Error(`${path} holds ${read > STORE_SECRET_BYTES ? 'more than ' : ''}${read} bytes, not ${STORE_SECRET_BYTES}; remove it to make a new secret (fingerprints made before will then no longer match)`);
    }
    return new Uint8Array(buffer.subarray(0, STORE_SECRET_BYTES));
  } finally {
    closeSync(fd);
  }
}

/** A store's secret file, read (or made, if `create`) at the first ask and kept. */
export class StoreSecretFile {
  private secret: Uint8Array | undefined;

  constructor(
    private readonly directory: string,
    private readonly create: boolean,
  ) {}

  /** Throws when it can be neither read nor made (or is missing from a read-only store). */
  read(): Uint8Array {
    this.secret ??= readOrCreateStoreSecret(this.directory, this.create);
    if (this.secret === undefined) throw new Error(`${join(this.directory, STORE_SECRET_FILE)} does not exist, and the store was opened read-only`);
    return this.secret;
  }
}
