/*
 * What only this package reaches of reports made by `createReports`, beyond their public face:
 * kept apart from the facade, keyed by the reports object (any other object has none).
 */

/** What the process-exit hooks need of reports, beyond their public face. */
export interface ReportsExitHooks {
  hasUnwritten(): boolean;
  /** The last, synchronous write at `process.exit`. */
  flushSync(): void;
}

/** What only this package reaches of reports made by `createReports`, beyond their public face. */
export interface ReportsInternals extends ReportsExitHooks {
  storeIdentity(): string | undefined;
  /** Resolves with the store's identity once the store has reached its storage (`ReportStore.whenIdentified`); undefined for a store that says nothing. */
  whenStoreIdentified(): Promise<string | undefined> | undefined;
  /** The store's argument-fingerprint key (`ReportStore.secret`): at once where it reads it synchronously. */
  storeSecret(): Uint8Array | Promise<Uint8Array> | undefined;
  isShutDown(): boolean;
}

export const internals = new WeakMap<object, ReportsInternals>();

/** The exit hooks of reports made by `createReports`; undefined for any other object. */
export function exitHooksOf(reports: object): ReportsExitHooks | undefined {
  return internals.get(reports);
}

/**
 * The identity of the store that reports made by `createReports` write to (see
 * `ReportStore.identity`); undefined for a store without one, or any other object.
 */
export function storeIdentityOf(reports: object): string | undefined {
  return internals.get(reports)?.storeIdentity();
}

/**
 * For a store that learns its identity when it connects (PostgreSQL): resolves with it then;
 * undefined for any other store or object.
 */
export function whenStoreIdentified(reports: object): Promise<string | undefined> | undefined {
  return internals.get(reports)?.whenStoreIdentified();
}

/**
 * Whether reports made by `createReports` were shut down (they fold nothing more); false for any
 * other object.
 */
export function isShutDown(reports: object): boolean {
  return internals.get(reports)?.isShutDown() ?? false;
}

/**
 * The argument fingerprints' key of the store that reports made by `createReports` write to
 * (`ReportStore.secret`): at once where the store reads it synchronously, else a promise; undefined
 * for a store without one, or any other object. Throws (or rejects) when the store cannot give it.
 */
export function storeSecretOf(reports: object): Uint8Array | Promise<Uint8Array> | undefined {
  return internals.get(reports)?.storeSecret();
}
