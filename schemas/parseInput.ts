import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';

/**
 * Validates a payload at a Temporal boundary. A bad payload is a non-retryable `ValidationError` naming each field:
 * retrying cannot fix it, and in workflow code a plain error would fail the workflow task over and over instead.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const fields = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw ApplicationFailure.create({ message: `invalid ${what}: ${fields}`, type: 'ValidationError', nonRetryable: true });
}
