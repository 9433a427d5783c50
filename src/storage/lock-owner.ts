import { randomUUID } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/** What a lock file says of its holder. */
export interface Owner {
  readonly token: string;
  readonly host: string;
  /** The holder's PID namespace, so that a PID is only ever checked where it means the same process. */
  readonly pidNamespace: string | undefined;
  readonly pid: number;
}

/**
 * Whether the owner is a process of this host, in this PID namespace, that no longer runs. A PID of
 * another host or namespace (another container sharing the directory) means nothing here: false.
 */
export function isGone(owner: Owner): boolean {
  const here = thisProcess();
  if (owner.host !== here.host || owner.pidNamespace === undefined || owner.pidNamespace !== here.pidNamespace) return false;
  return !isRunning(owner.pid);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return !isCode(error, 'ESRCH');
  }
}

let processOwner: Omit<Owner, 'token'> | undefined;

function thisProcess(): Omit<Owner, 'token'> {
  if (processOwner === undefined) {
    let pidNamespace: string | undefined;
    try {
      pidNamespace = readlinkSync('/proc/self/ns/pid');
    } catch {
      // not Linux: PIDs are never checked, leases only
    }
    processOwner = { host: hostname(), pidNamespace, pid: process.pid };
  }
  return processOwner;
}

export function newOwner(): Owner {
  return { token: randomUUID(), ...thisProcess() };
}

/** The owner a lock file names; undefined when it cannot be read (being written, torn, foreign). */
export function ownerIn(text: string): Owner | undefined {
  try {
    const value = JSON.parse(text) as Partial<Owner> | null;
    if (typeof value?.token !== 'string' || typeof value.host !== 'string' || typeof value.pid !== 'number') return undefined;
    return { token: value.token, host: value.host, pid: value.pid, pidNamespace: typeof value.pidNamespace === 'string' ? value.pidNamespace : undefined };
  } catch {
    return undefined;
  }
}

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code;
}
