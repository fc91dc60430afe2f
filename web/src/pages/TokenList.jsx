import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { ErrorMessage } from '../components/ErrorMessage.jsx';
import { useApiData } from '../components/useApiData.js';

// The account's API tokens for integrations: when each was made, when it ends and when
// it was last used, so an owner sees a token that should not be in use. A new token is
// shown once; the server keeps only its hash. A password change ends every token.
export function TokenList() {
  const { t, lang } = useI18n();
  const tokens = useApiData('/tokens?limit=500', [lang]);
  const [name, setName] = useState('');
  const [days, setDays] = useState('90');
  const [made, setMade] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  const when = (iso) => (iso ? new Date(iso).toLocaleString(lang, { year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit' }) : t('tokens.never'));

  const create = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setMade(null);
    try {
      setMade(await api.post('/tokens', { name: name.trim(), expires_in_days: Number(days) }));
      setName('');
      tokens.reload();
    } catch (failure) {
      // A retry after a lost answer: the token exists but is never shown again.
      if (failure.code === 'idempotency_already_done') tokens.reload();
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (id) => {
    setError(null);
    try {
      await api.del(`/tokens/${id}`);
      tokens.reload();
    } catch (failure) {
      setError(failure);
    }
  };

  const items = tokens.data?.items || [];
  return (
    <section class="section" data-testid="token-list">
      <h2>{t('tokens.title')}</h2>
      <p class="lead">{t('tokens.intro')}</p>
      {items.length ? (
        <table class="table">
          <thead>
            <tr>
              <th>{t('tokens.name')}</th>
              <th>{t('tokens.created')}</th>
              <th>{t('tokens.expires')}</th>
              <th>{t('tokens.last_used')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((tok) => (
              <tr key={tok.id} data-testid="token-row">
                <td>{tok.name}</td>
                <td>{when(tok.created_at)}</td>
                <td>{when(tok.expires_at)}</td>
                <td data-testid="token-last-used">{when(tok.last_used_at)}</td>
                <td>
                  <button type="button" class="button" onClick={() => revoke(tok.id)}>{t('tokens.revoke')}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p data-testid="token-none">{tokens.loading ? t('common.loading') : t('tokens.none')}</p>
      )}
      <form class="form" onSubmit={create}>
        <label class="field">
          <span class="field-label">{t('tokens.name')}</span>
          <input name="token_name" maxlength={64} required value={name}
            onInput={(event) => setName(event.currentTarget.value)} />
        </label>
        <label class="field">
          <span class="field-label">{t('tokens.days')}</span>
          <input name="token_days" type="number" min={1} max={365} required value={days}
            onInput={(event) => setDays(event.currentTarget.value)} />
        </label>
        <ErrorMessage error={error || tokens.error} testId="token-error" />
        {made ? (
          <div class="message message-ok" role="status" data-testid="token-made">
            <p>{t('tokens.shown_once')}</p>
            <code data-testid="token-secret">{made.token}</code>
          </div>
        ) : null}
        <button type="submit" class="button button-primary" disabled={busy}>{t('tokens.create')}</button>
      </form>
    </section>
  );
}
