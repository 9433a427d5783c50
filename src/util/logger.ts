/** Where toolperf reports its own trouble (storage, exporter). Never a tool's errors. */
export interface Logger {
  warn(message: string): void;
}

export const consoleLogger: Logger = {
  warn: (message) => console.warn(`[toolperf] ${message}`),
};

/**
 * Logs the first failure of a streak and stays quiet until that key succeeds again, so a failing
 * disk or collector writes one line, not one per call.
 */
export class FailureLog {
  private readonly failing = new Map<string, number>();

  constructor(private readonly logger: Logger) {}

  fail(key: string, message: string, error?: unknown): void {
    const seen = this.failing.get(key) ?? 0;
    this.failing.set(key, seen + 1);
    if (seen === 0) this.logger.warn(error === undefined ? message : `${message}: ${describeError(error)}`);
  }

  recover(key: string): void {
    this.failing.delete(key);
  }

  /** Failures since the streak began (0 when healthy). */
  failures(key: string): number {
    return this.failing.get(key) ?? 0;
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
