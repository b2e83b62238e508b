import { describe, expect, it, jest } from '@jest/globals';
import { createSessionStore, needsRefresh, type Session, type Tokens } from './session';

const memory = () => {
  const items = new Map<string, string>();
  return {
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, v),
    removeItem: (k: string) => void items.delete(k),
    items,
  };
};

const session = (expiresAt: number): Session => ({
  accessToken: 'a1',
  refreshToken: 'r1',
  expiresAt,
  user: { id: 'u', email: 'u@example.com', name: 'U', roles: ['CUSTOMER'] },
});

describe('needsRefresh', () => {
  it('refreshes within 30 s of the expiry', () => {
    expect(needsRefresh(session(100_000), 60_000)).toBe(false);
    expect(needsRefresh(session(100_000), 70_000)).toBe(true);
  });
});

describe('createSessionStore', () => {
  it('sends a fresh token as is, and refreshes once for concurrent callers of an expiring one', async () => {
    const tokens: Tokens = { accessToken: 'a2', refreshToken: 'r2', expiresIn: 900 };
    const refresh = jest.fn(async (_token: string) => tokens);
    const storage = memory();
    let now = 0;
    const store = createSessionStore(refresh, storage, () => now);
    store.set(session(100_000));

    await expect(store.accessToken()).resolves.toBe('a1');
    now = 90_000;
    const [first, second] = await Promise.all([store.accessToken(), store.accessToken()]);

    expect([first, second]).toEqual(['a2', 'a2']);
    expect(refresh.mock.calls).toEqual([['r1']]);
    expect(store.get()).toMatchObject({ refreshToken: 'r2', expiresAt: 990_000 });
    expect(JSON.parse(storage.items.get('shop.session')!)).toMatchObject({ refreshToken: 'r2' });
  });

  it('signs out when the refresh is refused, and reads a stored session back', async () => {
    const storage = memory();
    const listener = jest.fn();
    const store = createSessionStore(
      async () => undefined,
      storage,
      () => 0,
    );
    store.set(session(1));
    expect(createSessionStore(async () => undefined, storage).get()).toMatchObject({ accessToken: 'a1' });
    store.subscribe(listener);

    await expect(store.accessToken({ force: true })).resolves.toBeUndefined();
    expect(store.get()).toBeUndefined();
    expect(storage.items.size).toBe(0);
    expect(listener).toHaveBeenCalled();
  });
});
