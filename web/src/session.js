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

// The last "me" answer, without its CSRF token, kept so that a page the service worker
// opens with no network (a testing station) still knows who is logged in. The session
// cookie stays the server's proof: nothing is sent on the strength of this copy, and the
// token is fetched again from GET /me once the network is back.
const REMEMBERED = 'shouwang.me';

export function rememberSession(me) {
  try {
    if (me && me.user) localStorage.setItem(REMEMBERED, JSON.stringify({ user: me.user, community: me.community || null }));
    else localStorage.removeItem(REMEMBERED);
  } catch {
    // Private mode or storage full: offline start is simply not available.
  }
}

export function rememberedSession() {
  try {
    const me = JSON.parse(localStorage.getItem(REMEMBERED) || 'null');
    return me && me.user ? { ...me, offline: true } : null;
  } catch {
    return null;
  }
}
