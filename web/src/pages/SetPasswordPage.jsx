// Shown for every path to a session that came from a printed slip (a one-time password
// or login link): the server answers such a session only "me", logout and setting its
// own password. Once set, the server opens a fresh session and the app the person's home.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { useSession } from '../session.js';
import { navigate } from '../router.jsx';
import { ErrorMessage } from '../components/ErrorMessage.jsx';

export function SetPasswordPage() {
  const { t } = useI18n();
  const { session, updateSession, logout } = useSession();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [mismatch, setMismatch] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    if (busy) return;
    setMismatch(password !== repeat);
    if (password !== repeat) return;
    setBusy(true);
    setError(null);
    try {
      updateSession(await api.post('/me/first-password', { new_password: password }));
      navigate('/home', { replace: true });
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <main class="page page-narrow" data-testid="set-password-page">
      <h1>{t('password.first.title')}</h1>
      <p class="lead">{t('password.first.intro', { name: session?.user?.display_name || '', username: session?.user?.username || '' })}</p>
      <form class="form" onSubmit={submit} noValidate>
        <label class="field">
          <span class="field-label">{t('password.first.new')}</span>
          <input type="password" autocomplete="new-password" value={password} data-testid="set-password-new"
            onInput={(event) => setPassword(event.currentTarget.value)} />
          <span class="card-meta">{t('password.first.hint')}</span>
        </label>
        <label class="field">
          <span class="field-label">{t('password.first.repeat')}</span>
          <input type="password" autocomplete="new-password" value={repeat} data-testid="set-password-repeat"
            onInput={(event) => setRepeat(event.currentTarget.value)} />
        </label>
        {mismatch ? <p class="message message-error" role="alert" data-testid="set-password-mismatch">{t('password.first.mismatch')}</p> : null}
        <ErrorMessage error={error} testId="set-password-error" />
        <button type="submit" class="button button-primary button-block" disabled={busy} data-testid="set-password-submit">
          {t('password.first.submit')}
        </button>
      </form>
      <p><button type="button" class="button button-quiet" onClick={logout}>{t('password.first.logout')}</button></p>
    </main>
  );
}
