import {
  createRemoteJWKSet,
  createLocalJWKSet,
  jwtVerify,
  errors,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose';
import { forbidden, unauthenticated } from './errors.js';

/** The roles of the contract. */
export type Role = 'CUSTOMER' | 'ADMIN';

/** Who is calling, taken from a verified access token. */
export interface Viewer {
  /** The user id (`sub`). */
  id: string;
  roles: Role[];
  /** Expiry of the access token, seconds since the epoch. */
  expiresAt: number;
}

export interface JwtVerifierOptions {
  /** The auth subgraph's JWKS URL, or a key set (tests). Remote sets are cached and refetched on unknown `kid`. */
  jwks: URL | JSONWebKeySet;
  issuer: string;
  audience: string;
}

export type VerifyToken = (token: string) => Promise<Viewer>;

/**
 * Verifies access tokens (EdDSA or RS256) against the auth subgraph's public keys. Resolves the
 * viewer; rejects with UNAUTHENTICATED for a malformed, tampered, expired or foreign token, with a
 * message that says which (expired vs invalid) but never why a signature failed. A key endpoint
 * that times out rejects with jose's JWKSTimeout (an internal error, not the caller's fault).
 */
export function createJwtVerifier(options: JwtVerifierOptions): VerifyToken {
  const keys =
    options.jwks instanceof URL
      ? createRemoteJWKSet(options.jwks, { cooldownDuration: 5_000, cacheMaxAge: 10 * 60_000 })
      : createLocalJWKSet(options.jwks);
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ['EdDSA', 'Ed25519', 'RS256'],
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw unauthenticated('Access token expired');
      // The key endpoint not answering is our failure, not a bad token: let it surface as one.
      if (error instanceof errors.JWKSTimeout) throw error;
      if (error instanceof errors.JOSEError) throw unauthenticated('Invalid access token');
      throw error;
    }
    const roles = Array.isArray(payload.roles) ? (payload.roles as Role[]) : [];
    if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number') {
      throw unauthenticated('Invalid access token');
    }
    return { id: payload.sub, roles, expiresAt: payload.exp };
  };
}

/** The bearer token of an `Authorization` header value, or undefined. Throws on a malformed header. */
export function bearerToken(header: string | undefined | null): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) throw unauthenticated('Authorization header must be "Bearer <token>"');
  return match[1];
}

/** The signed-in viewer, or UNAUTHENTICATED. */
export function requireViewer(viewer: Viewer | undefined): Viewer {
  if (!viewer) throw unauthenticated();
  return viewer;
}

/** The signed-in viewer holding `role`; UNAUTHENTICATED when anonymous, FORBIDDEN otherwise. */
export function requireRole(viewer: Viewer | undefined, role: Role): Viewer {
  const signedIn = requireViewer(viewer);
  if (!signedIn.roles.includes(role)) throw forbidden(`Requires the ${role} role`);
  return signedIn;
}

/** The viewer when they are `ownerId` or an admin; FORBIDDEN otherwise. */
export function requireOwnerOrAdmin(viewer: Viewer | undefined, ownerId: string): Viewer {
  const signedIn = requireViewer(viewer);
  if (signedIn.id !== ownerId && !signedIn.roles.includes('ADMIN')) throw forbidden();
  return signedIn;
}
