/**
 * Input checks shared by the movements domain (docs/design.md §13): every function parses what it
 * is given and refuses bad input with {@link MovementInputError}, a code and the field path.
 */
import { z } from 'zod';
import { isoInstantSchema, issuesToDetails } from '../envelope';

export const MOVEMENT_INPUT_CODES = [
  /** A field is missing, of the wrong type or out of range. */
  'MOVEMENTS_BAD_INPUT',
  /** An option (delay, drift, window…) is not a usable number. */
  'MOVEMENTS_BAD_OPTION',
  /** One watermark was given twice with different content. */
  'MOVEMENTS_WATERMARK_REUSED',
  /** Expected-at-count needs at least one count of the bin or item. */
  'MOVEMENTS_NO_COUNTS',
  /** "Keep the difference" asked of a line whose expected quantity is ambiguous. */
  'MOVEMENTS_AMBIGUOUS',
] as const;
export type MovementInputCode = (typeof MOVEMENT_INPUT_CODES)[number];

/** A caller handed the movements domain something it cannot work with; `path` names the field. */
export class MovementInputError extends Error {
  constructor(
    readonly code: MovementInputCode,
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'MovementInputError';
  }
}

/** Parses `raw` or throws a {@link MovementInputError} naming the first field at fault. */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown, path = ''): z.output<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const d = issuesToDetails(r.error.issues, path)[0]!;
  throw new MovementInputError('MOVEMENTS_BAD_INPUT', d.path, d.message);
}

/** A non-negative finite option, or its default when absent. */
export function option(value: unknown, fallback: number, path: string, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
    throw new MovementInputError('MOVEMENTS_BAD_OPTION', path, `a number from 0 to ${max}`);
  }
  return value;
}

/**
 * A strict subset of what `isoInstantSchema` accepts (date, time to the second, optional fraction,
 * Z or ±hh:mm): what stores and phones send. The fast path for hot loops; anything else goes
 * through the schema, which accepts it or names the field at fault.
 */
const PLAIN_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/;

/** Milliseconds of a plain ISO instant, or NaN when it must go through the schema. */
export function plainInstantMs(value: unknown): number {
  if (typeof value !== 'string' || !PLAIN_INSTANT.test(value)) return NaN;
  return Date.parse(value);
}

export const ms = (iso: string): number => Date.parse(iso);
export const iso = (t: number): string => new Date(t).toISOString();

/**
 * An ISO-8601 instant with any offset, kept as given (compared by its milliseconds, never as text):
 * `isoInstantSchema` without the cost of rewriting every string, for inputs read in bulk.
 */
export const instantSchema = z
  .string()
  .refine((v) => Number.isFinite(plainInstantMs(v)) || isoInstantSchema.safeParse(v).success, {
    message: 'an ISO-8601 instant with an offset (2026-12-07T08:00:00.000Z)',
  });
