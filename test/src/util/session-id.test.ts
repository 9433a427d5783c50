import { describe, expect, it } from 'vitest';
import { assertValidSessionId, InvalidSessionIdError, isValidSessionId, MAX_SESSION_ID_LENGTH } from '../../../src/util/session-id.js';

describe('isValidSessionId', () => {
  it.each([
    'a',
    '0',
    '_',
    'ses_01JABCDEF',
    'abc-DEF_123.456',
    'a..b',
    'trailing.',
    '550e8400-e29b-41d4-a716-446655440000',
  ])('accepts %j', (id) => {
    expect(isValidSessionId(id)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['parent directory', '..'],
    ['current directory', '.'],
    ['traversal', '../x'],
    ['nested traversal', 'a/../../etc/passwd'],
    ['slash', 'a/b'],
    ['backslash', 'a\\b'],
    ['hidden file', '.hidden'],
    ['leading dash (option-like)', '-rf'],
    ['space', 'a b'],
    ['NUL byte', 'a\0b'],
    ['newline', 'a\nb'],
    ['colon (Windows stream)', 'a:b'],
    ['non-ASCII letter', 'sessión'],
  ])('rejects %s', (_label, id) => {
    expect(isValidSessionId(id)).toBe(false);
  });

  it.each([undefined, null, 42, {}, ['a']])('rejects the non-string %j', (value) => {
    expect(isValidSessionId(value)).toBe(false);
  });

  it('accepts exactly MAX_SESSION_ID_LENGTH (128) characters and rejects 129', () => {
    expect(MAX_SESSION_ID_LENGTH).toBe(128);
    expect(isValidSessionId('a'.repeat(128))).toBe(true);
    expect(isValidSessionId('a'.repeat(129))).toBe(false);
  });
});

describe('assertValidSessionId', () => {
  it('returns for a valid ID', () => {
    expect(() => assertValidSessionId('ok-id')).not.toThrow();
  });

  it('throws InvalidSessionIdError carrying the rejected value', () => {
    let caught: unknown;
    try {
      assertValidSessionId('../x');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidSessionIdError);
    const error = caught as InvalidSessionIdError;
    expect(error.name).toBe('InvalidSessionIdError');
    expect(error.sessionId).toBe('../x');
    expect(error.message).toContain('"../x"');
    expect(error.message).toContain('1-128');
  });

  it('describes a long ID by a prefix and its length, not in full', () => {
    const id = 'x'.repeat(200);
    expect(() => assertValidSessionId(id)).toThrow(/length 200/);
    try {
      assertValidSessionId(id);
    } catch (error) {
      expect((error as Error).message).not.toContain(id);
    }
  });

  it('describes a non-string by its type', () => {
    expect(() => assertValidSessionId(7)).toThrow(/of type number/);
  });
});
