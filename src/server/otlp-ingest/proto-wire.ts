/** Protobuf wire types. */
export const VARINT = 0;
export const FIXED64 = 1;
export const LENGTH_DELIMITED = 2;
export const FIXED32 = 5;

const TWO_32 = 4294967296;

/**
 * Reads protobuf wire data by hand, bounds-checked: every read past `limit` (or a varint longer
 * than its type) throws a plain `Error`, never reads out of the buffer, and never loops without
 * moving forward. protobufjs's `Reader` does the same, but its calls cost twice as much over the
 * millions of fields a small gzip body can hold, and it builds an object per message.
 */
export class WireReader {
  pos = 0;
  /** Reads stop here (the end of the message being read). */
  limit = 0;
  /** Set by `long()`: the high 32 bits of the last 64-bit varint read (the low ones are returned). */
  high = 0;

  constructor(readonly bytes: Buffer) {
    this.limit = bytes.length;
  }

  /** Reads the message at [`from`, `to`) from now on. */
  at(from: number, to: number): this {
    this.pos = from;
    this.limit = to;
    return this;
  }

  /** A varint of up to 32 bits (tags, lengths, enums that are not negative). */
  varint(): number {
    const at = this.pos;
    if (at < this.limit) {
      // Most tags and lengths are one byte.
      const first = this.bytes[at] as number;
      if (first < 0x80) {
        this.pos = at + 1;
        return first;
      }
    }
    return this.longerVarint();
  }

  private longerVarint(): number {
    const { bytes, limit } = this;
    let pos = this.pos;
    let value = 0;
    let factor = 1;
    for (let i = 0; i < 5; i++) {
      if (pos >= limit) throw new Error('a varint runs past the end of its message');
      const byte = bytes[pos++] as number;
      value += (byte & 0x7f) * factor;
      if (byte < 0x80) {
        this.pos = pos;
        return value;
      }
      factor *= 128;
    }
    throw new Error('a varint longer than 32 bits');
  }

  /** A 64-bit varint: its low 32 bits returned (unsigned), the high ones left in `high`. */
  long(): number {
    const { bytes, limit } = this;
    let low = 0;
    let high = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= limit) throw new Error('a varint runs past the end of its message');
      const byte = bytes[this.pos++] as number;
      const bits = byte & 0x7f;
      if (i < 4) low |= bits << (7 * i);
      else if (i === 4) {
        low |= bits << 28;
        high |= bits >>> 4;
      } else high |= bits << (7 * i - 32);
      if (byte < 0x80) {
        this.high = high >>> 0;
        return low >>> 0;
      }
    }
    throw new Error('a varint longer than 64 bits');
  }

  /** An int64 varint as a number (rounded past 2^53, as `Number(long)` would). */
  int64(): number {
    const low = this.long();
    return signed(low, this.high);
  }

  /** The start of a length-delimited field's bytes, having read its length; `end()` gives its end. */
  lengthDelimited(): number {
    const length = this.varint();
    const from = this.pos;
    if (length > this.limit - from) throw new Error('a field runs past the end of its message');
    this.pos = from + length;
    return from;
  }

  /** A fixed64's low 32 bits (the high ones in `high`). */
  fixed64(): number {
    const at = this.pos;
    if (this.limit - at < 8) throw new Error('a fixed64 runs past the end of its message');
    this.pos = at + 8;
    this.high = this.bytes.readUInt32LE(at + 4);
    return this.bytes.readUInt32LE(at);
  }

  double(): number {
    const at = this.pos;
    if (this.limit - at < 8) throw new Error('a double runs past the end of its message');
    this.pos = at + 8;
    return this.bytes.readDoubleLE(at);
  }

  /** Skips a field of `wireType` whose tag was just read. Groups (3, 4) and wire types 6 and 7 are no OTLP field: they throw. */
  skip(wireType: number): void {
    if (wireType === VARINT) {
      const { bytes, limit } = this;
      for (let i = 0; ; i++) {
        if (this.pos >= limit || i >= 10) throw new Error('a varint runs past the end of its message');
        if ((bytes[this.pos++] as number) < 0x80) return;
      }
    }
    let size: number;
    if (wireType === FIXED64) size = 8;
    else if (wireType === FIXED32) size = 4;
    else if (wireType === LENGTH_DELIMITED) size = this.varint();
    else throw new Error(`unsupported wire type ${wireType}`);
    if (size > this.limit - this.pos) throw new Error('a field runs past the end of its message');
    this.pos += size;
  }
}

/** A two's-complement 64-bit integer from its halves, as a number. */
export function signed(low: number, high: number): number {
  if (high >>> 31 === 0) return low + high * TWO_32;
  const negLow = (~low + 1) >>> 0;
  const negHigh = negLow === 0 ? (~high + 1) >>> 0 : ~high >>> 0;
  return -(negLow + negHigh * TWO_32);
}

/**
 * Epoch microseconds of a fixed64 of nanoseconds given by its halves, exact (below 2^53 µs, i.e.
 * for any time before the year 2255): `floor(ns / 1000)` without a BigInt.
 */
export function microsOf(low: number, high: number): number {
  // ns = high·2^32 + low, and 2^32 = 4,294,967·1000 + 296.
  const rest = high * 296 + low;
  return high * 4_294_967 + Math.floor(rest / 1000);
}

/** `end − start` in nanoseconds for two fixed64s given by their halves, rounded once (as `Number(bigint)`). */
export function nanosBetween(startLow: number, startHigh: number, endLow: number, endHigh: number): number {
  return (endHigh - startHigh) * TWO_32 + (endLow - startLow);
}

/** Whether the fixed64 (aLow, aHigh) is greater than (bLow, bHigh). */
export function isAfter(aLow: number, aHigh: number, bLow: number, bHigh: number): boolean {
  return aHigh > bHigh || (aHigh === bHigh && aLow > bLow);
}
