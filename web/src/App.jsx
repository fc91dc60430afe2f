// The app shell: who is logged in, which language is shown, and which page the path
// asks for. Pages get the session and the language from context.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { api, onUnauthenticated, setApiLanguage, setCsrfToken } from './api.js';
import { LanguageContext, isLanguage, useI18n, storeLanguage, storedLanguage, translate } from './i18n/index.js';
import { PathContext, navigate, usePathState } from './router.jsx';
import { SessionContext, rememberSession, rememberedSession } from './session.js';
import { DASHBOARD_ROLES, ROLE_ORDER, hasAnyRole, roleNames } from './roles.js';
import { AppHeader } from './components/AppHeader.jsx';
import { ErrorMessage } from './components/ErrorMessage.jsx';
import { Loading } from './components/Loading.jsx';
import { Redirect } from './components/Redirect.jsx';
import { LoginPage } from './pages/LoginPage.jsx';
import { DashboardPage } from './pages/DashboardPage.jsx';
import { MePage } from './pages/MePage.jsx';
import { NotFoundPage } from './pages/NotFoundPage.jsx';
import { PendingPage } from './pages/PendingPage.jsx';
import { SetPasswordPage } from './pages/SetPasswordPage.jsx';
import { Home } from './homes/Home.jsx';
import { matchFeatureRoute, matchPublicRoute } from './features.js';

export function App() {
  const path = usePathState();
  const [lang, setLangState] = useState(storedLanguage);
  // undefined while asking the server whether a session exists; null when logged out.
  const [session, setSession] = useState(undefined);
  const [startupError, setStartupError] = useState(null);
  const [appError, setAppError] = useState(null);

  // Shows a language at once; the server copy is the user's preference across devices.
  const showLanguage = useCallback((next) => {
    if (!isLanguage(next)) return;
    setApiLanguage(next);
    storeLanguage(next);
    setLangState(next);
  }, []);

  const acceptMe = useCallback((me) => {
    setCsrfToken(me.csrf_token);
    setSession({ user: me.user, community: me.community || null });
    rememberSession(me);
  }, []);

  const setLang = useCallback(async (next, { saveToServer = true } = {}) => {
    showLanguage(next);
    setAppError(null);
    // An account without a role may not PATCH /me (it is only a sign-up so far), nor
    // one that must set its password first.
    if (!saveToServer || !session || !roleNames(session.user).length || session.user.must_change_password) return;
    try {
      acceptMe(await api.patch('/me', { language: next }));
    } catch (error) {
      if (error.status !== 401) setAppError(error);
    }
  }, [session, showLanguage, acceptMe]);

  const startSession = useCallback((me) => {
    acceptMe(me);
    showLanguage(me.user.language);
  }, [acceptMe, showLanguage]);

  const logout = useCallback(async () => {
    try {
      await api.del('/session', { quietUnauthenticated: true });
    } catch {
      // Already gone on the server (expired): logging out locally is all that is left.
    }
    setCsrfToken(null);
    setSession(null);
    rememberSession(null);
    setAppError(null);
    navigate('/login');
  }, []);

  // Ask once whether the browser still has a session (the cookie is HttpOnly).
  const checkSession = useCallback(async () => {
    setStartupError(null);
    try {
      startSession(await api.get('/me', { quietUnauthenticated: true }));
    } catch (error) {
      const remembered = error.status === 0 ? rememberedSession() : null;
      if (error.status === 401) setSession(null);
      else if (remembered) startSession(remembered);
      else setStartupError(error);
    }
  }, [startSession]);

  useEffect(() => {
    onUnauthenticated(() => {
      setCsrfToken(null);
      setSession(null);
      rememberSession(null);
    });
    checkSession();
  }, [checkSession]);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = translate(lang, 'app.title');
  }, [lang]);

  const languageValue = useMemo(
    () => ({ lang, setLang, t: (key, params) => translate(lang, key, params) }),
    [lang, setLang],
  );
  const sessionValue = useMemo(
    () => ({ session, updateSession: acceptMe, logout }),
    [session, acceptMe, logout],
  );

  return (
    <LanguageContext.Provider value={languageValue}>
      <SessionContext.Provider value={sessionValue}>
        <PathContext.Provider value={path}>
          <AppHeader />
          {appError ? <div class="app-error"><ErrorMessage error={appError} testId="app-error" /></div> : null}
          <Routes path={path} session={session} startupError={startupError} retry={checkSession} onLoggedIn={startSession} />
        </PathContext.Provider>
      </SessionContext.Provider>
    </LanguageContext.Provider>
  );
}

function Routes({ path, session, startupError, retry, onLoggedIn }) {
  if (startupError) return <StartupFailure error={startupError} retry={retry} />;
  if (session === undefined) return <main class="page"><Loading /></main>;

  const publicPage = matchPublicRoute(path);
  if (publicPage) {
    const Page = publicPage.route.page;
    return <Page params={publicPage.params} />;
  }

  if (!session) {
    if (path !== '/login') return <Redirect to="/login" />;
    return <LoginPage onLoggedIn={(me) => { onLoggedIn(me); navigate('/home', { replace: true }); }} />;
  }

  if (path === '/' || path === '/login') return <Redirect to="/home" />;
  // A one-time password from a printed slip: the person sets their own first.
  if (session.user.must_change_password) return <SetPasswordPage />;
  // No role yet (a sign-up the committee has not approved): one page for every path.
  if (!roleNames(session.user).length) return <PendingPage />;
  if (path === '/home') return <Home />;
  const roleHome = path.match(/^\/home\/([a-z_]+)$/);
  if (roleHome && ROLE_ORDER.includes(roleHome[1])) return <Home role={roleHome[1]} />;
  if (path === '/dashboard' && hasAnyRole(session.user, DASHBOARD_ROLES)) return <DashboardPage />;
  if (path === '/me') return <MePage />;
  const feature = matchFeatureRoute(path, session.user);
  if (feature) {
    const Page = feature.route.page;
    return <Page key={path} params={feature.params} />;
  }
  return <NotFoundPage />;
}

// The server could not be reached when the app started (as opposed to "not logged in").
function StartupFailure({ error, retry }) {
  const { t } = useI18n();
  return (
    <main class="page">
      <ErrorMessage error={error} testId="startup-error" />
      <button type="button" class="button" onClick={retry}>{t('common.retry')}</button>
    </main>
  );
}
