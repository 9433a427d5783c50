/** The report server cannot start as configured (e.g. a non-loopback host without a token); the message says what to set. */
export class ServerConfigError extends Error {
  override readonly name = 'ServerConfigError';
}
