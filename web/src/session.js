// The logged-in user as the server last described it ({user, community}), shared by
// every page; null when logged out.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export const SessionContext = createContext({
  session: null,
  updateSession: () => {},
  logout: () => {},
});

export function useSession() {
  return useContext(SessionContext);
}
