import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { isAfter, microsOf, nanosBetween, WireReader } from '../../../../src/server/otlp-ingest/proto-wire.js';
import { prng } from '../../../helpers/prng.js';

const reader = (bytes: Uint8Array) => new WireReader(Buffer.from(bytes));

describe('WireReader', () => {
  it('reads varints of 1 to 5 bytes as protobufjs writes them, and refuses longer or cut ones', () => {
    for (const n of [0, 1, 127, 128, 300, 16_383, 16_384, 2 ** 21, 2 ** 28 - 1, 2 ** 31, 2 ** 32 - 1]) {
      const bytes = protobuf.Writer.create().uint32(n).finish();
      const r = reader(bytes);
      expect(r.varint()).toBe(n);
      expect(r.pos).toBe(bytes.length);
    }
    expect(() => reader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).varint()).toThrow('longer than 32 bits');
    expect(() => reader(Buffer.from([0x80, 0x80])).varint()).toThrow('past the end');
    const limited = reader(Buffer.from([0x96, 0x01]));
    limited.limit = 1;
    expect(() => limited.varint()).toThrow('past the end');
  });

  it('reads int64 varints, negative ones included, as Number(long) does', () => {
    const rnd = prng(5);
    const values = [0, 1, -1, 2 ** 31, -(2 ** 31), 2 ** 53 - 1, -(2 ** 53) + 1, 123_456_789_012];
    for (let i = 0; i < 500; i++) values.push(Math.round((rnd() - 0.5) * 2 ** (1 + rnd() * 62)) || 0);
    for (const n of values) {
      const bytes = protobuf.Writer.create().int64(n).finish();
      expect(reader(bytes).int64(), String(n)).toBe(n);
    }
    expect(() => reader(Buffer.alloc(11, 0xff)).int64()).toThrow('longer than 64 bits');
  });

  it('skips every wire type within its message and refuses the others', () => {
    const r = reader(Buffer.from([0x96, 0x01, ...Array(8).fill(0), 0, 0, 0, 0, 0x02, 0x61, 0x62]));
    r.skip(0);
    r.skip(1);
    r.skip(5);
    r.skip(2);
    expect(r.pos).toBe(r.limit);
    expect(() => reader(Buffer.from([0x00])).skip(3)).toThrow('unsupported wire type 3');
    expect(() => reader(Buffer.from([0x05, 0x61])).skip(2)).toThrow('past the end');
    expect(() => reader(Buffer.from([0, 0, 0])).skip(5)).toThrow('past the end');
    expect(() => reader(Buffer.alloc(12, 0x80)).skip(0)).toThrow('past the end');
  });
});

describe('fixed64 times', () => {
  const halves = (ns: bigint) => [Number(ns & 0xffffffffn), Number(ns >> 32n)] as const;

  it('gives microseconds and differences exactly as BigInt arithmetic does', () => {
    const rnd = prng(8);
    for (let i = 0; i < 2000; i++) {
      const start = 1_700_000_000_000_000_000n + BigInt(Math.floor(rnd() * 1e17));
      const end = start + BigInt(Math.floor(rnd() * 1e13));
      const [sl, sh] = halves(start);
      const [el, eh] = halves(end);
      expect(microsOf(sl, sh)).toBe(Number(start / 1000n));
      expect(nanosBetween(sl, sh, el, eh)).toBe(Number(end - start));
      expect(isAfter(el, eh, sl, sh)).toBe(end > start);
      expect(isAfter(sl, sh, el, eh)).toBe(false);
    }
  });
});
