// /join?code=…: the household's invite code (from the door-plate QR, or typed), then
// "who are you" among the household's residents (names masked), then a username and
// a password. The server logs the new account in; the resident lands on their home.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { Link, navigate } from '../../router.jsx';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Field } from './Field.jsx';
import './join.css';

function codeFromQuery() {
  try {
    return new URLSearchParams(window.location.search).get('code') || '';
  } catch {
    return '';
  }
}

export function JoinPage() {
  const { t } = useI18n();
  const { updateSession } = useSession();
  const [code, setCode] = useState(codeFromQuery);
  const [invite, setInvite] = useState(null);
  const [residentId, setResidentId] = useState(null);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  const lookUp = async (value) => {
    const typed = value.trim();
    if (!typed) return;
    setBusy(true);
    setError(null);
    try {
      const answer = await api.get(`/join/${encodeURIComponent(typed)}`, { quietUnauthenticated: true });
      setInvite(answer.invite);
      setResidentId(null);
    } catch (failure) {
      setInvite(null);
      setError(failure);
    }
    setBusy(false);
  };

  useEffect(() => {
    if (code) lookUp(code);
  }, []);

  const submit = async (event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const me = await api.post('/join', { code: code.trim(), username: username.trim(), password, resident_id: residentId },
        { quietUnauthenticated: true });
      updateSession(me);
      navigate('/home', { replace: true });
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <main class="page page-narrow" data-testid="join-page">
      <h1>{t('join.title')}</h1>
      <p class="lead">{t('join.intro')}</p>
      {!invite ? (
        <form class="form" onSubmit={(event) => { event.preventDefault(); lookUp(code); }} noValidate>
          <Field label={t('join.code')} name="code" value={code} onInput={setCode} testId="join-code" />
          <ErrorMessage error={error} testId="join-error" />
          <button type="submit" class="button button-primary button-block" disabled={busy} data-testid="join-lookup">
            {t('join.lookup')}
          </button>
        </form>
      ) : (
        <form class="form" onSubmit={submit} noValidate>
          <section class="section" data-testid="join-household">
            <p class="card-title">{invite.community_name} · {invite.block_name} {invite.room}</p>
            <p class="card-meta">{t('join.valid_until', { date: invite.expires_on })}</p>
          </section>
          <fieldset class="field">
            <legend class="field-label">{t('join.who')}</legend>
            <ul class="join-people">
              {invite.residents.map((person) => (
                <li key={person.id}>
                  <label>
                    <input
                      type="radio"
                      name="resident"
                      value={person.id}
                      disabled={person.has_account}
                      checked={residentId === person.id}
                      data-testid={`join-person-${person.id}`}
                      onChange={() => setResidentId(person.id)}
                    />
                    <span>{person.name_masked}{person.has_account ? ` (${t('join.has_account')})` : ''}</span>
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
          <Field label={t('join.username')} name="username" value={username} onInput={setUsername}
            autocomplete="username" testId="join-username" />
          <p class="card-meta">{t('join.username_hint')}</p>
          <Field label={t('join.password')} name="password" type="password" value={password} onInput={setPassword}
            autocomplete="new-password" testId="join-password" />
          <ErrorMessage error={error} testId="join-error" />
          <button type="submit" class="button button-primary button-block" disabled={busy || !residentId} data-testid="join-submit">
            {t('join.submit')}
          </button>
        </form>
      )}
      <p class="join-links">
        <Link href="/login">{t('join.to_login')}</Link>
        <Link href="/signup">{t('join.to_signup')}</Link>
      </p>
    </main>
  );
}
