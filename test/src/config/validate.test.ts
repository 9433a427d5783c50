import { describe, expect, it } from 'vitest';
import { boolean, httpUrl, integer, nonEmptyString, object, oneOf, stringRecord } from '../../../src/config/fields.js';
import { validate, type Problem } from '../../../src/config/validate.js';

/** One key of each kind, bounds chosen so that values just outside them are easy to write. */
const BLOCK = object({
  flag: boolean({ default: true }),
  count: integer({ min: 1, max: 10, default: 5 }),
  name: nonEmptyString(),
  url: httpUrl(),
  mode: oneOf(['fast', 'slow'], { default: 'fast' }),
  tags: stringRecord(),
  inner: object({
    on: boolean({ default: false }),
    level: integer({ min: 0, max: 3 }),
  }),
});

const DEFAULTS = { flag: true, count: 5, mode: 'fast', inner: { on: false } };

function valueOf(input: unknown): unknown {
  const result = validate(BLOCK, input);
  if (!result.ok) throw new Error(`expected no problems, got ${JSON.stringify(result.problems)}`);
  return result.value;
}

function problemsOf(input: unknown): readonly Problem[] {
  const result = validate(BLOCK, input);
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.value)}`);
  return result.problems;
}

describe('validate: defaults', () => {
  it('fills every default, nested blocks too, and leaves keys without one out', () => {
    const value = valueOf({});
    expect(value).toEqual(DEFAULTS);
    expect(Object.keys(value as object).sort()).toEqual(['count', 'flag', 'inner', 'mode']);
    expect(Object.keys((value as typeof DEFAULTS).inner)).toEqual(['on']);
  });

  it('treats a key set to undefined as absent', () => {
    expect(valueOf({ flag: undefined, name: undefined, inner: undefined })).toEqual(DEFAULTS);
    expect(valueOf({ inner: { on: undefined } })).toEqual(DEFAULTS);
  });

  it('keeps a given value that differs from the default, false and the lower bound included', () => {
    expect(valueOf({ flag: false, count: 1, mode: 'slow', inner: { on: true, level: 0 } })).toEqual({
      flag: false,
      count: 1,
      mode: 'slow',
      inner: { on: true, level: 0 },
    });
  });

  it('returns new objects and leaves the input as it was', () => {
    const input = { tags: { a: 'b' }, inner: { on: true } };
    const value = valueOf(input) as typeof input;
    expect(value.inner).not.toBe(input.inner);
    expect(value.tags).not.toBe(input.tags);
    expect(input).toEqual({ tags: { a: 'b' }, inner: { on: true } });
  });
});

describe('validate: each kind accepts its values', () => {
  it.each([
    ['boolean true', { flag: true }, 'flag', true],
    ['boolean false', { flag: false }, 'flag', false],
    ['integer at the minimum', { count: 1 }, 'count', 1],
    ['integer at the maximum', { count: 10 }, 'count', 10],
    ['non-empty string', { name: 'x' }, 'name', 'x'],
    ['http URL', { url: 'http://localhost:4318' }, 'url', 'http://localhost:4318'],
    ['https URL with a path', { url: 'https://otel.example.com/v1/traces' }, 'url', 'https://otel.example.com/v1/traces'],
    ['URL with surrounding spaces, trimmed', { url: '  https://a.example  ' }, 'url', 'https://a.example'],
    ['URL with an upper-case scheme', { url: 'HTTPS://a.example' }, 'url', 'HTTPS://a.example'],
    ['enum value', { mode: 'slow' }, 'mode', 'slow'],
    ['record of strings', { tags: { authorization: 'Bearer x', 'x-empty': '' } }, 'tags', { authorization: 'Bearer x', 'x-empty': '' }],
    ['empty record', { tags: {} }, 'tags', {}],
  ])('%s', (_label, input, key, expected) => {
    expect((valueOf(input) as Record<string, unknown>)[key]).toEqual(expected);
  });
});

describe('validate: each kind rejects other values, saying what is allowed', () => {
  it.each([
    ['boolean given a string', { flag: 'true' }, ['flag'], 'true', 'expected true or false'],
    ['boolean given 1', { flag: 1 }, ['flag'], 1, 'expected true or false'],
    ['boolean given null', { flag: null }, ['flag'], null, 'expected true or false'],
    ['integer below the minimum', { count: 0 }, ['count'], 0, 'expected an integer from 1 to 10'],
    ['integer above the maximum', { count: 11 }, ['count'], 11, 'expected an integer from 1 to 10'],
    ['integer given a fraction', { count: 1.5 }, ['count'], 1.5, 'expected an integer from 1 to 10'],
    ['integer given a numeric string', { count: '5' }, ['count'], '5', 'expected an integer from 1 to 10'],
    ['integer given NaN', { count: NaN }, ['count'], NaN, 'expected an integer from 1 to 10'],
    ['integer given Infinity', { count: Infinity }, ['count'], Infinity, 'expected an integer from 1 to 10'],
    ['string given an empty string', { name: '' }, ['name'], '', 'expected a non-empty string'],
    ['string given a number', { name: 5 }, ['name'], 5, 'expected a non-empty string'],
    ['URL with another scheme', { url: 'ftp://a.example' }, ['url'], 'ftp://a.example', 'expected an http:// or https:// URL'],
    ['URL without a scheme', { url: 'collector:4318' }, ['url'], 'collector:4318', 'expected an http:// or https:// URL'],
    ['URL without //', { url: 'http:a.example' }, ['url'], 'http:a.example', 'expected an http:// or https:// URL'],
    ['URL without a host', { url: 'http://' }, ['url'], 'http://', 'expected an http:// or https:// URL'],
    ['URL with a space in the host', { url: 'http://a b' }, ['url'], 'http://a b', 'expected an http:// or https:// URL'],
    ['URL given a number', { url: 4318 }, ['url'], 4318, 'expected an http:// or https:// URL'],
    ['enum value not listed', { mode: 'medium' }, ['mode'], 'medium', 'expected one of "fast", "slow"'],
    ['enum value in another case', { mode: 'FAST' }, ['mode'], 'FAST', 'expected one of "fast", "slow"'],
    ['record given an array', { tags: ['a'] }, ['tags'], ['a'], 'expected an object mapping names to strings'],
    ['record given a string', { tags: 'a=b' }, ['tags'], 'a=b', 'expected an object mapping names to strings'],
    ['record with an empty name', { tags: { '': 'x' } }, ['tags', ''], 'x', 'expected a non-empty name'],
    ['record with a number value', { tags: { a: 1 } }, ['tags', 'a'], 1, 'expected a string'],
    ['nested block given true', { inner: true }, ['inner'], true, 'expected an object'],
    ['nested block given null', { inner: null }, ['inner'], null, 'expected an object'],
    ['nested block given an array', { inner: [] }, ['inner'], [], 'expected an object'],
    ['nested key of the wrong kind', { inner: { level: 4 } }, ['inner', 'level'], 4, 'expected an integer from 0 to 3'],
    ['the block itself given null', null, [], null, 'expected an object'],
    ['the block itself given undefined', undefined, [], undefined, 'expected an object'],
  ])('%s', (_label, input, path, value, message) => {
    expect(problemsOf(input)).toEqual([{ path, value, message }]);
  });
});

describe('validate: unknown keys', () => {
  it('rejects an unknown top-level key, listing the allowed ones', () => {
    expect(problemsOf({ flg: false })).toEqual([
      { path: ['flg'], value: false, message: 'unknown key; allowed: flag, count, name, url, mode, tags, inner' },
    ]);
  });

  it('rejects an unknown key in a nested block, listing that block\'s keys', () => {
    expect(problemsOf({ inner: { On: true } })).toEqual([{ path: ['inner', 'On'], value: true, message: 'unknown key; allowed: on, level' }]);
  });

  it('rejects an unknown key even when its value is undefined', () => {
    expect(problemsOf({ flg: undefined }).map((p) => p.path)).toEqual([['flg']]);
  });

  it('takes __proto__ from parsed JSON as an unknown key, not as the prototype', () => {
    const input: unknown = JSON.parse('{ "__proto__": { "flag": false } }');
    expect(problemsOf(input).map((p) => p.path)).toEqual([['__proto__']]);
  });

  it('does not take inherited names (toString, constructor) as keys', () => {
    expect(problemsOf({ toString: 'x', constructor: 1 }).map((p) => p.path)).toEqual([['toString'], ['constructor']]);
  });
});

describe('validate: several problems', () => {
  it('reports every problem, in the order keys are declared, unknown keys last', () => {
    const problems = problemsOf({ extra: 1, inner: { level: -1, nope: 2 }, flag: 'no', count: 0 });
    expect(problems.map((p) => p.path.join('.'))).toEqual(['flag', 'count', 'inner.level', 'inner.nope', 'extra']);
  });
});
