/** The URL schemes of a PostgreSQL report store (`performance.store`, `TOOLPERF_STORE`, `--store`). */
export const POSTGRES_URL_SCHEMES = ['postgres:', 'postgresql:'] as const;

/** Whether `value` is a PostgreSQL connection URL (`postgres://…` or `postgresql://…`) with a host or a socket. */
export function isPostgresUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (POSTGRES_URL_SCHEMES as readonly string[]).includes(url.protocol) && (url.hostname !== '' || url.searchParams.has('host'));
}

/**
 * The URL without its password (and without the query, which may hold one as `password=`): what
 * messages and logs show of a store URL. A value that is no URL, or a URL without a host (where a
 * password may sit anywhere), shows as its scheme alone.
 */
export function redactStoreUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return '<not a URL>';
  }
  if (url.hostname === '') return `${url.protocol}…`;
  if (url.password !== '') url.password = '***';
  const query = url.search === '' ? '' : '?…';
  url.search = '';
  return `${url.toString()}${query}`;
}
