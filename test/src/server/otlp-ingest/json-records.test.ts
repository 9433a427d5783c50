import { describe, expect, it } from 'vitest';
import type { RecordCount } from '../../../../src/server/otlp-ingest/found-record.js';
import { findJsonRecords, stringEnd } from '../../../../src/server/otlp-ingest/json-records.js';

const find = (json: string, max = 100) => {
  const count: RecordCount = { max, seen: 0 };
  const found = findJsonRecords(Buffer.from(json), count, 'span');
  return { count, spans: found.map((f) => ({ span: f.read(), resource: f.origin.resource(), scope: f.origin.scope() })) };
};

describe('findJsonRecords', () => {
  it('finds each span with its resource and scope, whatever the order of the keys', () => {
    const { spans, count } = find(
      JSON.stringify({
        resourceSpans: [
          { scopeSpans: [{ spans: [{ name: 'a' }, { name: '[b}"' }], scope: { name: 's1' } }], resource: { attributes: [{ key: 'r', value: { stringValue: '1' } }] } },
          { resource: { attributes: [] }, scopeSpans: [{ scope: { name: 's2' }, spans: [{ name: 'c' }] }, { spans: [] }, { spans: null }] },
        ],
      }),
    );
    expect(count.seen).toBe(3);
    expect(spans).toEqual([
      { span: { name: 'a' }, resource: { attributes: [{ key: 'r', value: { stringValue: '1' } }] }, scope: { name: 's1' } },
      { span: { name: '[b}"' }, resource: { attributes: [{ key: 'r', value: { stringValue: '1' } }] }, scope: { name: 's1' } },
      { span: { name: 'c' }, resource: { attributes: [] }, scope: { name: 's2' } },
    ]);
  });

  it('reads the first `max` spans and only counts the rest, exactly', () => {
    const spans = Array.from({ length: 25 }, (_, i) => ({ name: String(i) }));
    const json = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: spans.slice(0, 7) }, { spans: spans.slice(7) }] }] });
    const found = find(json, 10);
    expect(found.spans.map((s) => s.span.name)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(found.count.seen).toBe(25);
  });

  it('takes whitespace, escaped keys and strings holding brackets and quotes, as JSON.parse does', () => {
    const json = ' {\n "resource\\u0053pans" : [ { "scopeSpans" : [ { "spans" : [ { "name" : "x\\"]}" } ] } ] } ] , "other": [1, {"a": "}"}] }\n';
    expect(find(json).spans.map((s) => s.span)).toEqual([{ name: 'x"]}' }]);
  });

  it('skips elements that are not objects, and counts them as spans', () => {
    const { spans, count } = find('{"resourceSpans":[1,{"scopeSpans":["x",{"spans":[null,{"name":"a"},3]}]}]}');
    expect(spans.map((s) => s.span)).toEqual([{ name: 'a' }]);
    expect(count.seen).toBe(3);
  });

  it.each([
    ['not an object', '[]', /must be an object/],
    ['truncated', '{"resourceSpans": [', /expected a value|ends inside/],
    ['a string cut short', '{"resourceSpans": ["abc', /ends inside a string/],
    ['data after the request', '{"resourceSpans": []} {}', /unexpected data after the request/],
    ['a list that is not one', '{"resourceSpans": {"spans": []}}', /"resourceSpans" must be an array/],
    ['a missing colon', '{"resourceSpans" []}', /expected ":"/],
    ['a missing comma', '{"resourceSpans":[{"scopeSpans":[]} {}]}', /expected "," or "\]"/],
  ])('throws on %s', (_label, json, message) => {
    expect(() => find(json)).toThrow(message);
  });

  it('leaves a span past the limit unread, even when it is not valid JSON inside', () => {
    const { count, spans } = find('{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"a"},{"name": nope}]}]}]}', 1);
    expect(spans).toHaveLength(1);
    expect(count.seen).toBe(2);
  });
});

describe('stringEnd', () => {
  it('ends at the first quote not escaped by an odd run of backslashes; -1 when the body ends first', () => {
    const end = (json: string) => stringEnd(Buffer.from(json), 0);
    expect(end('"abc" ')).toBe(5);
    expect(end('"a\\"b" ')).toBe(6);
    expect(end('"a\\\\" ')).toBe(5);
    expect(end('"a\\\\\\"b"')).toBe(8);
    expect(end('"abc')).toBe(-1);
    expect(end('"abc\\"')).toBe(-1);
  });
});
