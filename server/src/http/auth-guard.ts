import type { Request, RequestHandler } from 'express';
import { Passport } from 'passport';
import {
  ExtractJwt,
  Strategy as JwtStrategy,
  type StrategyOptionsWithoutRequest,
} from 'passport-jwt';
import { accessClaimsSchema, can, type Permission } from '@stockverify/shared';
import type { Store } from '../ports/store';
import type { Actor } from '../modules/audit/audit-log';
import { JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER } from '../modules/auth/tokens';
import { AppError, forbidden } from './app-error';

/** The signed-in user a request carries after `requireAuth`. */
export interface AuthedUser extends Actor {
  /** Refresh family of the sign-in, for logout. */
  familyId: string | null;
}

/** The authenticated user; only call behind `requireAuth`. */
export function actorOf(req: Request): AuthedUser {
  const user = req.user as AuthedUser | undefined;
  if (!user) throw new AppError(401, 'UNAUTHENTICATED', 'Sign in first');
  return user;
}

export interface AuthGuard {
  requireAuth: RequestHandler;
  /** Like requireAuth, but also reads `?access_token=` (only for EventSource streams). */
  requireAuthAllowQuery: RequestHandler;
  requirePermission(permission: Permission): RequestHandler;
}

/**
 * passport-jwt with one algorithm allow-listed, issuer and audience pinned, and `typ: access`
 * required, so a refresh token or a token signed any other way never passes (DESIGN §6).
 */
export function createAuthGuard(store: Store, secret: string, clock: () => Date): AuthGuard {
  const passport = new Passport();
  const verify = (
    payload: unknown,
    done: (err: unknown, user?: AuthedUser | false, info?: unknown) => void,
  ) => {
    const claims = accessClaimsSchema.safeParse(payload);
    if (!claims.success) {
      done(null, false, { message: 'not an access token' });
      return;
    }
    if (claims.data.exp * 1000 <= clock().getTime()) {
      done(null, false, { name: 'TokenExpiredError' });
      return;
    }
    store.users
      .get(claims.data.sub)
      .then((user) => {
        if (!user || !user.active)
          return done(null, false, { message: 'account gone or disabled' });
        // The role comes from the store, not the token: a demotion applies at once.
        const fam = (payload as { fam?: unknown }).fam;
        done(null, {
          id: user.id,
          username: user.username,
          role: user.role,
          familyId: typeof fam === 'string' ? fam : null,
        });
      })
      .catch((err: unknown) => done(err));
  };
  const base = {
    secretOrKey: secret,
    algorithms: [JWT_ALGORITHM],
    issuer: JWT_ISSUER,
    audience: JWT_AUDIENCE,
    // Expiry is judged by the app clock (below), the same clock that signed the token.
    jsonWebTokenOptions: { ignoreExpiration: true },
  } satisfies Partial<StrategyOptionsWithoutRequest>;
  passport.use(
    'jwt',
    new JwtStrategy({ ...base, jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken() }, verify),
  );
  passport.use(
    'jwt-query',
    new JwtStrategy(
      {
        ...base,
        jwtFromRequest: ExtractJwt.fromExtractors([
          ExtractJwt.fromAuthHeaderAsBearerToken(),
          ExtractJwt.fromUrlQueryParameter('access_token'),
        ]),
      },
      verify,
    ),
  );

  const authenticate =
    (strategy: 'jwt' | 'jwt-query'): RequestHandler =>
    (req, res, next) => {
      passport.authenticate(
        strategy,
        { session: false },
        (err: unknown, user: AuthedUser | false, info: unknown) => {
          if (err) return next(err);
          if (!user) {
            const name =
              info instanceof Error ? info.name : (info as { name?: string } | undefined)?.name;
            const present =
              Boolean(req.get('authorization')) ||
              (strategy === 'jwt-query' && typeof req.query['access_token'] === 'string');
            if (name === 'TokenExpiredError')
              return next(
                new AppError(401, 'TOKEN_EXPIRED', 'The access token has expired; refresh it'),
              );
            if (!present)
              return next(new AppError(401, 'UNAUTHENTICATED', 'Sign in first: no access token'));
            return next(new AppError(401, 'TOKEN_INVALID', 'The access token is not valid'));
          }
          req.user = user;
          next();
        },
      )(req, res, next);
    };

  return {
    requireAuth: authenticate('jwt'),
    requireAuthAllowQuery: authenticate('jwt-query'),
    requirePermission(permission) {
      return (req, _res, next) => {
        const user = actorOf(req);
        next(
          can(user.role, permission) ? undefined : forbidden(`Needs the ${permission} permission`),
        );
      };
    },
  };
}
