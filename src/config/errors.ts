/** One problem in a configuration: which key, the value found there, and what is allowed. */
export interface ConfigProblem {
  /** Dotted key, e.g. `performance.maxMetrics`, or an environment variable's name. */
  readonly key: string;
  readonly value: unknown;
  readonly message: string;
}

/** A configuration value that is not allowed; the message names the key, the value and what is allowed. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `invalid toolperf configuration (${source}):\n` +
        problems.map((p) => `  ${p.key} = ${show(p.value)}: ${p.message}`).join('\n'),
    );
  }
}

function show(value: unknown): string {
  if (value === undefined) return '(missing)';
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 80)}...` : text;
  } catch {
    return String(value);
  }
}
