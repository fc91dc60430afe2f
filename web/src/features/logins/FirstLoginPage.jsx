// /first-login?token=…: the target of the QR code on a login slip. The token logs the
// person in once; the app then shows "set your password" until they chose their own.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { Link, navigate } from '../../router.jsx';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';

export function FirstLoginPage() {
  const { t } = useI18n();
  const { updateSession } = useSession();
  const [error, setError] = useState(null);
  useEffect(() => {
    const token = new URLSearchParams(window.location.search).get('token') || '';
    let live = true;
    api.post('/session/link', { token }, { quietUnauthenticated: true }).then(
      (me) => { if (live) { updateSession(me); navigate('/home', { replace: true }); } },
      (failure) => { if (live) setError(failure); },
    );
    return () => { live = false; };
  }, [updateSession]);
  return (
    <main class="page page-narrow" data-testid="first-login-page">
      <h1>{t('logins.first.title')}</h1>
      {error ? (
        <>
          <ErrorMessage error={error} testId="first-login-error" />
          <p><Link href="/login">{t('logins.first.to_login')}</Link></p>
        </>
      ) : <Loading />}
    </main>
  );
}
