import { ArgumentFingerprinter } from '../util/argument-fingerprint.js';
import { FailureLog, type Logger } from '../util/logger.js';
import type { Reports } from './reports.js';
import { storeSecretOf } from './reports-internals.js';

/** A fingerprinter keyed with the secret of the store `reports` write to, and when it has its key. */
export interface KeyedFingerprinter {
  readonly fingerprinter: ArgumentFingerprinter;
  /** Settles once the key is in (at once for a store that reads it synchronously), or could not be had (logged). */
  readonly ready: Promise<void>;
}

/**
 * The fingerprinter of `fingerprintArguments` over `reports`' store. Until its key is in (a store
 * that reads it asynchronously: calls made meanwhile are not fingerprinted), and for good if the
 * store has no secret or cannot give it (logged once), it fingerprints nothing: calls are
 * tracked as ever, only not compared by their arguments.
 */
export function keyedFingerprinter(reports: Reports, logger: Logger): KeyedFingerprinter {
  const fingerprinter = new ArgumentFingerprinter();
  const failed = (error: unknown): void => {
    new FailureLog(logger).fail('fingerprint-secret', 'fingerprintArguments: could not read or make the store\'s secret; arguments are not fingerprinted', error);
  };
  let secret: Uint8Array | Promise<Uint8Array> | undefined;
  try {
    secret = storeSecretOf(reports);
  } catch (error) {
    failed(error);
    return { fingerprinter, ready: Promise.resolve() };
  }
  if (secret === undefined) {
    logger.warn('fingerprintArguments: the report store keeps no secret (ReportStore.secret); arguments are not fingerprinted');
    return { fingerprinter, ready: Promise.resolve() };
  }
  if (secret instanceof Uint8Array) {
    fingerprinter.setKey(secret);
    return { fingerprinter, ready: Promise.resolve() };
  }
  return { fingerprinter, ready: secret.then((key) => fingerprinter.setKey(key)).catch(failed) };
}
