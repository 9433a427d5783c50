const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Milliseconds of a duration as people write it: a number and a unit (`ms`, `s`, `m`, `h`, `d`,
 * `w`), or several (`1h30m`); undefined for anything else, a bare number included (is `5` five
 * minutes or five milliseconds?).
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.length > 64 || !/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) total += Number(amount) * (UNIT_MS[unit as string] as number);
  return Number.isFinite(total) ? Math.round(total) : undefined;
}

/** `ms` as the largest whole unit that divides it (`5m`, `90s`, `1500ms`): for messages and help. */
export function formatDuration(ms: number): string {
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit] as number;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
