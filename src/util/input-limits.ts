/**
 * The limits on what comes from outside (a host's arguments, OTLP spans, `Reports.record`), in one
 * place: every entrance cuts or refuses with these, so that no caller can make a report too large
 * to write or a time that a `Date` cannot hold. Session IDs have their own rules (`session-id.ts`):
 * they name files, so they are refused rather than cut.
 */

/** Tool names and operation types: longer ones are cut (a name is a label, not a payload). */
export const MAX_NAME_LENGTH = 256;
/** Call, trace and span IDs: longer ones are cut. OTLP's own trace and span IDs are 32 and 16 hex digits. */
export const MAX_ID_LENGTH = 1024;
/** An argument fingerprint (23 characters as this package makes them); longer ones from outside are cut. */
export const MAX_FINGERPRINT_LENGTH = 64;
/** `error.type`: a class name or a code; longer ones are cut. */
export const MAX_ERROR_TYPE_LENGTH = 128;
/**
 * A failed call's error message, as recent calls keep it: enough to tell one failure from another,
 * short enough that a thousand recent calls stay small. Longer ones are cut.
 */
export const MAX_ERROR_MESSAGE_LENGTH = 300;
/**
 * How far from now a call's start or end may lie: 100 years either way. Epoch milliseconds from any
 * real clock fall inside; nanoseconds or microseconds given as milliseconds (about 1.7e18 and 1.7e15
 * today) fall far outside, and so does anything past what a `Date` holds (±8.64e15).
 */
export const MAX_TIME_FROM_NOW_MS = 100 * 365.25 * 86_400_000;

/** The marker that ends a cut string (one code unit, counted in the limit). */
const CUT_MARK = '…';

/**
 * `text`, or its first `max - 1` code units and `…` when it is longer than `max`. Never splits a
 * surrogate pair, so the result is still well-formed text. A non-string is given back as it is.
 */
export function cutText<T extends string | undefined>(text: T, max: number): T {
  if (typeof text !== 'string' || text.length <= max) return text;
  let end = max - CUT_MARK.length;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}${CUT_MARK}` as T;
}

/** True when `ms` is a number of epoch milliseconds within `MAX_TIME_FROM_NOW_MS` of `nowMs`. */
export function isPlausibleTime(ms: unknown, nowMs: number): ms is number {
  return typeof ms === 'number' && Math.abs(ms - nowMs) <= MAX_TIME_FROM_NOW_MS;
}
