import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { errorMessageOf, errorTypeOf } from '../../../src/tracking/error-type.js';
import { ERROR_TYPE_OTHER } from '../../../src/telemetry/semconv.js';

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected fn to throw');
}

class ToolTimeoutError extends Error {
  override readonly name = 'ToolTimeoutError';
}

class UnnamedError extends Error {}

describe('errorTypeOf', () => {
  it('uses the name of built-in Error classes', () => {
    expect(errorTypeOf(new Error('x'))).toBe('Error');
    expect(errorTypeOf(new TypeError('x'))).toBe('TypeError');
    expect(errorTypeOf(new RangeError('x'))).toBe('RangeError');
    expect(errorTypeOf(thrownBy(() => JSON.parse('{')))).toBe('SyntaxError');
  });

  it('uses a custom subclass name, and the inherited one when not overridden', () => {
    expect(errorTypeOf(new ToolTimeoutError('slow'))).toBe('ToolTimeoutError');
    expect(errorTypeOf(new UnnamedError('x'))).toBe('Error');
  });

  it('prefers the code of a Node system error over its name', () => {
    const missing = thrownBy(() => readFileSync(join(tmpdir(), `toolperf-missing-${process.pid}-${Date.now()}`)));
    expect((missing as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect(errorTypeOf(missing)).toBe('ENOENT');
    expect(errorTypeOf(Object.assign(new Error('denied'), { code: 'EACCES' }))).toBe('EACCES');
  });

  it('ignores codes that do not look like system error codes', () => {
    expect(errorTypeOf(Object.assign(new Error('x'), { code: 'not_a_code' }))).toBe('Error');
    expect(errorTypeOf(Object.assign(new Error('x'), { code: 404 }))).toBe('Error');
    expect(errorTypeOf(Object.assign(new Error('x'), { code: '404' }))).toBe('Error');
    expect(errorTypeOf(Object.assign(new Error('x'), { code: 'HTTP_500' }))).toBe('Error');
    expect(errorTypeOf(Object.assign(new TypeError('x'), { code: '' }))).toBe('TypeError');
  });

  it('names an aborted signal AbortError', () => {
    const controller = new AbortController();
    controller.abort();
    expect(errorTypeOf(controller.signal.reason)).toBe('AbortError');
  });

  it('accepts plain objects carrying a name or code', () => {
    expect(errorTypeOf({ name: 'RateLimited' })).toBe('RateLimited');
    expect(errorTypeOf({ code: 'ETIMEDOUT' })).toBe('ETIMEDOUT');
  });

  it.each([
    ['a string', 'boom'],
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['an empty object', {}],
    ['an empty name', { name: '' }],
    ['a non-string name', { name: 42 }],
    ['a name over 64 characters', { name: 'N'.repeat(65) }],
  ])('falls back to _OTHER for %s', (_label, value) => {
    expect(errorTypeOf(value)).toBe(ERROR_TYPE_OTHER);
  });

  it('keeps a 64-character name', () => {
    expect(errorTypeOf({ name: 'N'.repeat(64) })).toBe('N'.repeat(64));
  });

  it('uses _OTHER as the fallback value', () => {
    expect(ERROR_TYPE_OTHER).toBe('_OTHER');
  });
});

describe('errorMessageOf', () => {
  it('reads the message of an Error, a string as is, and String() of anything else', () => {
    expect(errorMessageOf(new TypeError('bad input'))).toBe('bad input');
    expect(errorMessageOf('plain')).toBe('plain');
    expect(errorMessageOf(42)).toBe('42');
    expect(errorMessageOf(null)).toBe('null');
    expect(errorMessageOf(undefined)).toBe('undefined');
  });
});
