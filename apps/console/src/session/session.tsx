import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { AdminClient } from '../api/client';
import { Abilities, abilitiesOf, Identity } from './identity';

/**
 * The pasted admin token lives in sessionStorage: it survives a reload of this tab and dies with it, is
 * never shared with other tabs, and never goes into a URL.
 */
const TOKEN_KEY = 'switchyard.console.token';

export const storedToken = (): string | null => sessionStorage.getItem(TOKEN_KEY);
export const storeToken = (token: string): void => sessionStorage.setItem(TOKEN_KEY, token);
export const forgetToken = (): void => sessionStorage.removeItem(TOKEN_KEY);

export interface Session {
  api: AdminClient;
  identity: Identity;
  can: Abilities;
}

export function sessionOf(api: AdminClient, identity: Identity): Session {
  return { api, identity, can: abilitiesOf(identity) };
}

const SessionContext = createContext<Session | null>(null);
export const SessionProvider = SessionContext.Provider;

/** The signed-in session; pages are only rendered inside one. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}
