/** A request body that is not an OTLP export of its signal at all (answered 400). */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
}
