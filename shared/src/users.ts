import { z } from 'zod';
import { paginationQuerySchema } from './envelope';
import { pageSchemaOf } from './pages';
import { roleSchema } from './roles';

export const usernameSchema = z
  .string()
  .trim()
  .min(3, 'at least 3 characters')
  .max(64, 'at most 64 characters')
  .regex(/^[a-zA-Z0-9._-]+$/, 'letters, digits, dot, dash and underscore only')
  .transform((s) => s.toLowerCase());

/** Passwords: long enough to matter, short enough to hash cheaply (argon2 input bound). */
export const passwordSchema = z
  .string()
  .min(8, 'at least 8 characters')
  .max(256, 'at most 256 characters');

/** PINs are 4–6 digits (design §6). */
export const pinSchema = z.string().regex(/^\d{4,6}$/, 'a PIN is 4 to 6 digits');

const fullNameSchema = z.string().trim().min(1, 'required').max(120);
const warehouseRefSchema = z.string().trim().min(1).max(64);

/** A user as the API shows it: never any secret or hash. */
export const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  full_name: z.string(),
  role: roleSchema,
  warehouse: z.string().nullable(),
  active: z.boolean(),
  has_pin: z.boolean(),
  locked: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
  last_login_at: z.string().nullable(),
});
export type User = z.infer<typeof userSchema>;

/** `GET /users`. */
export const userPageSchema = pageSchemaOf(userSchema);

export const createUserSchema = z.strictObject({
  username: usernameSchema,
  full_name: fullNameSchema,
  role: roleSchema,
  password: passwordSchema,
  pin: pinSchema.optional(),
  warehouse: warehouseRefSchema.nullable().optional(),
});
export type CreateUserInput = z.infer<typeof createUserSchema>;

export const updateUserSchema = z
  .strictObject({
    full_name: fullNameSchema.optional(),
    role: roleSchema.optional(),
    active: z.boolean().optional(),
    warehouse: warehouseRefSchema.nullable().optional(),
    password: passwordSchema.optional(),
    pin: pinSchema.nullable().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to update' });
export type UpdateUserInput = z.infer<typeof updateUserSchema>;

/**
 * The answer of `POST /users/:id/reset-password` (no input: the server makes the password): the
 * new password, shown this once and never stored in clear.
 */
export const passwordResetSchema = z.object({
  user: userSchema,
  password: z.string(),
  /** Refresh tokens of the user that were revoked (every sign-in ended). */
  sessions_ended: z.number().int(),
});
export type PasswordReset = z.infer<typeof passwordResetSchema>;

export const listUsersQuerySchema = paginationQuerySchema.extend({
  role: roleSchema.optional(),
  q: z.string().trim().max(64).optional(),
  active: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});
export type ListUsersQuery = z.infer<typeof listUsersQuerySchema>;

/**
 * `GET /users/directory?q=`: who is who, for supervisors' pickers (issue #14: names where ids
 * were asked for). Only these fields, never anything about sign-in.
 */
export const userDirectoryQuerySchema = z.strictObject({
  q: z.string().trim().max(64).optional(),
  role: roleSchema.optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export type UserDirectoryQuery = z.infer<typeof userDirectoryQuerySchema>;

/** One person of `GET /users/directory` (names for supervisors' pickers). */
export const userDirectoryEntrySchema = z.object({
  id: z.string(),
  username: z.string(),
  full_name: z.string(),
  role: roleSchema,
  warehouse: z.string().nullable(),
});
export type UserDirectoryEntry = z.infer<typeof userDirectoryEntrySchema>;

/** `GET /users/directory`. */
export const userDirectorySchema = z.object({ items: z.array(userDirectoryEntrySchema) });

/** `GET /users/locked`: who is locked out, for a supervisor to unlock (nothing else about them). */
export const lockedAccountsSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      username: z.string(),
      full_name: z.string(),
      role: roleSchema,
      warehouse: z.string().nullable(),
    }),
  ),
});
export type LockedAccount = z.infer<typeof lockedAccountsSchema>['items'][number];
