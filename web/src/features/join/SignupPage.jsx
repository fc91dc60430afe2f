// /signup: for residents whose household has no invite code at hand. The account waits
// until the committee links it to a household; until then it has no pages of its own.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Field } from './Field.jsx';
import './join.css';

export function SignupPage() {
  const { t, lang } = useI18n();
  const communities = useApiData('/signup/communities', [lang]);
  const [form, setForm] = useState({ community_id: '', username: '', password: '', name: '', phone: '', claimed_address: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [done, setDone] = useState(null);
  const set = (key) => (value) => setForm((previous) => ({ ...previous, [key]: value }));
  const list = communities.data?.communities || [];

  const submit = async (event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const body = { username: form.username.trim(), password: form.password, name: form.name.trim(),
      phone: form.phone.trim(), claimed_address: form.claimed_address.trim(), language: lang };
    if (list.length > 1 && form.community_id) body.community_id = Number(form.community_id);
    try {
      setDone((await api.post('/signup', body, { quietUnauthenticated: true })).signup);
    } catch (failure) {
      setError(failure);
    }
    setBusy(false);
  };

  if (done) {
    return (
      <main class="page page-narrow" data-testid="signup-page">
        <h1>{t('join.signup.title')}</h1>
        <p class="message message-ok" data-testid="signup-done">{t('join.signup.done', { username: done.username })}</p>
        <p class="join-links"><Link href="/login">{t('join.to_login')}</Link></p>
      </main>
    );
  }
  return (
    <main class="page page-narrow" data-testid="signup-page">
      <h1>{t('join.signup.title')}</h1>
      <p class="lead">{t('join.signup.intro')}</p>
      <form class="form" onSubmit={submit} noValidate>
        {list.length > 1 ? (
          <label class="field">
            <span class="field-label">{t('join.signup.community')}</span>
            <select value={form.community_id} onChange={(event) => set('community_id')(event.currentTarget.value)}
              data-testid="signup-community">
              <option value="">—</option>
              {list.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
            </select>
          </label>
        ) : null}
        <Field label={t('join.signup.name')} name="name" value={form.name} onInput={set('name')} autocomplete="name" testId="signup-name" />
        <Field label={t('join.signup.phone')} name="phone" type="tel" inputMode="tel" value={form.phone} onInput={set('phone')}
          autocomplete="tel" testId="signup-phone" />
        <Field label={t('join.signup.address')} name="claimed_address" value={form.claimed_address} onInput={set('claimed_address')}
          testId="signup-address" />
        <Field label={t('join.username')} name="username" value={form.username} onInput={set('username')}
          autocomplete="username" testId="signup-username" />
        <Field label={t('join.password')} name="password" type="password" value={form.password} onInput={set('password')}
          autocomplete="new-password" testId="signup-password" />
        <ErrorMessage error={error} testId="signup-error" />
        <button type="submit" class="button button-primary button-block" disabled={busy} data-testid="signup-submit">
          {t('join.signup.submit')}
        </button>
      </form>
      <p class="join-links"><Link href="/login">{t('join.to_login')}</Link><Link href="/join">{t('join.to_join')}</Link></p>
    </main>
  );
}
