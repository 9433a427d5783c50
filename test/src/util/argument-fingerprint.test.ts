import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ArgumentFingerprinter,
  canonicalJson,
  CUT_FINGERPRINT_PREFIX,
  FINGERPRINT_BYTES,
  MAX_CANONICAL_DEPTH,
  MAX_CANONICAL_LENGTH,
} from '../../../src/util/argument-fingerprint.js';

function keyed(secret: Uint8Array = randomBytes(32)): ArgumentFingerprinter {
  const fingerprinter = new ArgumentFingerprinter();
  fingerprinter.setKey(secret);
  return fingerprinter;
}

describe('canonicalJson', () => {
  it('sorts keys at every level and leaves out whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: null } })).toEqual({ text: '{"a":{"c":null,"d":[1,"x"]},"b":1}', cut: false });
  });

  it('reads values as JSON.stringify does: toJSON, omitted undefined and functions, null in arrays, non-finite numbers as null', () => {
    const date = new Date('2026-01-02T03:04:05.000Z');
    expect(canonicalJson({ when: date, gone: undefined, fn: () => 1, list: [undefined, () => 1, Number.NaN, Infinity] }).text).toBe(
      '{"list":[null,null,null,null],"when":"2026-01-02T03:04:05.000Z"}',
    );
    expect(canonicalJson(undefined).text).toBe('null');
    expect(canonicalJson(12n).text).toBe('12n');
    expect(canonicalJson('a "quoted"\nline').text).toBe(JSON.stringify('a "quoted"\nline'));
  });

  it('stops past its length limit and says so, keeping the first part', () => {
    const long = 'x'.repeat(MAX_CANONICAL_LENGTH * 2);
    const { text, cut } = canonicalJson({ long });
    expect(cut).toBe(true);
    expect(text).toHaveLength(MAX_CANONICAL_LENGTH);
    expect(text.startsWith('{"long":"xxx')).toBe(true);
  });

  it('stops past its depth limit, and so ends on cyclic arguments', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < MAX_CANONICAL_DEPTH + 5; i++) deep = { next: deep };
    expect(canonicalJson(deep).cut).toBe(true);
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(canonicalJson(cyclic).cut).toBe(true);
    let shallow: unknown = 'bottom';
    for (let i = 0; i < MAX_CANONICAL_DEPTH - 1; i++) shallow = { next: shallow };
    expect(canonicalJson(shallow).cut).toBe(false);
  });
});

describe('ArgumentFingerprinter', () => {
  it('is HMAC-SHA256 of the canonical JSON under the key, its first 16 bytes base64url', () => {
    const secret = randomBytes(32);
    const expected = createHmac('sha256', secret).update('{"limit":20,"path":"a.ts"}').digest().subarray(0, FINGERPRINT_BYTES).toString('base64url');
    expect(keyed(secret).ofValue({ path: 'a.ts', limit: 20 })).toBe(expected);
    expect(expected).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('gives equal arguments the same fingerprint whatever their key order, and other arguments another', () => {
    const fingerprinter = keyed();
    const a = fingerprinter.ofValue({ path: 'src/a.ts', offset: 0 });
    expect(fingerprinter.ofValue({ offset: 0, path: 'src/a.ts' })).toBe(a);
    expect(fingerprinter.ofValue({ path: 'src/b.ts', offset: 0 })).not.toBe(a);
    expect(fingerprinter.ofValue({ path: 'src/a.ts', offset: '0' })).not.toBe(a);
  });

  it('gives the same arguments another fingerprint under another key', () => {
    expect(keyed().ofValue({ path: 'a' })).not.toBe(keyed().ofValue({ path: 'a' }));
  });

  it('fingerprints JSON text as the value it parses to, and text that is not JSON as a string', () => {
    const fingerprinter = keyed();
    expect(fingerprinter.ofJsonText('{ "offset": 0,\n  "path": "src/a.ts" }')).toBe(fingerprinter.ofValue({ path: 'src/a.ts', offset: 0 }));
    expect(fingerprinter.ofJsonText('ls -la')).toBe(fingerprinter.ofValue('ls -la'));
  });

  it('marks a fingerprint of cut arguments, which never equals one of the uncut text', () => {
    const fingerprinter = keyed();
    const long = { text: 'y'.repeat(MAX_CANONICAL_LENGTH + 10) };
    const fingerprint = fingerprinter.ofValue(long);
    expect(fingerprint?.startsWith(CUT_FINGERPRINT_PREFIX)).toBe(true);
    expect(fingerprinter.ofValue({ text: 'y'.repeat(MAX_CANONICAL_LENGTH + 99) }), 'same first part').toBe(fingerprint);
    expect(fingerprinter.ofJsonText(JSON.stringify(long))?.startsWith(CUT_FINGERPRINT_PREFIX)).toBe(true);
  });

  it('answers undefined without a key, and for arguments whose getters throw', () => {
    expect(new ArgumentFingerprinter().ofValue({ a: 1 })).toBeUndefined();
    expect(new ArgumentFingerprinter().ready).toBe(false);
    const hostile = Object.defineProperty({}, 'boom', { enumerable: true, get: () => { throw new Error('no'); } });
    expect(keyed().ofValue(hostile)).toBeUndefined();
  });

  it('refuses a key shorter than 16 bytes', () => {
    expect(() => new ArgumentFingerprinter().setKey(new Uint8Array(8))).toThrow(/at least 16 bytes, got 8/);
  });
});
