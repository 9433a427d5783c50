import { MapAttributes } from '../../src/server/otlp-ingest/map-attributes.js';
import type { IngestAttributes, IngestValue, OtlpRecord } from '../../src/server/otlp-ingest/sources/source.js';

/** Attributes of plain values, for records made by hand. */
export function attributes(values: Readonly<Record<string, IngestValue | undefined>> = {}): IngestAttributes {
  return MapAttributes.of(values);
}

/** `base`'s attributes with `changes` applied: a value set, or, for undefined, the key left out. */
export function withAttributes(base: IngestAttributes, changes: Readonly<Record<string, IngestValue | undefined>>): IngestAttributes {
  return MapAttributes.of({ ...Object.fromEntries(base.entries()), ...changes });
}

/** `record` with its attributes and resource as plain objects, to compare with `toEqual`. */
export function plainRecord(record: OtlpRecord): Omit<OtlpRecord, 'attributes' | 'resource'> & { attributes: Record<string, IngestValue>; resource: Record<string, IngestValue> } {
  return { ...record, attributes: Object.fromEntries(record.attributes.entries()), resource: Object.fromEntries(record.resource.entries()) };
}
