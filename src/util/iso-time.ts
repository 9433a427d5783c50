const DAY_MS = 86_400_000;
let cachedDay = Number.NaN;
let cachedDate = '';

/**
 * `new Date(ms).toISOString()` for a time in the years 0000–9999, about five times faster: the
 * date part is kept for the day of the last call (the report writes format thousands of call times
 * a second, nearly all of one day), the time of day is done by arithmetic. Like a `Date`, it
 * drops the fraction of a millisecond (toward zero).
 */
export function isoString(ms: number): string {
  const time = Math.trunc(ms) || 0;
  const day = Math.floor(time / DAY_MS);
  if (day !== cachedDay) {
    cachedDate = new Date(day * DAY_MS).toISOString().slice(0, 11);
    cachedDay = day;
  }
  let rest = time - day * DAY_MS;
  const millis = rest % 1000;
  rest = (rest - millis) / 1000;
  const seconds = rest % 60;
  rest = (rest - seconds) / 60;
  const minutes = rest % 60;
  const hours = (rest - minutes) / 60;
  return `${cachedDate}${two(hours)}:${two(minutes)}:${two(seconds)}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}
