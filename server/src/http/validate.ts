import type { z } from 'zod';
import { issuesToDetails } from '@stockverify/shared';
import { validationError } from '../lib/errors';

type Where = 'body' | 'query' | 'params';

/** Parses a request part with a shared zod schema; a failure is a 400 naming every field at fault. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where: Where): z.output<S> {
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!result.success) {
    const prefix = where === 'body' ? '' : where;
    throw validationError(issuesToDetails(result.error.issues, prefix));
  }
  return result.data;
}
