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
}

interface LoadedKey {
  kid: string;
  publicJwk: JWK;
  privateKey: CryptoKey;
}

interface KeySet {
  /** Newest first; the first one signs. */
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
        if ((await em.count(SigningKey, { retiredAt: null })) > 0) return;
        em.create(SigningKey, await newKeyRow(options.secret));
        options.logger.info('created the first access-token signing key');
      });
      rows = await readKeys();
    }
    const keys = await Promise.all(
      rows.map(async (row) => ({
        kid: row.kid,
        publicJwk: row.publicJwk as JWK,
        privateKey: (await importJWK(openPrivateKey(row, options.secret), ACCESS_TOKEN_ALG)) as CryptoKey,
      })),
    );
    const jwks: JSONWebKeySet = {
      keys: keys.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: ACCESS_TOKEN_ALG, use: 'sig' })),
    };
    return { keys, jwks, verify: createJwtVerifier({ jwks, issuer, audience }), loadedAt: Date.now() };
  }

  async function readKeys() {
    return orm.em.fork().find(SigningKey, { retiredAt: null }, { orderBy: { createdAt: 'desc' } });
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

  return {
    async ensure() {
      await keySet(true);
    },
    async sign(userId, roles) {
      const { keys } = await keySet();
      const key = keys[0]!;
      const now = Math.floor(Date.now() / 1000);
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
