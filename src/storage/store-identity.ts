import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, linkSync, mkdirSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** The file, in a store's directory, that names the store. */
export const STORE_ID_FILE = '.store-id';
const STORE_ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * The id of the store in `directory`: read from its `.store-id`, or made (random) if there is none.
 * Every process opening the same directory gets the same id, which is how a report server knows
 * the spans a tracker already folded into this very store. Made atomically (a complete temp file
 * linked into place, which fails if another process was first), so a reader never sees half an id.
 * Undefined when the file can be neither read nor made, or does not hold an id (never quoted).
 */
export function readOrCreateStoreId(directory: string): string | undefined {
  const path = join(directory, STORE_ID_FILE);
  const existing = readId(path);
  if (existing !== 'missing') return existing;
  try {
    mkdirSync(directory, { recursive: true });
    const id = randomBytes(16).toString('base64url');
    const temp = `${path}.${id}.tmp`;
    const fd = openSync(temp, 'wx');
    try {
      writeSync(fd, `${id}\n`);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temp, path);
    } catch {
      // Another process made it first (or the link failed): theirs is the id, read below.
    } finally {
      unlinkSync(temp);
    }
  } catch {
    return undefined;
  }
  const made = readId(path);
  return made === 'missing' ? undefined : made;
}

/** The id in `directory`'s `.store-id`, without making one: undefined if there is none (a read-only store). */
export function readStoreId(directory: string): string | undefined {
  const id = readId(join(directory, STORE_ID_FILE));
  return id === 'missing' ? undefined : id;
}

/** Only a regular file, never through a link. */
function readId(path: string): string | undefined | 'missing' {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : undefined;
  }
  try {
    if (!fstatSync(fd).isFile()) return undefined;
    const buffer = Buffer.alloc(128);
    const text = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString('utf8').trim();
    return STORE_ID_PATTERN.test(text) ? text : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
