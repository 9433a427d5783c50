import { describe, expect, it } from 'vitest';
import { jsonNestsDeeperThan } from '../../../../src/server/otlp-ingest/json-depth.js';

const deeper = (json: string, max: number) => jsonNestsDeeperThan(Buffer.from(json), max);

describe('jsonNestsDeeperThan', () => {
  it('counts objects and arrays, not brackets inside strings', () => {
    expect(deeper('{"a":[{"b":[]}]}', 4)).toBe(false);
    expect(deeper('{"a":[{"b":[]}]}', 3)).toBe(true);
    expect(deeper('{"a":"[[[[[[{{{{{\\"[[[["}', 1)).toBe(false);
    expect(deeper('[1,[2],[3]]', 2)).toBe(false);
  });

  it('finds 100,000 levels in one pass, without recursion', () => {
    expect(deeper(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, 64)).toBe(true);
  });
});
