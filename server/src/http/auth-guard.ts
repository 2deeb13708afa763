import type { Request, RequestHandler } from 'express';
import { Passport } from 'passport';
import {
  ExtractJwt,
  Strategy as JwtStrategy,
  type StrategyOptionsWithoutRequest,
} from 'passport-jwt';
import { can, type Permission } from '@stockverify/shared';
import { AppError, forbidden } from '../lib/errors';
import { tokenError, type AccessVerifier, type AuthedUser } from './access-verifier';

export type { AuthedUser } from './access-verifier';

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

type Done = (err: unknown, user?: AuthedUser | false, info?: unknown) => void;

type JwtVerifierFn = (
  token: string,
  key: unknown,
  options: unknown,
  callback: (err: unknown, payload?: unknown) => void,
) => void;

/**
 * passport-jwt checks a token's signature with its `JwtVerifier` (jsonwebtoken, uncached), a
 * documented injection point shared by every strategy in the process. It is replaced once, here,
 * so that a strategy built by createAuthGuard verifies through its app's access verifier (the same
 * cached check the lookup fast path uses); a key that belongs to no access verifier (another
 * strategy) still goes to passport-jwt's own.
 */
const strategyStatics = JwtStrategy as unknown as { JwtVerifier: JwtVerifierFn };
const passportJwtVerifier = strategyStatics.JwtVerifier;
const verifierByKey = new WeakMap<object, AccessVerifier>();
strategyStatics.JwtVerifier = (token, key, options, callback) => {
  const shared = typeof key === 'object' && key !== null ? verifierByKey.get(key) : undefined;
  if (!shared) return passportJwtVerifier(token, key, options, callback);
  let payload: unknown;
  try {
    payload = shared.verifySignature(token);
  } catch (err) {
    return callback(err);
  }
  callback(null, payload);
};

/**
 * passport-jwt with the access verifier doing every check (signature through the verifier's cache,
 * then claims and user): one algorithm allow-listed, issuer and audience pinned, `typ: access`
 * required, so a refresh token or a token signed any other way never passes.
 */
export function createAuthGuard(verifier: AccessVerifier): AuthGuard {
  verifierByKey.set(verifier.key, verifier);
  const passport = new Passport();
  const verify = (payload: unknown, done: Done) => {
    verifier
      .checkClaims(payload)
      .then((result) =>
        result.ok ? done(null, result.user) : done(null, false, { reason: result.reason }),
      )
      .catch((err: unknown) => done(err));
  };
  const base = {
    // passport-jwt hands the key to jsonwebtoken, which takes a KeyObject; its types only say Buffer.
    secretOrKey: verifier.key as unknown as Buffer,
    algorithms: verifier.verifyOptions.algorithms,
    issuer: verifier.verifyOptions.issuer,
    audience: verifier.verifyOptions.audience,
    // Expiry is the verifier's job, on the app clock. passport-jwt overwrites
    // jsonWebTokenOptions.ignoreExpiration with this top-level flag, so it must be here.
    ignoreExpiration: true,
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
            const present =
              Boolean(req.get('authorization')) ||
              (strategy === 'jwt-query' && typeof req.query['access_token'] === 'string');
            if (!present)
              return next(new AppError(401, 'UNAUTHENTICATED', 'Sign in first: no access token'));
            const reason = (info as { reason?: string } | undefined)?.reason;
            return next(tokenError(reason === 'expired' ? 'expired' : 'invalid'));
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
