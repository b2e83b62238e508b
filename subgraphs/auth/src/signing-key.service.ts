import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
} from 'jose';
import { createJwtVerifier, type Database, type Logger, type Role, type VerifyToken } from '@shop/platform';
import { SigningKey } from './signing-key.entity.js';

/** The JWS algorithm of access tokens: EdDSA over Ed25519. */
export const ACCESS_TOKEN_ALG = 'EdDSA';

export interface SigningKeysOptions {
  orm: Database;
  logger: Logger;
  /** `iss` of access tokens (JWT_ISSUER). */
  issuer: string;
  /** `aud` of access tokens (JWT_AUDIENCE). */
  audience: string;
  /** Access token lifetime in seconds (ACCESS_TOKEN_TTL). */
  accessTokenTtlSeconds: number;
  /** Encrypts private keys at rest when set (SIGNING_KEY_SECRET). */
  secret?: string | undefined;
  /** How long the key set read from the database is reused (default 60 s). */
  reloadAfterMs?: number;
  /**
   * How long verifiers may cache the JWKS document (its `Cache-Control: max-age`, default 300 s): a
   * rotated-in key is published this long plus `reloadAfterMs` before it signs.
   */
  jwksMaxAgeSeconds?: number;
  /** Added to a retiring key's last possible token expiry for clock skew (default 60 s). */
  clockSkewMs?: number;
}

/** What a rotation did: the new key and when it signs, and the keys leaving the JWKS and when. */
export interface KeyRotation {
  kid: string;
  activatesAt: Date;
  retiring: { kid: string; retiredAt: Date }[];
}

export interface SignedAccessToken {
  accessToken: string;
  /** Seconds until it expires. */
  expiresIn: number;
}

export interface SigningKeys {
  /** Makes sure a signing key exists (creating it once, whatever the number of replicas) and loads it. */
  ensure(): Promise<void>;
  /** Signs an access token for `userId` with the newest key. */
  sign(userId: string, roles: readonly Role[]): Promise<SignedAccessToken>;
  /** The public keys (kid, alg, use) for `/.well-known/jwks.json`. */
  jwks(): Promise<JSONWebKeySet>;
  /** Verifies access tokens against these keys, read from the database (never over HTTP). */
  verifyToken: VerifyToken;
  /**
   * Adds a new signing key. Planned (the default): it is published at once and signs from
   * `jwksMaxAgeSeconds + reloadAfterMs` later, when every verifier's cached JWKS has it; the keys it
   * replaces keep verifying until every token they can still sign has expired (activation +
   * `reloadAfterMs` for replicas' cached key sets + the access-token lifetime + clock skew), then leave
   * the JWKS. `immediately` (a key that leaked): the new key signs at once and the old ones leave the
   * JWKS at once, so their tokens stop verifying. Keys retired over a week ago are deleted. One rotation
   * at a time across replicas (the creation lock).
   */
  rotate(options?: { immediately?: boolean }): Promise<KeyRotation>;
}

interface LoadedKey {
  kid: string;
  /** Epoch ms from which it signs (0: from its creation). */
  activatesAt: number;
  publicJwk: JWK;
  privateKey: CryptoKey;
}

interface KeySet {
  /** Newest first; the first one active signs, keys not active yet are only published. */
  keys: LoadedKey[];
  jwks: JSONWebKeySet;
  verify: VerifyToken;
  loadedAt: number;
}

/** Serializes key creation across replicas (a transaction-scoped advisory lock). */
const CREATE_LOCK = `select pg_advisory_xact_lock(hashtext('auth_signing_key_create'))`;
const UNKNOWN_KID_COOLDOWN_MS = 5_000;

/**
 * The access-token signing keys, kept in the `signing_key` table so every replica and every
 * restart signs with the same key and publishes the same JWKS. The set is cached in memory and
 * read again after `reloadAfterMs`, or at once (at most every 5 s) when a token names a key this
 * process has not seen (a key created by another replica).
 */
export function createSigningKeys(options: SigningKeysOptions): SigningKeys {
  const { orm, issuer, audience } = options;
  const reloadAfterMs = options.reloadAfterMs ?? 60_000;
  let current: Promise<KeySet> | undefined;
  let lastForcedReload = 0;

  async function load(): Promise<KeySet> {
    let rows = await readKeys();
    if (rows.length === 0) {
      await orm.em.fork().transactional(async (em) => {
        await em.getConnection().execute(CREATE_LOCK, [], 'all', em.getTransactionContext());
        // Another replica may have created it while this one waited for the lock.
        if (
          (await em.count(SigningKey, { $or: [{ retiredAt: null }, { retiredAt: { $gt: new Date() } }] })) > 0
        )
          return;
        em.create(SigningKey, await newKeyRow(options.secret));
        options.logger.info('created the first access-token signing key');
      });
      rows = await readKeys();
    }
    const keys = await Promise.all(
      rows.map(async (row) => ({
        kid: row.kid,
        activatesAt: row.activatesAt?.getTime() ?? 0,
        publicJwk: row.publicJwk as JWK,
        privateKey: (await importJWK(openPrivateKey(row, options.secret), ACCESS_TOKEN_ALG)) as CryptoKey,
      })),
    );
    const jwks: JSONWebKeySet = {
      keys: keys.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: ACCESS_TOKEN_ALG, use: 'sig' })),
    };
    return { keys, jwks, verify: createJwtVerifier({ jwks, issuer, audience }), loadedAt: Date.now() };
  }

  /** The published keys: not retired, or retiring later. Newest first. */
  async function readKeys() {
    return orm.em
      .fork()
      .find(
        SigningKey,
        { $or: [{ retiredAt: null }, { retiredAt: { $gt: new Date() } }] },
        { orderBy: { createdAt: 'desc' } },
      );
  }

  /** The cached set; read again when forced or stale. Concurrent callers share one read. */
  function keySet(force = false): Promise<KeySet> {
    const reload = (previous?: KeySet) => {
      const next = load().catch((error: unknown) => {
        // Keep signing and verifying with the keys already held while the database is unreachable;
        // with none held yet, fail and let the next caller try again.
        if (previous) return previous;
        if (current === next) current = undefined;
        throw error;
      });
      current = next;
      return next;
    };
    if (!current || force) return reload();
    const held = current;
    return held.then((set) => {
      if (Date.now() - set.loadedAt <= reloadAfterMs) return set;
      return current && current !== held ? current : reload(set);
    });
  }

  const publishAheadMs = (options.jwksMaxAgeSeconds ?? 300) * 1000 + reloadAfterMs;
  const clockSkewMs = options.clockSkewMs ?? 60_000;

  async function rotate({ immediately = false } = {}): Promise<KeyRotation> {
    const rotation = await orm.em.fork().transactional(async (em) => {
      await em.getConnection().execute(CREATE_LOCK, [], 'all', em.getTransactionContext());
      const now = Date.now();
      const activatesAt = new Date(immediately ? now : now + publishAheadMs);
      const retiredAt = new Date(
        immediately
          ? now
          : activatesAt.getTime() + reloadAfterMs + options.accessTokenTtlSeconds * 1000 + clockSkewMs,
      );
      // Every key still published retires: the current signer, and one a rotation moments ago made.
      const published = await em.find(SigningKey, {
        $or: [{ retiredAt: null }, { retiredAt: { $gt: new Date(now) } }],
      });
      const retiring = published
        .filter((key) => !key.retiredAt || key.retiredAt.getTime() > retiredAt.getTime())
        .map((key) => {
          key.retiredAt = retiredAt;
          return { kid: key.kid, retiredAt };
        });
      const row = await newKeyRow(options.secret);
      em.create(SigningKey, { ...row, activatesAt });
      await em.nativeDelete(SigningKey, { retiredAt: { $lt: new Date(now - 7 * 24 * 3600_000) } });
      return { kid: row.kid, activatesAt, retiring };
    });
    options.logger.info(
      {
        kid: rotation.kid,
        activatesAt: rotation.activatesAt.toISOString(),
        retiring: rotation.retiring.map((key) => ({ kid: key.kid, retiredAt: key.retiredAt.toISOString() })),
        immediately,
      },
      'rotated the access-token signing key',
    );
    await keySet(true);
    return rotation;
  }

  return {
    async ensure() {
      await keySet(true);
    },
    rotate,
    async sign(userId, roles) {
      const { keys } = await keySet();
      const nowMs = Date.now();
      // The newest key that is active now (one rotated in activates while this set is cached).
      const key = keys.find((k) => k.activatesAt <= nowMs) ?? keys[keys.length - 1]!;
      const now = Math.floor(nowMs / 1000);
      const expiresIn = options.accessTokenTtlSeconds;
      const accessToken = await new SignJWT({ roles: [...roles] })
        .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid: key.kid, typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(now)
        .setExpirationTime(now + expiresIn)
        .setJti(randomUUID())
        .sign(key.privateKey);
      return { accessToken, expiresIn };
    },
    async jwks() {
      return (await keySet()).jwks;
    },
    async verifyToken(token) {
      let set = await keySet();
      const kid = safeKid(token);
      if (
        kid &&
        !set.keys.some((k) => k.kid === kid) &&
        Date.now() - lastForcedReload > UNKNOWN_KID_COOLDOWN_MS
      ) {
        lastForcedReload = Date.now();
        set = await keySet(true);
      }
      return set.verify(token);
    },
  };
}

function safeKid(token: string): string | undefined {
  try {
    return decodeProtectedHeader(token).kid;
  } catch {
    return undefined;
  }
}

async function newKeyRow(secret: string | undefined) {
  const { publicKey, privateKey } = await generateKeyPair(ACCESS_TOKEN_ALG, {
    crv: 'Ed25519',
    extractable: true,
  });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    kid,
    alg: ACCESS_TOKEN_ALG,
    publicJwk: publicJwk as Record<string, unknown>,
    ...sealPrivateKey(kid, await exportJWK(privateKey), secret),
  };
}

// Private keys at rest: AES-256-GCM under a key derived from SIGNING_KEY_SECRET, the kid bound as
// associated data so a sealed key cannot be swapped onto another row. Stored as
// base64url(iv).base64url(ciphertext).base64url(tag).
const ENCRYPTION = 'aes-256-gcm';

function wrappingKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'shop-auth signing key v1', 32));
}

function sealPrivateKey(kid: string, jwk: JWK, secret: string | undefined) {
  const plain = JSON.stringify(jwk);
  if (!secret) return { privateKey: plain, privateKeyEncryption: 'none' };
  const iv = randomBytes(12);
  const cipher = createCipheriv(ENCRYPTION, wrappingKey(secret), iv);
  cipher.setAAD(Buffer.from(kid));
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const parts = [iv, sealed, cipher.getAuthTag()].map((b) => b.toString('base64url'));
  return { privateKey: parts.join('.'), privateKeyEncryption: ENCRYPTION };
}

function openPrivateKey(
  row: { kid: string; privateKey: string; privateKeyEncryption: string },
  secret: string | undefined,
): JWK {
  if (row.privateKeyEncryption === 'none') return JSON.parse(row.privateKey) as JWK;
  if (row.privateKeyEncryption !== ENCRYPTION) throw new Error(`signing key ${row.kid}: unknown encryption`);
  if (!secret) throw new Error(`signing key ${row.kid} is encrypted: set SIGNING_KEY_SECRET`);
  const [iv, sealed, tag] = row.privateKey.split('.').map((part) => Buffer.from(part, 'base64url'));
  const decipher = createDecipheriv(ENCRYPTION, wrappingKey(secret), iv!);
  decipher.setAAD(Buffer.from(row.kid));
  decipher.setAuthTag(tag!);
  try {
    return JSON.parse(Buffer.concat([decipher.update(sealed!), decipher.final()]).toString('utf8')) as JWK;
  } catch {
    throw new Error(
      `signing key ${row.kid} cannot be decrypted: SIGNING_KEY_SECRET is not the one it was sealed with`,
    );
  }
}
