import { describe, expect, it } from 'vitest';
import { hexAt, textAt } from '../../../../src/server/otlp-ingest/proto-text.js';
import { prng } from '../../../helpers/prng.js';

describe('textAt', () => {
  it('gives the same text as Buffer#toString, ASCII or not, valid UTF-8 or not', () => {
    const rnd = prng(3);
    const alphabet = [0x61, 0x62, 0x2e, 0x5f, 0xc3, 0xa9, 0xe9, 0xff, 0x80, 0xe2, 0x9c, 0x93];
    const samples: Buffer[] = [];
    for (let i = 0; i < 3000; i++) {
      const length = Math.floor(rnd() * 60);
      samples.push(Buffer.from(Array.from({ length }, () => alphabet[Math.floor(rnd() * alphabet.length)] as number)));
    }
    for (const bytes of samples) {
      const padded = Buffer.concat([Buffer.from('xx'), bytes, Buffer.from('yy')]);
      expect(textAt(padded, 2, 2 + bytes.length)).toBe(bytes.toString('utf8'));
    }
  });
});

describe('hexAt', () => {
  it('is lowercase hex of the range', () => {
    expect(hexAt(Buffer.from([0x00, 0xab, 0xcd, 0xef, 0x10]), 1, 4)).toBe('abcdef');
  });
});
