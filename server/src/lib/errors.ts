import type { ErrorCode, ErrorDetail } from '@stockverify/shared';

/** An error with a status and code the JSON error middleware answers with as is. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
    /** Extra fields beside `code` in the error object (e.g. `suggestions`, `holder`). */
    readonly extra?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** 400 VALIDATION_FAILED with the fields at fault. */
export function validationError(
  details: ErrorDetail[],
  message = 'The request is not valid',
): AppError {
  return new AppError(400, 'VALIDATION_FAILED', message, details);
}

export function notFound(
  code: ErrorCode,
  message: string,
  extra?: Record<string, unknown>,
): AppError {
  return new AppError(404, code, message, undefined, extra);
}

export function forbidden(message = 'Your role does not allow this'): AppError {
  return new AppError(403, 'FORBIDDEN', message);
}

export function unavailable(message: string, retryAfterSeconds: number): AppError {
  return new AppError(503, 'SERVICE_UNAVAILABLE', message, undefined, undefined, {
    'Retry-After': String(retryAfterSeconds),
  });
}
