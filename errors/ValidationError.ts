/**
 * Bad input (a spec, a header, a label map): retrying cannot fix it. Temporal names an activity failure after the
 * error's class, and every activity policy lists `ValidationError` as non-retryable, so the run fails at once with
 * this message (which names the file, row and field).
 */
export class ValidationError extends Error {
  override name = 'ValidationError';
}
