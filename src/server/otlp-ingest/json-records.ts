import type { FoundRecord, Json, RecordCount, RecordOrigin } from './found-record.js';
import { JSON_SHAPES, type Signal } from './found-record.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * What to do with a member or element found at `from`: read it and give back where it ends, or
 * undefined to have it skipped.
 */
type Visit<A extends unknown[]> = (...args: A) => number | undefined;

/** A value's bytes: [from, to). */
type Range = readonly [number, number];

/**
 * The records of an OTLP/JSON export request of `signal`, found by one pass over its bytes that
 * builds nothing: `resourceSpans[]` › `scopeSpans[]` › `spans[]` (for logs `resourceLogs` ›
 * `scopeLogs` › `logRecords`, for metrics `resourceMetrics` › `scopeMetrics` › `metrics`). Each of the first `count.max`
 * is parsed (`JSON.parse` of its own bytes) only when read; the rest are counted in `count.seen`
 * and never parsed. `JSON.parse` of the whole body would build every object first: 1.4 million for
 * 4 MB of `{},`, most of a second of the event loop with its garbage collection. Only the path to
 * the records is checked here; a record past the limit is skipped by its brackets, unread, and a
 * repeated key is read each time. Throws (a plain `Error`) on a body that is not such a request.
 */
export function findJsonRecords(body: Uint8Array, count: RecordCount, signal: Signal): FoundRecord[] {
  const shape = JSON_SHAPES[signal];
  const scan = new JsonScan(body);
  const found: FoundRecord[] = [];
  // The walk keeps its place in these rather than in objects per element: a hostile body holds a
  // million empty `resourceSpans`. An origin is made only for a scope with a record to read.
  let resource: Range | undefined;
  let scope: Range | undefined;
  let origin: JsonOrigin | undefined;
  let originsOfResource: JsonOrigin[] = [];

  const record: Visit<[number]> = (from) => {
    const to = scan.value(from);
    if (count.seen++ >= count.max || body[from] !== OPEN_BRACE) return to;
    if (origin === undefined) originsOfResource.push((origin = new JsonOrigin(scan)));
    found.push({ read: () => scan.parse(from, to) as Json, origin });
    return to;
  };
  const scopeMember: Visit<[string, number]> = (key, at) => {
    if (key === 'scope') return (scope = scan.range(at))[1];
    return key === shape.records ? scan.elements(at, key, record) : undefined;
  };
  const scopeSpans: Visit<[number]> = (from) => {
    if (body[from] !== OPEN_BRACE) return undefined;
    origin = undefined;
    scope = undefined;
    const to = scan.members(from, scopeMember);
    // Set by `record` meanwhile, which TypeScript cannot see.
    (origin as JsonOrigin | undefined)?.setScope(scope);
    return to;
  };
  const resourceMember: Visit<[string, number]> = (key, at) => {
    if (key === 'resource') return (resource = scan.range(at))[1];
    return key === shape.scopes ? scan.elements(at, key, scopeSpans) : undefined;
  };
  const resourceSpans: Visit<[number]> = (from) => {
    if (body[from] !== OPEN_BRACE) return undefined;
    resource = undefined;
    const to = scan.members(from, resourceMember);
    // The resource may follow its records.
    for (const each of originsOfResource) each.setResource(resource);
    if (originsOfResource.length > 0) originsOfResource = [];
    return to;
  };

  const start = scan.space(0);
  if (body[start] !== OPEN_BRACE) throw new Error(`an OTLP ${signal} export must be an object with "${shape.resources}"`);
  const end = scan.members(start, (key, at) => (key === shape.resources ? scan.elements(at, key, resourceSpans) : undefined));
  if (scan.space(end) !== body.length) throw new Error(`unexpected data after the request at byte ${scan.space(end)}`);
  return found;
}

/** The resource and scope of records found in JSON, parsed when read (objects only). */
class JsonOrigin implements RecordOrigin {
  private resourceRange: Range | undefined;
  private scopeRange: Range | undefined;

  constructor(private readonly scan: JsonScan) {}

  setResource(range: Range | undefined): void {
    this.resourceRange = range;
  }

  setScope(range: Range | undefined): void {
    this.scopeRange = range;
  }

  resource(): Json | undefined {
    return this.scan.object(this.resourceRange);
  }

  scope(): Json | undefined {
    return this.scan.object(this.scopeRange);
  }
}

/** Reads JSON bytes by structure only: where values start and end, never what they hold. */
class JsonScan {
  private readonly text: Buffer;

  constructor(readonly body: Uint8Array) {
    this.text = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  }

  /** The first byte at or after `at` that is not JSON whitespace. */
  space(at: number): number {
    const { body } = this;
    let i = at;
    while (i < body.length && (body[i] === 0x20 || body[i] === 0x0a || body[i] === 0x0d || body[i] === 0x09)) i++;
    return i;
  }

  /** The end of the value starting at `at`: a string, an object or array (skipped by its brackets), or a literal. */
  value(at: number): number {
    const { body } = this;
    const first = body[at];
    if (first === QUOTE) return this.string(at);
    if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
      let i = at;
      while (i < body.length && body[i] !== COMMA && body[i] !== CLOSE_BRACE && body[i] !== CLOSE_BRACKET && this.space(i) === i) i++;
      if (i === at) throw new Error(`expected a value at byte ${at}`);
      return i;
    }
    let depth = 0;
    for (let i = at; i < body.length; i++) {
      const byte = body[i];
      if (byte === QUOTE) i = this.string(i) - 1;
      else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
      else if ((byte === CLOSE_BRACE || byte === CLOSE_BRACKET) && --depth === 0) return i + 1;
    }
    throw new Error('the body ends inside an object or array');
  }

  /** Calls `visit` with each key of the object at `at` and where its value starts; gives back the object's end. */
  members(at: number, visit: Visit<[key: string, from: number]>): number {
    const { body } = this;
    let i = this.space(at + 1);
    if (body[i] === CLOSE_BRACE) return i + 1;
    for (;;) {
      if (body[i] !== QUOTE) throw new Error(`expected a key at byte ${i}`);
      const keyEnd = this.string(i);
      const key = this.key(i, keyEnd);
      i = this.space(keyEnd);
      if (body[i] !== COLON) throw new Error(`expected ":" at byte ${i}`);
      const from = this.space(i + 1);
      i = this.space(visit(key, from) ?? this.value(from));
      if (body[i] === CLOSE_BRACE) return i + 1;
      if (body[i] !== COMMA) throw new Error(`expected "," or "}" at byte ${i}`);
      i = this.space(i + 1);
    }
  }

  /**
   * Calls `visit` with where each element of the array at `at` starts; gives back the array's end.
   * `null` is an empty array (proto3 JSON); any other value throws, naming `field`.
   */
  elements(at: number, field: string, visit: Visit<[from: number]>): number {
    const { body } = this;
    if (this.isNull(at)) return at + 4;
    if (body[at] !== OPEN_BRACKET) throw new Error(`"${field}" must be an array`);
    let i = this.space(at + 1);
    if (body[i] === CLOSE_BRACKET) return i + 1;
    for (;;) {
      i = this.space(visit(i) ?? this.value(i));
      if (body[i] === CLOSE_BRACKET) return i + 1;
      if (body[i] !== COMMA) throw new Error(`expected "," or "]" at byte ${i}`);
      i = this.space(i + 1);
    }
  }

  /** The range of the value at `at`. */
  range(at: number): Range {
    return [at, this.value(at)];
  }

  /** The object at `range`, parsed; undefined for none, or a value that is not an object. */
  object(range: Range | undefined): Json | undefined {
    return range === undefined || this.body[range[0]] !== OPEN_BRACE ? undefined : (this.parse(range[0], range[1]) as Json);
  }

  parse(from: number, to: number): unknown {
    return JSON.parse(this.text.toString('utf8', from, to));
  }

  /** The end of the string starting at `at` (its opening quote), escapes skipped. */
  private string(at: number): number {
    const end = stringEnd(this.body, at);
    if (end === -1) throw new Error('the body ends inside a string');
    return end;
  }

  /** A key's text; one with escapes is decoded as `JSON.parse` would. */
  private key(from: number, to: number): string {
    const raw = this.text.toString('utf8', from + 1, to - 1);
    return raw.includes('\\') ? (this.parse(from, to) as string) : raw;
  }

  private isNull(at: number): boolean {
    const { body } = this;
    return body[at] === 0x6e && body[at + 1] === 0x75 && body[at + 2] === 0x6c && body[at + 3] === 0x6c; // "null"
  }
}

/**
 * The end of the JSON string whose opening quote is at `at`: past the first quote not escaped by an
 * odd run of backslashes; -1 when the body ends first. Found with `indexOf` (native): strings are
 * where most of a body's bytes are, and a loop over them in JavaScript costs several times more.
 */
export function stringEnd(body: Uint8Array, at: number): number {
  for (let quote = body.indexOf(QUOTE, at + 1); quote !== -1; quote = body.indexOf(QUOTE, quote + 1)) {
    let backslashes = 0;
    while (body[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
  }
  return -1;
}
