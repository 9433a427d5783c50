/** Milliseconds per unit of a duration: seconds, minutes, hours, days, weeks. */
const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** What a duration looks like, for messages. */
export const DURATION_FORMAT = 'a whole number and a unit, e.g. 30d, 12h, 45m, 90s or 2w';

/**
 * `30d`, `12h`, `45m`, `90s`, `2w` in milliseconds; undefined for anything else (a unit is
 * required: a bare number could mean seconds or days, and retention is no place to guess). At
 * least one second, at most 100 years.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,7})([smhdw])$/.exec(text);
  if (match === null) return undefined;
  const ms = Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  return ms >= 1000 && ms <= 100 * 365.25 * 86_400_000 ? ms : undefined;
}
