import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * Loads a package synchronously on first use. The exporters are needed only when OTLP or the
 * Prometheus endpoint is turned on, and `createPerformance` is synchronous; these OpenTelemetry
 * packages ship CommonJS as their entry point, so this loads the very modules an `import` would.
 */
export function requireLazily<T>(name: string): T {
  return require(name) as T;
}
