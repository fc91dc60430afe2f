import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { Link } from '../router.jsx';
import { useI18n } from '../i18n/index.js';
import { errorText } from '../components/ErrorMessage.jsx';

// Username and password. A login may be letters, a phone number or a name in Chinese:
// the server reads full-width and upper-case forms as the same login. The server answers unknown users and wrong passwords alike,
// and after repeated failures answers 429 with Retry-After.
export function LoginPage({ onLoggedIn }) {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  const submit = async (event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const me = await api.post('/session', { username: username.trim(), password }, { quietUnauthenticated: true });
      onLoggedIn(me);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <main class="page page-narrow login-page" data-testid="login-page">
      <h1>{t('login.title')}</h1>
      <p class="lead">{t('login.intro')}</p>
      <form class="form" onSubmit={submit} noValidate>
        <label class="field">
          <span class="field-label">{t('login.username')}</span>
          <input
            id="username"
            name="username"
            autocomplete="username"
            autocapitalize="none"
            spellcheck={false}
            required
            aria-describedby="username-hint"
            data-testid="login-username"
            value={username}
            onInput={(event) => setUsername(event.currentTarget.value)}
          />
          <span class="card-meta" id="username-hint">{t('login.username_hint')}</span>
        </label>
        <label class="field">
          <span class="field-label">{t('login.password')}</span>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(event) => setPassword(event.currentTarget.value)}
          />
        </label>
        {error ? <LoginError error={error} /> : null}
        <button type="submit" class="button button-primary button-block" data-testid="login-submit" disabled={busy}>
          {busy ? t('login.submitting') : t('login.submit')}
        </button>
      </form>
      <ul class="link-list no-print" data-testid="login-links">
        <li><Link href="/join" data-testid="link-join">{t('login.link_join')}</Link></li>
        <li><Link href="/signup" data-testid="link-signup">{t('login.link_signup')}</Link></li>
        <li><Link href="/reset" data-testid="link-reset">{t('login.link_reset')}</Link></li>
      </ul>
    </main>
  );
}

function LoginError({ error }) {
  const { t } = useI18n();
  const throttled = error.status === 429;
  return (
    <div class="message message-error" role="alert" data-testid="login-error" data-status={error.status}>
      <p>{errorText(t, error)}</p>
      {throttled && error.retryAfter !== null ? (
        <p data-testid="login-retry">{t('login.retry_after', { minutes: Math.max(1, Math.ceil(error.retryAfter / 60)) })}</p>
      ) : null}
    </div>
  );
}
