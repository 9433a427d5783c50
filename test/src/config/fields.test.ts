import { describe, expect, expectTypeOf, it } from 'vitest';
import { boolean, httpUrl, integer, nonEmptyString, object, oneOf, stringRecord, type Input, type Output } from '../../../src/config/fields.js';
import type { PerformanceConfig, PerformanceConfigInput } from '../../../src/config/schema.js';

// The expectTypeOf checks here fail `npm run typecheck`, not vitest (which strips types).

const BLOCK = object({
  flag: boolean({ default: true }),
  count: integer({ min: 1, max: 10, default: 5 }),
  limit: integer({ min: 1, max: 10 }),
  name: nonEmptyString(),
  host: nonEmptyString({ default: 'localhost' }),
  url: httpUrl(),
  mode: oneOf(['fast', 'slow'], { default: 'fast' }),
  level: oneOf(['low', 'high']),
  tags: stringRecord(),
  inner: object({ on: boolean({ default: false }), label: nonEmptyString() }),
});

describe('field builders', () => {
  it('describe each key as plain data: kind, bounds, values, default', () => {
    expect(BLOCK.shape.count).toEqual({ kind: 'integer', min: 1, max: 10, default: 5 });
    expect(BLOCK.shape.limit).toEqual({ kind: 'integer', min: 1, max: 10 });
    expect(BLOCK.shape.name).toEqual({ kind: 'string' });
    expect(BLOCK.shape.mode).toEqual({ kind: 'enum', values: ['fast', 'slow'], default: 'fast' });
    expect(BLOCK.shape.tags).toEqual({ kind: 'record' });
    expect(BLOCK.shape.inner).toEqual({ kind: 'object', shape: { on: { kind: 'boolean', default: false }, label: { kind: 'string' } } });
  });

  it('take an enum default only from its values', () => {
    // @ts-expect-error: 'medium' is not one of the values
    const field = oneOf(['fast', 'slow'], { default: 'medium' });
    expect(field.values).toEqual(['fast', 'slow']);
  });
});

describe('types derived from a block', () => {
  it('Output: keys with a default and nested blocks required, the others optional', () => {
    expectTypeOf<Output<typeof BLOCK.shape>>().toEqualTypeOf<{
      flag: boolean;
      count: number;
      limit?: number;
      name?: string;
      host: string;
      url?: string;
      mode: 'fast' | 'slow';
      level?: 'low' | 'high';
      tags?: Record<string, string>;
      inner: { on: boolean; label?: string };
    }>();
  });

  it('Input: every key optional, nested ones too', () => {
    expectTypeOf<Input<typeof BLOCK.shape>>().toEqualTypeOf<{
      flag?: boolean;
      count?: number;
      limit?: number;
      name?: string;
      host?: string;
      url?: string;
      mode?: 'fast' | 'slow';
      level?: 'low' | 'high';
      tags?: Record<string, string>;
      inner?: { on?: boolean; label?: string };
    }>();
  });

  it('PerformanceConfig and PerformanceConfigInput have the shapes callers rely on', () => {
    expectTypeOf<PerformanceConfig['enabled']>().toEqualTypeOf<boolean>();
    expectTypeOf<PerformanceConfig['dataDir']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<PerformanceConfig['otlp']['protocol']>().toEqualTypeOf<'http/protobuf' | 'http/json' | undefined>();
    expectTypeOf<PerformanceConfig['otlp']['headers']>().toEqualTypeOf<Record<string, string> | undefined>();
    expectTypeOf<PerformanceConfig['server']>().toEqualTypeOf<{ host: string; port: number; endIdleAfterMs: number; jaegerUrl?: string }>();
    expectTypeOf<PerformanceConfigInput['server']>().toEqualTypeOf<{ host?: string; port?: number; endIdleAfterMs?: number; jaegerUrl?: string } | undefined>();
    // @ts-expect-error: an unknown key is a type error too, not only a ConfigError
    const misspelled: PerformanceConfigInput = { maxMetric: 5 };
    expect(misspelled).toBeDefined();
  });
});
