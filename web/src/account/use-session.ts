import { createContext, useContext, useSyncExternalStore } from 'react';
import type { Storefront } from '../app/apollo';
import type { Session, SessionStore } from './session';

export const SessionContext = createContext<Storefront | undefined>(undefined);

/** The session store of the storefront (to sign in or out). */
export function useSessions(): SessionStore {
  const storefront = useContext(SessionContext);
  if (!storefront) throw new Error('useSessions outside <SessionContext>');
  return storefront.sessions;
}

/** The signed-in shopper, re-rendering on sign-in and sign-out. */
export function useSession(): Session | undefined {
  const sessions = useSessions();
  return useSyncExternalStore(sessions.subscribe, sessions.get);
}
