import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { errorCodes } from '@shop/platform/testing';
import { decodeJwt } from 'jose';
import { LOGIN, LOGOUT, REFRESH, registerCustomer, startAuth, type TestAuth } from './auth.harness.js';

describe('refreshSession and logout', () => {
  let auth: TestAuth;
  beforeAll(async () => {
    auth = await startAuth();
  });
  afterAll(async () => {
    await auth?.stop();
  });

  const refresh = (refreshToken: string) => auth.request(REFRESH, { refreshToken });
  const logout = (refreshToken: string) => auth.request(LOGOUT, { refreshToken });

  it('rotates: a new pair for the same user, and the presented token stops working', async () => {
    const customer = await registerCustomer(auth);
    const first = await refresh(customer.refreshToken);
    expect(first.errors).toBeUndefined();
    const rotated = first.data.refreshSession;
    expect(rotated.expiresIn).toBe(600);
    expect(rotated.refreshToken).not.toBe(customer.refreshToken);
    expect(decodeJwt(rotated.accessToken)).toMatchObject({ sub: customer.id, roles: ['CUSTOMER'] });

    // The rotated token keeps the session going.
    const second = await refresh(rotated.refreshToken);
    expect(second.errors).toBeUndefined();
    expect(second.data.refreshSession.refreshToken).not.toBe(rotated.refreshToken);
    expect(errorCodes(await refresh(customer.refreshToken))).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses a used token and revokes its whole session: the newest token stops working too', async () => {
    const customer = await registerCustomer(auth);
    const rotated = (await refresh(customer.refreshToken)).data.refreshSession;

    const reuse = await refresh(customer.refreshToken);
    expect(errorCodes(reuse)).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await refresh(rotated.refreshToken))).toEqual(['UNAUTHENTICATED']);

    // Other sessions of the same user are untouched.
    const other = await auth.request(LOGIN, { email: customer.email, password: customer.password });
    expect((await refresh(other.data.login.refreshToken)).errors).toBeUndefined();
  });

  it('lets exactly one of several concurrent refreshes with the same token win', async () => {
    const customer = await registerCustomer(auth);
    const responses = await Promise.all(Array.from({ length: 5 }, () => refresh(customer.refreshToken)));
    const winners = responses.filter((r) => !r.errors);
    expect(winners).toHaveLength(1);
    expect(responses.filter((r) => errorCodes(r).join() === 'UNAUTHENTICATED')).toHaveLength(4);
    // The losers presented a used token: that is reuse, so the session is revoked, winner included.
    expect(errorCodes(await refresh(winners[0]!.data.refreshSession.refreshToken))).toEqual([
      'UNAUTHENTICATED',
    ]);
  });

  it('logs out: true, and neither the token nor any other of its session refreshes any more', async () => {
    const customer = await registerCustomer(auth);
    const rotated = (await refresh(customer.refreshToken)).data.refreshSession;
    expect((await logout(rotated.refreshToken)).data).toEqual({ logout: true });
    expect(errorCodes(await refresh(rotated.refreshToken))).toEqual(['UNAUTHENTICATED']);
    // Logging out again with a token of that session is still true (idempotent).
    expect((await logout(rotated.refreshToken)).data).toEqual({ logout: true });
    expect((await logout(customer.refreshToken)).data).toEqual({ logout: true });
  });

  it('refuses unknown refresh tokens on both mutations with UNAUTHENTICATED', async () => {
    const forged = randomBytes(32).toString('base64url');
    expect(errorCodes(await refresh(forged))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await logout(forged))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await refresh(''))).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses an expired refresh token without ending the session', async () => {
    const customer = await registerCustomer(auth);
    const connection = auth.runtime.orm.em.fork().getConnection();
    // Age the token as if REFRESH_TOKEN_TTL had passed.
    await connection.execute(
      `update refresh_token set expires_at = now() - interval '1 second'
       where session_id in (select id from session where account_id = ?)`,
      [customer.id],
    );
    expect(errorCodes(await refresh(customer.refreshToken))).toEqual(['UNAUTHENTICATED']);
    const [session] = await connection.execute<{ revoked_at: Date | null }[]>(
      `select revoked_at from session where account_id = ?`,
      [customer.id],
    );
    expect(session!.revoked_at).toBeNull();
  });

  it('refuses a refresh past SESSION_MAX_AGE (90 days from sign-in), however fresh the token', async () => {
    const customer = await registerCustomer(auth);
    const connection = auth.runtime.orm.em.fork().getConnection();
    // The token itself is fresh (rotated today); only the sign-in lies 90 days and a minute back.
    await connection.execute(
      `update session set created_at = now() - interval '90 days 1 minute' where account_id = ?`,
      [customer.id],
    );
    expect(errorCodes(await refresh(customer.refreshToken))).toEqual(['UNAUTHENTICATED']);
    // Ended, not stolen: the session is not revoked and no token was issued.
    const [row] = await connection.execute<{ revoked_at: Date | null; tokens: string }[]>(
      `select s.revoked_at, (select count(*) from refresh_token t where t.session_id = s.id) as tokens
       from session s where s.account_id = ?`,
      [customer.id],
    );
    expect(row).toEqual({ revoked_at: null, tokens: '1' });
  });

  it('puts the account’s current roles in refreshed access tokens', async () => {
    const customer = await registerCustomer(auth);
    await auth.runtime.orm.em
      .fork()
      .getConnection()
      .execute(`update account set roles = '{CUSTOMER,ADMIN}' where id = ?`, [customer.id]);
    const rotated = (await refresh(customer.refreshToken)).data.refreshSession;
    expect(decodeJwt(rotated.accessToken).roles).toEqual(['CUSTOMER', 'ADMIN']);
  });
});

describe('a session’s absolute lifetime (SESSION_MAX_AGE)', () => {
  let auth: TestAuth;
  beforeAll(async () => {
    // Refresh tokens live 30 days, sessions one hour: every token expires with its session.
    auth = await startAuth({ sessionMaxAgeSeconds: 3600 });
  });
  afterAll(async () => {
    await auth?.stop();
  });

  it('caps every refresh token at the session’s end, also after rotations', async () => {
    const customer = await registerCustomer(auth);
    const rotated = (await auth.request(REFRESH, { refreshToken: customer.refreshToken })).data
      .refreshSession;
    expect(rotated.refreshToken).toEqual(expect.any(String));
    const rows = await auth.runtime.orm.em
      .fork()
      .getConnection()
      .execute<{ ends: string }[]>(
        `select extract(epoch from t.expires_at - s.created_at)::int as ends
         from refresh_token t join session s on s.id = t.session_id where s.account_id = ?`,
        [customer.id],
      );
    expect(rows.map((row) => Number(row.ends))).toEqual([3600, 3600]);
  });
});
