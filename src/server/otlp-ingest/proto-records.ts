import type { RecordCount } from './found-record.js';
import { KeptAttributes, ProtoAttributes, type AttributeIndex } from './proto-attributes.js';
import { textAt } from './proto-text.js';
import { LENGTH_DELIMITED, WireReader } from './proto-wire.js';
import { MapAttributes } from './map-attributes.js';
import type { IngestAttributes } from './sources/source.js';

/** A field's bytes: [from, to). */
type Range = readonly [number, number];

/** A record of a protobuf request, found but not read yet: its bytes, and where it comes from. */
export interface ProtoFound {
  readonly from: number;
  readonly to: number;
  readonly origin: ProtoOrigin;
}

/**
 * The records of a protobuf export request of `signal`, found by one walk over its bytes that builds
 * nothing but an entry per record read: `resource_spans` (1) › `scope_spans` (2) › `spans` (2); logs
 * and metrics have the same field numbers (`resource_logs` › `scope_logs` › `log_records`). Of the
 * first `count.max` an entry is made, to be read by `proto-record.ts`; the rest are counted in
 * `count.seen` and never read, so a body of millions of empty records costs a pass over its bytes,
 * not millions of objects. Throws (a plain `Error`) on bytes that are not such a request.
 */
export function findProtoRecords(body: Buffer, count: RecordCount): ProtoFound[] {
  const reader = new WireReader(body);
  const found: ProtoFound[] = [];
  // The walk keeps its place in these, and makes an origin only for a scope with a record to
  // read; fields may come in any order (the resource after its records).
  let resource: Range | undefined;
  let scope: Range | undefined;
  let origin: ProtoOrigin | undefined;
  let originsOfResource: ProtoOrigin[] = [];

  const scopeSpansField = (field: number, from: number, to: number): void => {
    if (field === 1) scope = [from, to];
    if (field !== 2 || count.seen++ >= count.max) return;
    if (origin === undefined) originsOfResource.push((origin = new ProtoOrigin(body)));
    found.push({ from, to, origin });
  };
  const resourceSpansField = (field: number, from: number, to: number): void => {
    if (field === 1) resource = [from, to];
    if (field !== 2) return;
    origin = undefined;
    scope = undefined;
    eachField(reader, from, to, scopeSpansField);
    // Set by `scopeSpansField` meanwhile, which TypeScript cannot see.
    (origin as ProtoOrigin | undefined)?.setScope(scope);
  };
  eachField(reader, 0, body.length, (field, from, to) => {
    if (field !== 1) return;
    resource = undefined;
    eachField(reader, from, to, resourceSpansField);
    for (const each of originsOfResource) each.setResource(resource);
    if (originsOfResource.length > 0) originsOfResource = [];
  });
  return found;
}

/** What the records of one scope share: their resource's attributes and their scope's name and version. */
export interface ResolvedOrigin {
  readonly resource: IngestAttributes;
  readonly scopeName: string;
  readonly scopeVersion: string | undefined;
}

const NO_ATTRIBUTES = new MapAttributes();

/** The resource and scope of records found in protobuf, read (and checked) once, when its first record is. */
export class ProtoOrigin {
  private resourceRange: Range | undefined;
  private scopeRange: Range | undefined;
  private resolvedOrigin: ResolvedOrigin | undefined;

  constructor(private readonly body: Buffer) {}

  setResource(range: Range | undefined): void {
    this.resourceRange = range;
  }

  setScope(range: Range | undefined): void {
    this.scopeRange = range;
  }

  /** Throws on a resource or scope that is not one. */
  resolve(reader: WireReader, index: AttributeIndex): ResolvedOrigin {
    if (this.resolvedOrigin !== undefined) return this.resolvedOrigin;
    // Resource { repeated KeyValue attributes = 1 }.
    const resource = this.resourceRange === undefined ? NO_ATTRIBUTES : new KeptAttributes(attributesIn(reader, index, this.resourceRange, 1));
    let scopeName = '';
    let scopeVersion: string | undefined;
    if (this.scopeRange !== undefined) {
      // InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3 }.
      const [from, to] = this.scopeRange;
      attributesIn(reader, index, this.scopeRange, 3);
      reader.at(from, to);
      while (reader.pos < to) {
        const tag = reader.varint();
        const field = tag >>> 3;
        if ((field === 1 || field === 2) && (tag & 7) === LENGTH_DELIMITED) {
          const start = reader.lengthDelimited();
          const text = textAt(this.body, start, reader.pos);
          if (field === 1) scopeName = text;
          else scopeVersion = text || undefined;
        } else {
          reader.skip(tag & 7);
        }
      }
    }
    return (this.resolvedOrigin = { resource, scopeName, scopeVersion });
  }
}

/**
 * The attributes (the `KeyValue` fields numbered `field`) of the message at `range`, checked and
 * indexed, as a lazy view.
 */
function attributesIn(reader: WireReader, index: AttributeIndex, range: Range, field: number): ProtoAttributes {
  const [from, to] = range;
  const first = index.size;
  reader.at(from, to);
  while (reader.pos < to) {
    const tag = reader.varint();
    if (tag >>> 3 !== field || (tag & 7) !== LENGTH_DELIMITED) {
      reader.skip(tag & 7);
      continue;
    }
    const start = reader.lengthDelimited();
    const end = reader.pos;
    index.add(reader, start, end);
    reader.at(end, to);
  }
  return new ProtoAttributes(index, first, index.size);
}

/**
 * Calls `visit` with the number and byte range of each length-delimited field of the message at
 * [`start`, `end`), skipping the others. Nested calls move the reader; it is put back after each.
 */
function eachField(reader: WireReader, start: number, end: number, visit: (field: number, from: number, to: number) => void): void {
  reader.at(start, end);
  while (reader.pos < end) {
    const tag = reader.varint();
    if ((tag & 7) !== LENGTH_DELIMITED) {
      reader.skip(tag & 7);
      continue;
    }
    const from = reader.lengthDelimited();
    const to = reader.pos;
    visit(tag >>> 3, from, to);
    reader.at(to, end);
  }
}
