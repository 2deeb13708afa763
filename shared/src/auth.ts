import { z } from 'zod';
import { passwordSchema, pinSchema, userSchema } from './users';

// Login inputs are checked for shape only: a wrong-but-well-formed secret must reach the same
// generic 401 as an unknown user, so no length rules that would leak which accounts exist.
export const loginSchema = z.strictObject({
  username: z.string().trim().min(1, 'required').max(64),
  password: z.string().min(1, 'required').max(256),
  device_id: z.string().max(128).optional(),
});
export type LoginInput = z.infer<typeof loginSchema>;

export const pinLoginSchema = z.strictObject({
  username: z.string().trim().min(1, 'required').max(64),
  pin: z.string().regex(/^\d{1,12}$/, 'digits only'),
  device_id: z.string().max(128).optional(),
});
export type PinLoginInput = z.infer<typeof pinLoginSchema>;

export const refreshSchema = z.strictObject({
  refresh_token: z.string().min(1, 'required').max(1024),
});
export type RefreshInput = z.infer<typeof refreshSchema>;

export const changePasswordSchema = z.strictObject({
  current_password: z.string().min(1, 'required').max(256),
  new_password: passwordSchema,
});
export type ChangePasswordInput = z.infer<typeof changePasswordSchema>;

export const changePinSchema = z.strictObject({
  current_password: z.string().min(1, 'required').max(256),
  new_pin: pinSchema,
});
export type ChangePinInput = z.infer<typeof changePinSchema>;

export const tokenPairSchema = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().positive(),
  refresh_expires_at: z.string(),
  user: userSchema,
});
export type TokenPair = z.infer<typeof tokenPairSchema>;

/** Claims inside an access token. `typ` keeps refresh tokens from ever passing as access tokens. */
export const accessClaimsSchema = z.object({
  sub: z.string(),
  role: z.enum(['staff', 'supervisor', 'admin']),
  username: z.string(),
  typ: z.literal('access'),
  jti: z.string(),
  iat: z.number(),
  exp: z.number(),
});
export type AccessClaims = z.infer<typeof accessClaimsSchema>;

/** `POST /auth/logout`: how many refresh tokens of this sign-in's family were revoked. */
export const logoutAnswerSchema = z.object({ revoked: z.number().int().min(0) });
export type LogoutAnswer = z.infer<typeof logoutAnswerSchema>;
