/**
 * Edits a JSON-with-comments text in place: sets or removes one value at a path and leaves every
 * other byte (comments, key order, layout) as it was, the way an agent's own settings editor does.
 * For `toolperf setup --write` on config files people edit by hand (Gemini CLI's settings.json
 * takes `//` and `/* *\/` comments). Not a general JSONC library: objects are edited, arrays and
 * scalars are only skipped over; trailing commas are refused, as the agents' loaders refuse them.
 */

/** Thrown for a text that is not JSON with comments, or whose top level is not an object. */
export class JsoncError extends Error {
  override readonly name = 'JsoncError';
}

interface Span {
  readonly start: number;
  readonly end: number;
}

interface Property {
  readonly key: string;
  readonly keyStart: number;
  readonly value: Value;
  /** Offset of the comma after this property, when there is one. */
  commaAt: number | undefined;
}

type Value = (Span & { readonly kind: 'object'; readonly properties: Property[] }) | (Span & { readonly kind: 'other' });

/** `text` as a value: comments stripped, then `JSON.parse`. Throws `JsoncError`. */
export function parseJsonc(text: string): unknown {
  const root = new Parser(text).parseDocument();
  if (root === undefined) return undefined;
  return JSON.parse(withoutComments(text).replace(/^\uFEFF/, '')) as unknown;
}

/**
 * `text` with `value` at `path` (keys of nested objects): an existing value replaced, missing
 * objects on the way created, a non-object on the way replaced by one. An empty text becomes a
 * new document.
 */
export function setJsoncValue(text: string, path: readonly string[], value: unknown): string {
  if (path.length === 0) throw new JsoncError('setJsoncValue: an empty path');
  const root = new Parser(text).parseDocument();
  // Blanks and comments only: they stay, the new document after them.
  if (root === undefined) return `${text.trim() === '' ? '' : `${text.trimEnd()}\n`}${JSON.stringify(nest(path, value), null, 2)}\n`;
  const unit = indentUnit(text, root);
  let node = objectOrThrow(root);
  for (let i = 0; i < path.length; i += 1) {
    const key = path[i] as string;
    const property = lastProperty(node, key);
    const rest = path.slice(i + 1);
    if (property === undefined) return insertProperty(text, node, key, nest(rest, value), unit);
    if (rest.length === 0 || property.value.kind !== 'object') {
      const indent = lineIndent(text, property.keyStart);
      return splice(text, property.value.start, property.value.end, format(nest(rest, value), indent, unit));
    }
    node = property.value;
  }
  return text;
}

/** `text` without the property at `path` (and its comma); `text` itself when there is none. */
export function removeJsoncValue(text: string, path: readonly string[]): string {
  const root = new Parser(text).parseDocument();
  if (root === undefined || path.length === 0) return text;
  let node = objectOrThrow(root);
  for (let i = 0; i < path.length - 1; i += 1) {
    const next = lastProperty(node, path[i] as string)?.value;
    if (next?.kind !== 'object') return text;
    node = next;
  }
  const index = node.properties.findLastIndex((each) => each.key === path[path.length - 1]);
  if (index < 0) return text;
  const property = node.properties[index] as Property;
  const previous = node.properties[index - 1];
  if (property.commaAt !== undefined) {
    const lineStart = startOfLineIfBlank(text, property.keyStart);
    return splice(text, lineStart, endOfLineIfBlank(text, property.commaAt + 1), '');
  }
  // The last property: its comma is the one after the previous property.
  const from = previous?.commaAt ?? startOfLineIfBlank(text, property.keyStart);
  return splice(text, from, property.value.end, '');
}

function objectOrThrow(value: Value): Value & { kind: 'object' } {
  if (value.kind !== 'object') throw new JsoncError('the settings file is not a JSON object');
  return value;
}

function lastProperty(node: Value & { kind: 'object' }, key: string): Property | undefined {
  return node.properties.findLast((each) => each.key === key);
}

function nest(path: readonly string[], value: unknown): unknown {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}

function insertProperty(text: string, node: Value & { kind: 'object' }, key: string, value: unknown, unit: string): string {
  const last = node.properties.at(-1);
  if (last === undefined) {
    const indent = lineIndent(text, node.start) + unit;
    const inner = text.slice(node.start + 1, node.end - 1);
    const entry = `\n${indent}${JSON.stringify(key)}: ${format(value, indent, unit)}`;
    // `{}` or `{ }` becomes a block; `{ /* a comment */ }` keeps its comment after the new entry.
    if (inner.trim() === '') return splice(text, node.start + 1, node.end - 1, `${entry}\n${lineIndent(text, node.start)}`);
    return splice(text, node.start + 1, node.start + 1, entry);
  }
  const indent = lineIndent(text, last.keyStart);
  const entry = `${JSON.stringify(key)}: ${format(value, indent, unit)}`;
  if (!startsLine(text, last.keyStart)) return splice(text, last.value.end, last.value.end, `, ${entry}`);
  // After the last value's line (so a `// comment` on it stays with it), with the comma right after the value.
  const lineEnd = endOfLineComment(text, last.value.end);
  return splice(splice(text, lineEnd, lineEnd, `\n${indent}${entry}`), last.value.end, last.value.end, ',');
}

/** `value` as JSON, its lines after the first indented to sit under a property indented `indent`. */
function format(value: unknown, indent: string, unit: string): string {
  return JSON.stringify(value, null, unit).replaceAll('\n', `\n${indent}`);
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineIndent(text: string, offset: number): string {
  return /^[ \t]*/.exec(text.slice(lineStartOf(text, offset), offset))?.[0] ?? '';
}

function startsLine(text: string, offset: number): boolean {
  return text.slice(lineStartOf(text, offset), offset).trim() === '';
}

function startOfLineIfBlank(text: string, offset: number): number {
  const lineStart = lineStartOf(text, offset);
  return startsLine(text, offset) && lineStart > 0 ? lineStart - 1 : offset;
}

function endOfLineIfBlank(text: string, offset: number): number {
  const match = /^[ \t]*(?=\n|$)/.exec(text.slice(offset));
  return match === null ? offset : offset + match[0].length;
}

/** Where the line of `offset` ends when only blanks and a `//` comment follow it; else `offset`. */
function endOfLineComment(text: string, offset: number): number {
  const match = /^[ \t]*(\/\/[^\n]*)?(?=\n|$)/.exec(text.slice(offset));
  return match === null ? offset : offset + match[0].length;
}

/** The file's indentation step: that of the first top-level property on a line of its own, else two spaces. */
function indentUnit(text: string, root: Value): string {
  const first = root.kind === 'object' ? root.properties.find((each) => startsLine(text, each.keyStart)) : undefined;
  const indent = first === undefined ? '' : lineIndent(text, first.keyStart);
  return indent === '' ? '  ' : indent;
}

function withoutComments(text: string): string {
  let out = '';
  const scanner = new Parser(text);
  let from = 0;
  for (const comment of scanner.comments()) {
    out += text.slice(from, comment.start) + text.slice(comment.start, comment.end).replace(/[^\n]/g, ' ');
    from = comment.end;
  }
  return out + text.slice(from);
}

/** A recursive-descent reader of JSON with comments that keeps the offsets an edit needs. */
class Parser {
  private at = 0;

  constructor(private readonly text: string) {}

  /** The top-level value, or undefined for a text of blanks and comments only. */
  parseDocument(): Value | undefined {
    this.skip();
    if (this.at >= this.text.length) return undefined;
    const value = this.value(0);
    this.skip();
    if (this.at < this.text.length) this.fail('text after the top-level value');
    return value;
  }

  /** Every comment's span, strings skipped over. */
  *comments(): Generator<Span> {
    while (this.at < this.text.length) {
      const char = this.text[this.at];
      if (char === '"') this.string();
      else if (char === '/' && (this.text[this.at + 1] === '/' || this.text[this.at + 1] === '*')) {
        const start = this.at;
        this.comment();
        yield { start, end: this.at };
      } else this.at += 1;
    }
  }

  private value(depth: number): Value {
    if (depth > 64) this.fail('nesting deeper than 64');
    const start = this.at;
    const char = this.text[this.at];
    if (char === '{') return this.object(depth);
    if (char === '[') {
      this.at += 1;
      this.skip();
      if (this.text[this.at] !== ']') {
        for (;;) {
          this.value(depth + 1);
          this.skip();
          if (this.text[this.at] !== ',') break;
          this.at += 1;
          this.skip();
        }
      }
      this.expect(']');
      return { kind: 'other', start, end: this.at };
    }
    if (char === '"') {
      this.string();
      return { kind: 'other', start, end: this.at };
    }
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(this.text.slice(this.at, this.at + 400));
    if (literal === null) this.fail('a value');
    this.at += literal[0].length;
    return { kind: 'other', start, end: this.at };
  }

  private object(depth: number): Value {
    const start = this.at;
    const properties: Property[] = [];
    this.at += 1;
    this.skip();
    if (this.text[this.at] !== '}') {
      for (;;) {
        const keyStart = this.at;
        if (this.text[this.at] !== '"') this.fail('a property name in double quotes');
        const key = JSON.parse(this.text.slice(keyStart, this.string())) as string;
        this.skip();
        this.expect(':');
        this.skip();
        const property: Property = { key, keyStart, value: this.value(depth + 1), commaAt: undefined };
        properties.push(property);
        this.skip();
        if (this.text[this.at] !== ',') break;
        property.commaAt = this.at;
        this.at += 1;
        this.skip();
      }
    }
    this.expect('}');
    return { kind: 'object', start, end: this.at, properties };
  }

  /** Skips a string starting at `at`; returns its end. */
  private string(): number {
    const match = /^"(?:[^"\\\n]|\\.)*"/.exec(this.text.slice(this.at));
    if (match === null) this.fail('a closed string');
    this.at += match[0].length;
    return this.at;
  }

  private comment(): void {
    if (this.text[this.at + 1] === '/') {
      const end = this.text.indexOf('\n', this.at);
      this.at = end < 0 ? this.text.length : end;
      return;
    }
    const end = this.text.indexOf('*/', this.at + 2);
    if (end < 0) this.fail('a closed /* comment */');
    this.at = end + 2;
  }

  private skip(): void {
    for (;;) {
      const char = this.text[this.at];
      if (char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\uFEFF') this.at += 1;
      else if (char === '/' && (this.text[this.at + 1] === '/' || this.text[this.at + 1] === '*')) this.comment();
      else return;
    }
  }

  private expect(char: string): void {
    if (this.text[this.at] !== char) this.fail(`'${char}'`);
    this.at += 1;
  }

  private fail(expected: string): never {
    const line = this.text.slice(0, this.at).split('\n').length;
    throw new JsoncError(`expected ${expected} at line ${line} (offset ${this.at})`);
  }
}
