import { describe, expect, it } from 'vitest';
import { isPostgresUrl, redactStoreUrl } from '../../../src/util/store-url.js';

describe('isPostgresUrl', () => {
  it.each([
    ['postgres://u:p@db:5432/reports', true],
    ['postgresql://db/reports?sslmode=require', true],
    ['postgres://localhost', true],
    ['postgres:///reports?host=/var/run/postgresql', true],
    ['postgres:///reports', false],
    ['mysql://u@db/reports', false],
    ['/var/lib/toolperf', false],
    ['', false],
  ])('%s: %s', (url, expected) => {
    expect(isPostgresUrl(url)).toBe(expected);
  });
});

describe('redactStoreUrl', () => {
  it('hides the password and the query (which may hold one), keeps the rest', () => {
    expect(redactStoreUrl('postgres://toolperf:s3cret@db.internal:5432/reports?password=s3cret')).toBe('postgres://toolperf:***@db.internal:5432/reports?…');
    expect(redactStoreUrl('postgres://toolperf@db/reports')).toBe('postgres://toolperf@db/reports');
  });

  it('shows only the scheme of a URL without a host, and a placeholder for what is no URL', () => {
    expect(redactStoreUrl('postgres:/db:s3cret')).toBe('postgres:…');
    expect(redactStoreUrl('not a url s3cret')).toBe('<not a URL>');
  });
});
