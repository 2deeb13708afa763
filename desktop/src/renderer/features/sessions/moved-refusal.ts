/** A failed decision request in words: the server's refusals named (design §13), else its text. */
import { ApiError, errorText } from '../../api/client';
import { movedRefusalWords } from './moved-decision-words';

export function movedErrorText(e: unknown, options: { bulk?: boolean } = {}): string {
  if (!(e instanceof ApiError)) return errorText(e);
  return movedRefusalWords(
    { status: e.status, code: e.code, message: e.message, details: e.details, extra: e.extra },
    options,
  );
}
