import { stringEnd } from './json-records.js';

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;

/**
 * Whether the JSON text in `body` nests objects and arrays deeper than `max`, found by one pass
 * over its bytes (strings skipped) before anything is parsed. `JSON.parse` takes about a second for
 * 4 MB of `[[[[…` and the walk after it would overflow the stack, so such a body is refused
 * first. Only ASCII bytes matter: UTF-8 never uses them inside a multi-byte character.
 */
export function jsonNestsDeeperThan(body: Uint8Array, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (byte === QUOTE) {
      const end = stringEnd(body, i);
      // A string cut short ends the scan: the parse that follows refuses it.
      if (end === -1) return false;
      i = end - 1;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}
