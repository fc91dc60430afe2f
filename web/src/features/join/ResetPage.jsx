// /reset: username, the one-time code a leader gave (valid 24 hours), a new password.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.jsx';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Field } from './Field.jsx';
import './join.css';

export function ResetPage() {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [done, setDone] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await api.post('/password-reset', { username: username.trim(), code: code.trim(), new_password: password },
        { quietUnauthenticated: true });
      setDone(true);
    } catch (failure) {
      setError(failure);
    }
    setBusy(false);
  };

  return (
    <main class="page page-narrow" data-testid="reset-page">
      <h1>{t('join.reset.title')}</h1>
      {done ? (
        <p class="message message-ok" data-testid="reset-done">{t('join.reset.done')}</p>
      ) : (
        <>
          <p class="lead">{t('join.reset.intro')}</p>
          <form class="form" onSubmit={submit} noValidate>
            <Field label={t('join.username')} name="username" value={username} onInput={setUsername}
              autocomplete="username" testId="reset-username" />
            <Field label={t('join.reset.code')} name="code" value={code} onInput={setCode} testId="reset-code" />
            <Field label={t('join.reset.password')} name="new_password" type="password" value={password} onInput={setPassword}
              autocomplete="new-password" testId="reset-password" />
            <ErrorMessage error={error} testId="reset-error" />
            <button type="submit" class="button button-primary button-block" disabled={busy} data-testid="reset-submit">
              {t('join.reset.submit')}
            </button>
          </form>
        </>
      )}
      <p class="join-links"><Link href="/login">{t('join.to_login')}</Link></p>
    </main>
  );
}
