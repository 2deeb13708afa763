import type { ErrorDetail } from '@stockverify/shared';
import { ApiClientError } from './client';

/** A failure as a screen shows it: one sentence plus the fields at fault. */
export interface DisplayError {
  message: string;
  details: readonly ErrorDetail[];
}

/** Turns anything a call can throw into a message a person can act on. */
export function toDisplayError(error: unknown): DisplayError {
  if (error instanceof ApiClientError) {
    return { message: error.message, details: error.details };
  }
  return { message: 'Something went wrong. Please try again.', details: [] };
}

/** The message for one field (`path`), if the error names it. */
export function fieldMessage(error: DisplayError | null, path: string): string | undefined {
  return error?.details.find((detail) => detail.path === path)?.message;
}
