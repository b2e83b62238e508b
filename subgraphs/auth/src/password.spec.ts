import { describe, expect, it } from '@jest/globals';
import { hashPassword, needsRehash, verifyPassword } from './password.js';

describe('password hashing (argon2id, PHC strings)', () => {
  it('stores parameters and salt in a PHC string and verifies only the right password', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    await expect(verifyPassword(stored, 'correct horse battery staple')).resolves.toBe(true);
    await expect(verifyPassword(stored, 'correct horse battery stapl')).resolves.toBe(false);
    await expect(verifyPassword(stored, '')).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    expect(a).not.toBe(b);
  });

  it('verifies a hash made by the reference implementation (argon2 CLI, PHC format)', async () => {
    // echo -n "correct horse battery staple" | argon2 saltsaltsaltsalt -id -t 2 -m 14 -p 1 -l 32 -e
    const reference =
      '$argon2id$v=19$m=16384,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$Cfuz+08pFf8fd6fbs27rQZFI2eZ6cR7D/CMFNtA5VV0';
    await expect(verifyPassword(reference, 'correct horse battery staple')).resolves.toBe(true);
    await expect(verifyPassword(reference, 'Correct horse battery staple')).resolves.toBe(false);
    expect(needsRehash(reference)).toBe(true);
  });

  it('verifies hashes made with older parameters and says they need a rehash', async () => {
    const old = await hashPassword('an older password', { memory: 8_192, passes: 3, parallelism: 1 });
    expect(old).toContain('$m=8192,t=3,p=1$');
    await expect(verifyPassword(old, 'an older password')).resolves.toBe(true);
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash(await hashPassword('current'))).toBe(false);
  });

  it('never matches a malformed stored string', async () => {
    await expect(verifyPassword('not a hash', 'whatever')).resolves.toBe(false);
    await expect(verifyPassword('$argon2id$v=16$m=19456,t=2,p=1$AAAA$AAAA', 'whatever')).resolves.toBe(false);
    expect(needsRehash('not a hash')).toBe(true);
  });
});
