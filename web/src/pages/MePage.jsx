import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { LANGUAGES, useI18n } from '../i18n/index.js';
import { useSession } from '../session.js';
import { ErrorMessage } from '../components/ErrorMessage.jsx';
import { RoleList } from '../components/RoleList.jsx';
import { TokenList } from './TokenList.jsx';

// The user's own account: how their name is shown to others, the language of the app
// (and of messages sent to them), the roles they hold and their API tokens.
export function MePage() {
  const { t, lang, setLang } = useI18n();
  const { session, updateSession } = useSession();
  const user = session.user;
  const [displayName, setDisplayName] = useState(user.display_name || '');
  const [language, setLanguage] = useState(lang);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);

  // Follow a switch made in the header while this page is open.
  useEffect(() => setLanguage(lang), [lang]);

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const me = await api.patch('/me', { display_name: displayName.trim(), language });
      updateSession(me);
      setDisplayName(me.user.display_name);
      // Saved on the server already; only the screen needs to follow.
      setLang(language, { saveToServer: false });
      setSaved(true);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="page page-narrow" data-testid="me-page">
      <h1>{t('me.title')}</h1>
      <dl class="facts">
        <dt>{t('me.username')}</dt>
        <dd data-testid="me-username">{user.username}</dd>
        {session.community ? (
          <>
            <dt>{t('me.community')}</dt>
            <dd>{session.community.name}</dd>
          </>
        ) : null}
      </dl>
      <form class="form" onSubmit={submit}>
        <label class="field">
          <span class="field-label">{t('me.display_name')}</span>
          <input
            id="display_name"
            name="display_name"
            maxlength={64}
            required
            value={displayName}
            aria-invalid={error?.field === 'display_name' ? 'true' : undefined}
            onInput={(event) => { setDisplayName(event.currentTarget.value); setSaved(false); }}
          />
        </label>
        <label class="field">
          <span class="field-label">{t('me.language')}</span>
          <select
            id="language"
            name="language"
            value={language}
            onChange={(event) => { setLanguage(event.currentTarget.value); setSaved(false); }}
          >
            {LANGUAGES.map((code) => (
              <option key={code} value={code} lang={code}>{t(`language.name.${code}`)}</option>
            ))}
          </select>
        </label>
        <ErrorMessage error={error} testId="me-error" />
        {saved ? <p class="message message-ok" role="status" data-testid="me-saved">{t('me.saved')}</p> : null}
        <button type="submit" class="button button-primary button-block" data-testid="me-save" disabled={busy}>
          {t('common.save')}
        </button>
      </form>
      <section class="section">
        <h2>{t('roles.title')}</h2>
        <RoleList user={user} community={session.community} />
      </section>
      <TokenList />
    </main>
  );
}
