import { argon2, randomBytes, timingSafeEqual, type Argon2Parameters } from 'node:crypto';

/**
 * Password hashing with argon2id (Node 24's built-in `crypto.argon2`), stored as a PHC string:
 *
 *   $argon2id$v=19$m=19456,t=2,p=1$<salt, base64 unpadded>$<hash, base64 unpadded>
 *
 * The string carries its own parameters and salt, so the parameters can be raised later: old
 * hashes still verify with theirs, and {@link needsRehash} tells the caller to store a new hash
 * after the next successful sign-in.
 */

export interface HashParameters {
  /** Memory in KiB. */
  memory: number;
  /** Passes (iterations). */
  passes: number;
  parallelism: number;
}

/** OWASP's Password Storage Cheat Sheet minimum for argon2id: 19 MiB, 2 passes, 1 lane. */
export const DEFAULT_HASH_PARAMETERS: HashParameters = { memory: 19_456, passes: 2, parallelism: 1 };

const SALT_BYTES = 16;
const TAG_BYTES = 32;
const VERSION = 19; // 0x13, the only version OpenSSL's Argon2 implements.

function derive(password: string, salt: Buffer, params: HashParameters, tagLength: number): Promise<Buffer> {
  const parameters: Argon2Parameters = { message: password, nonce: salt, tagLength, ...params };
  return new Promise((resolve, reject) =>
    argon2('argon2id', parameters, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

const b64 = (buffer: Buffer) => buffer.toString('base64').replace(/=+$/, '');

/** Hashes `password` with a fresh random salt; resolves the PHC string to store. */
export async function hashPassword(password: string, params = DEFAULT_HASH_PARAMETERS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, params, TAG_BYTES);
  return `$argon2id$v=${VERSION}$m=${params.memory},t=${params.passes},p=${params.parallelism}$${b64(salt)}$${b64(hash)}`;
}

interface ParsedHash {
  params: HashParameters;
  salt: Buffer;
  hash: Buffer;
}

const PHC = /^\$argon2id\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function parse(stored: string): ParsedHash | undefined {
  const match = PHC.exec(stored);
  if (!match || Number(match[1]) !== VERSION) return undefined;
  return {
    params: { memory: Number(match[2]), passes: Number(match[3]), parallelism: Number(match[4]) },
    salt: Buffer.from(match[5]!, 'base64'),
    hash: Buffer.from(match[6]!, 'base64'),
  };
}

/**
 * True when `password` matches the stored PHC string. The comparison is constant-time; a
 * malformed stored string never matches (and is not an error the caller could leak).
 */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const candidate = await derive(password, parsed.salt, parsed.params, parsed.hash.length);
  return candidate.length === parsed.hash.length && timingSafeEqual(candidate, parsed.hash);
}

/** True when the stored hash was made with other parameters than `params`. */
export function needsRehash(stored: string, params = DEFAULT_HASH_PARAMETERS): boolean {
  const parsed = parse(stored);
  return (
    !parsed ||
    parsed.params.memory !== params.memory ||
    parsed.params.passes !== params.passes ||
    parsed.params.parallelism !== params.parallelism ||
    parsed.hash.length !== TAG_BYTES
  );
}

/**
 * A hash of a random password, made once per process: login verifies the presented password
 * against it when the email is unknown, so an unknown email costs the same time as a wrong password.
 */
let dummy: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(18).toString('base64url'));
  return dummy;
}
