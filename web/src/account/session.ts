/** A signed-in shopper's tokens and who they are, as kept in localStorage. */
export interface Session {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds at which the access token expires. */
  expiresAt: number;
  user: { id: string; email: string; name: string; roles: string[] };
}

/** New tokens from the server (`expiresIn` in seconds). */
export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** A token closer than this to its expiry is refreshed before it is sent. */
export const REFRESH_MARGIN_MS = 30_000;

/** Whether `session`'s access token must be refreshed before use at `now`. */
export function needsRefresh(session: Session, now: number): boolean {
  return session.expiresAt - REFRESH_MARGIN_MS <= now;
}

/** `session` with rotated tokens received at `now`. */
export function rotated(session: Session, tokens: Tokens, now: number): Session {
  return {
    ...session,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresAt: now + tokens.expiresIn * 1000,
  };
}

export interface SessionStore {
  get(): Session | undefined;
  set(session: Session | undefined): void;
  subscribe(listener: () => void): () => void;
  /**
   * The access token to send now, refreshing it first when it is about to expire (or `force`). One
   * refresh at a time: concurrent callers share it, since a refresh token is single-use (rotation) and a
   * second refresh with the same token would end the session. A refused refresh signs the shopper out.
   */
  accessToken(options?: { force?: boolean }): Promise<string | undefined>;
}

/**
 * The one place the storefront keeps and rotates its session. `refresh` sends the refresh mutation;
 * `storage` is localStorage in the browser.
 */
export function createSessionStore(
  refresh: (refreshToken: string) => Promise<Tokens | undefined>,
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>,
  now: () => number = Date.now,
  key = 'shop.session',
): SessionStore {
  const listeners = new Set<() => void>();
  let current: Session | undefined = read();
  let inFlight: Promise<string | undefined> | undefined;

  function read(): Session | undefined {
    try {
      const text = storage.getItem(key);
      return text ? (JSON.parse(text) as Session) : undefined;
    } catch {
      return undefined;
    }
  }

  const store: SessionStore = {
    get: () => current,
    set(session) {
      current = session;
      if (session) storage.setItem(key, JSON.stringify(session));
      else storage.removeItem(key);
      for (const listener of listeners) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async accessToken({ force = false } = {}) {
      const session = current;
      if (!session) return undefined;
      if (!force && !needsRefresh(session, now())) return session.accessToken;
      inFlight ??= (async () => {
        try {
          const tokens = await refresh(session.refreshToken);
          // Signed out (or in as someone else) meanwhile: keep what is there now.
          if (current?.refreshToken !== session.refreshToken) return current?.accessToken;
          store.set(tokens ? rotated(session, tokens, now()) : undefined);
          return current?.accessToken;
        } finally {
          inFlight = undefined;
        }
      })();
      return inFlight;
    },
  };
  return store;
}
