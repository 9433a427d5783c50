import type { IngestValue } from './sources/source.js';
import { textAt } from './proto-text.js';
import { FIXED64, LENGTH_DELIMITED, VARINT, type WireReader } from './proto-wire.js';

/**
 * Levels of `array_value` and `kvlist_value` an attribute value may nest in protobuf; a deeper one
 * makes the request undecodable (400), as in OTLP/JSON (whose limit, `MAX_JSON_DEPTH`, leaves
 * about as many levels to a value). An attribute value ingest reads is at most one level deep.
 */
export const MAX_VALUE_NESTING = 16;

// AnyValue's fields.
const STRING_VALUE = 1;
const BOOL_VALUE = 2;
const INT_VALUE = 3;
const DOUBLE_VALUE = 4;
const ARRAY_VALUE = 5;
const KVLIST_VALUE = 6;
// KeyValue's, and ArrayValue's and KeyValueList's one field.
const KEY = 1;
const VALUE = 2;
const VALUES = 1;

/**
 * Checks the `KeyValue` at [`from`, `to`) (read by `reader`), without decoding it: every field
 * within its message, its value nested at most `MAX_VALUE_NESTING` levels. Throws otherwise.
 * Leaves `reader` anywhere: the caller puts it back where it reads next.
 */
export function checkKeyValue(reader: WireReader, from: number, to: number, nesting = 0): void {
  reader.at(from, to);
  while (reader.pos < to) {
    const tag = reader.varint();
    if (tag >>> 3 === VALUE && (tag & 7) === LENGTH_DELIMITED) {
      const start = reader.lengthDelimited();
      const end = reader.pos;
      checkAnyValue(reader, start, end, nesting);
      reader.at(end, to);
    } else {
      reader.skip(tag & 7);
    }
  }
}

/** Checks the `AnyValue` at [`from`, `to`) as `checkKeyValue` does; leaves `reader` anywhere in it. */
export function checkAnyValue(reader: WireReader, from: number, to: number, nesting: number): void {
  reader.at(from, to);
  while (reader.pos < to) {
    const tag = reader.varint();
    const field = tag >>> 3;
    if ((field !== ARRAY_VALUE && field !== KVLIST_VALUE) || (tag & 7) !== LENGTH_DELIMITED) {
      reader.skip(tag & 7);
      continue;
    }
    if (nesting >= MAX_VALUE_NESTING) throw new Error(`an attribute value nested deeper than ${MAX_VALUE_NESTING} levels`);
    const start = reader.lengthDelimited();
    const end = reader.pos;
    // ArrayValue { repeated AnyValue values = 1 }, KeyValueList { repeated KeyValue values = 1 }.
    reader.at(start, end);
    while (reader.pos < end) {
      const inner = reader.varint();
      if (inner >>> 3 !== VALUES || (inner & 7) !== LENGTH_DELIMITED) {
        reader.skip(inner & 7);
        continue;
      }
      const itemFrom = reader.lengthDelimited();
      const itemTo = reader.pos;
      if (field === ARRAY_VALUE) checkAnyValue(reader, itemFrom, itemTo, nesting + 1);
      else checkKeyValue(reader, itemFrom, itemTo, nesting + 1);
      reader.at(itemTo, end);
    }
    reader.at(end, to);
  }
}

/**
 * Checks the `KeyValue` at [`from`, `to`) as `checkKeyValue` does, in the same walk leaving the
 * range of its key and of its value in `out`: [keyFrom, keyTo, valueFrom, valueTo], -1 where absent
 * (of a field sent twice, the last counts).
 */
export function readKeyValue(reader: WireReader, from: number, to: number, out: Int32Array): void {
  out[0] = out[1] = out[2] = out[3] = -1;
  reader.at(from, to);
  while (reader.pos < to) {
    const tag = reader.varint();
    const field = tag >>> 3;
    if ((field !== KEY && field !== VALUE) || (tag & 7) !== LENGTH_DELIMITED) {
      reader.skip(tag & 7);
      continue;
    }
    const start = reader.lengthDelimited();
    const end = reader.pos;
    if (field === KEY) {
      out[0] = start;
      out[1] = end;
      continue;
    }
    out[2] = start;
    out[3] = end;
    checkAnyValue(reader, start, end, 0);
    reader.at(end, to);
  }
}

/**
 * The `AnyValue` at [`from`, `to`) as an attribute: a primitive, or an array of one primitive type
 * (empty: `[]`); undefined for anything else (maps, bytes, arrays of arrays or of mixed types, no
 * value). Of a oneof sent twice, the last counts. Never recurses.
 */
export function attributeValue(reader: WireReader, from: number, to: number): IngestValue | undefined {
  let value = primitiveOrArray(reader, from, to);
  if (value !== ARRAY) return value;
  const arrayFrom = arrayStart;
  const arrayTo = arrayEnd;
  const items: (string | number | boolean)[] = [];
  let kind: string | undefined;
  reader.at(arrayFrom, arrayTo);
  while (reader.pos < arrayTo) {
    const tag = reader.varint();
    if (tag >>> 3 !== VALUES || (tag & 7) !== LENGTH_DELIMITED) {
      reader.skip(tag & 7);
      continue;
    }
    const itemFrom = reader.lengthDelimited();
    const itemTo = reader.pos;
    value = primitiveOrArray(reader, itemFrom, itemTo);
    if (value === undefined || value === ARRAY) return undefined;
    const itemKind = typeof value;
    if (kind !== undefined && itemKind !== kind) return undefined;
    kind = itemKind;
    items.push(value as string | number | boolean);
    reader.at(itemTo, arrayTo);
  }
  return items as IngestValue;
}

/** The primitive value of an AnyValue at [`from`, `to`) (a log record's body), or undefined. */
export function primitiveValue(reader: WireReader, from: number, to: number): string | number | boolean | undefined {
  const value = primitiveOrArray(reader, from, to);
  return value === ARRAY ? undefined : value;
}

/** Marks an `array_value`, whose range is left in `arrayStart`/`arrayEnd`. */
const ARRAY = Symbol('array');
let arrayStart = 0;
let arrayEnd = 0;

function primitiveOrArray(reader: WireReader, from: number, to: number): string | number | boolean | typeof ARRAY | undefined {
  let value: string | number | boolean | typeof ARRAY | undefined;
  reader.at(from, to);
  while (reader.pos < to) {
    const tag = reader.varint();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === STRING_VALUE && wireType === LENGTH_DELIMITED) {
      const start = reader.lengthDelimited();
      value = textAt(reader.bytes, start, reader.pos);
    } else if (field === BOOL_VALUE && wireType === VARINT) {
      value = reader.long() !== 0 || reader.high !== 0;
    } else if (field === INT_VALUE && wireType === VARINT) {
      value = reader.int64();
    } else if (field === DOUBLE_VALUE && wireType === FIXED64) {
      value = reader.double();
    } else if (field === ARRAY_VALUE && wireType === LENGTH_DELIMITED) {
      arrayStart = reader.lengthDelimited();
      arrayEnd = reader.pos;
      value = ARRAY;
    } else {
      // kvlist_value, bytes_value and unknown fields: a value no attribute is (a oneof's last member counts).
      if ((field === KVLIST_VALUE || field === 7) && wireType === LENGTH_DELIMITED) value = undefined;
      reader.skip(wireType);
    }
  }
  return value;
}
