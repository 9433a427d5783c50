import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/**
 * Keyed fingerprints of tool arguments: HMAC-SHA256 of the arguments' canonical JSON, with a
 * per-store secret (`ReportStore.secret`), cut to `FINGERPRINT_BYTES` and written base64url. Two
 * calls with equal arguments get equal fingerprints on one store; the arguments themselves cannot
 * be read back from one, nor guessed by hashing candidates without the secret.
 */

/** Bytes of the HMAC kept: 128 bits, far from any collision in a session's calls. */
export const FINGERPRINT_BYTES = 16;
/** Canonical JSON longer than this (in UTF-16 code units) is cut: only its first part is fingerprinted. */
export const MAX_CANONICAL_LENGTH = 64 * 1024;
/** Arguments nested deeper than this (or cyclic ones) are fingerprinted up to this depth. */
export const MAX_CANONICAL_DEPTH = 32;
/** Starts a fingerprint of cut arguments (never a base64url character): equal ones agree only on the first part. */
export const CUT_FINGERPRINT_PREFIX = '~';

/** What goes into the HMAC before a cut canonical text, so that it never equals an uncut one. */
const CUT_MARKER = '\u0000cut\u0000';

/** The canonical JSON of a value, and whether it was cut at `MAX_CANONICAL_LENGTH` or `MAX_CANONICAL_DEPTH`. */
export interface CanonicalJson {
  readonly text: string;
  readonly cut: boolean;
}

class Overflow extends Error {}

/**
 * `value` as JSON with object keys sorted and no whitespace, as `JSON.stringify` would see it
 * otherwise (`toJSON` honoured; `undefined`, functions and symbols left out of objects and `null`
 * in arrays; non-finite numbers `null`); a bigint as its digits and `n`. `undefined` alone is `null`.
 * Bounded: past `maxLength` code units or `maxDepth` levels it stops, and says so (`cut`).
 * Throws what the value's own getters or `toJSON` throw.
 */
export function canonicalJson(value: unknown, maxLength = MAX_CANONICAL_LENGTH, maxDepth = MAX_CANONICAL_DEPTH): CanonicalJson {
  const parts: string[] = [];
  let length = 0;
  const push = (part: string): void => {
    parts.push(part);
    length += part.length;
    if (length > maxLength) throw new Overflow();
  };
  const write = (item: unknown, depth: number): void => {
    if (item !== null && typeof item === 'object' && typeof (item as { toJSON?: unknown }).toJSON === 'function') {
      item = (item as { toJSON: () => unknown }).toJSON();
    }
    switch (typeof item) {
      case 'string':
        return push(JSON.stringify(item));
      case 'number':
        return push(Number.isFinite(item) ? String(item) : 'null');
      case 'boolean':
        return push(item ? 'true' : 'false');
      case 'bigint':
        return push(`${item}n`);
      case 'object':
        break;
      default:
        return push('null');
    }
    if (item === null) return push('null');
    if (depth >= maxDepth) throw new Overflow();
    if (Array.isArray(item)) {
      push('[');
      for (let i = 0; i < item.length; i++) {
        if (i > 0) push(',');
        const element: unknown = item[i];
        write(isOmitted(element) ? null : element, depth + 1);
      }
      return push(']');
    }
    push('{');
    let first = true;
    for (const key of Object.keys(item).sort()) {
      const field: unknown = (item as Record<string, unknown>)[key];
      if (isOmitted(field)) continue;
      push(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
      first = false;
      write(field, depth + 1);
    }
    return push('}');
  };
  try {
    write(value, 0);
    return { text: parts.join(''), cut: false };
  } catch (error) {
    if (!(error instanceof Overflow)) throw error;
    return { text: parts.join('').slice(0, maxLength), cut: true };
  }
}

function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/**
 * Fingerprints arguments once it has its key (`setKey`); before, and for arguments whose
 * canonical form cannot be made (a getter that throws), it answers undefined. Never throws.
 */
export class ArgumentFingerprinter {
  private key: KeyObject | undefined;

  /** Fingerprints from now on with `secret` (at least 16 bytes). */
  setKey(secret: Uint8Array): void {
    if (secret.length < 16) throw new RangeError(`a fingerprint secret needs at least 16 bytes, got ${secret.length}`);
    this.key = createSecretKey(secret);
  }

  get ready(): boolean {
    return this.key !== undefined;
  }

  /** The fingerprint of a value as a tool received it (`undefined`: no arguments). */
  ofValue(value: unknown): string | undefined {
    if (this.key === undefined) return undefined;
    let canonical: CanonicalJson;
    try {
      canonical = canonicalJson(value);
    } catch {
      return undefined;
    }
    return this.digest(canonical);
  }

  /**
   * The fingerprint of arguments sent as JSON text (an agent's telemetry): the same as `ofValue` of
   * the parsed value, so that key order and whitespace do not matter. Text that is not JSON is
   * fingerprinted as a string; text past `MAX_CANONICAL_LENGTH` is not parsed, its first part is fingerprinted.
   */
  ofJsonText(text: string): string | undefined {
    if (this.key === undefined) return undefined;
    if (text.length > MAX_CANONICAL_LENGTH) return this.digest({ text: text.slice(0, MAX_CANONICAL_LENGTH), cut: true });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    return this.ofValue(parsed);
  }

  private digest({ text, cut }: CanonicalJson): string | undefined {
    const hmac = createHmac('sha256', this.key as KeyObject);
    if (cut) hmac.update(CUT_MARKER);
    const fingerprint = hmac.update(text).digest().subarray(0, FINGERPRINT_BYTES).toString('base64url');
    return cut ? `${CUT_FINGERPRINT_PREFIX}${fingerprint}` : fingerprint;
  }
}
