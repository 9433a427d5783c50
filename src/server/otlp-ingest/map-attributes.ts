import type { IngestAttributes, IngestValue } from './sources/source.js';

/** Attributes already decoded (OTLP/JSON, tests), in a `Map`: a key is never looked up on a prototype. */
export class MapAttributes implements IngestAttributes {
  constructor(private readonly values: ReadonlyMap<string, IngestValue> = new Map()) {}

  /** The defined values of `object`, as attributes. */
  static of(object: Readonly<Record<string, IngestValue | undefined>>): MapAttributes {
    const values = new Map<string, IngestValue>();
    for (const [key, value] of Object.entries(object)) if (value !== undefined) values.set(key, value);
    return new MapAttributes(values);
  }

  get(key: string): IngestValue | undefined {
    return this.values.get(key);
  }

  entries(): [string, IngestValue][] {
    return [...this.values];
  }
}
