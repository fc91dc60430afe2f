// /signups (committee): people who signed up without an invite code. Staff find the
// household the person claims (by room), pick the resident record if there is one, and
// approve; or reject, saying why (the person reads it on their waiting page). The list can be exported for a phone round to check claims.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import './join.css';

export function SignupsPage() {
  const { t, lang } = useI18n();
  const pending = useApiData('/signups?state=pending&limit=200', [lang]);
  const items = pending.data?.items || [];
  return (
    <main class="page" data-testid="signups-page">
      <h1>{t('join.signups.title')}</h1>
      <p class="lead">{t('join.signups.intro')}</p>
      <p><a href="/api/v1/signups?format=csv" data-testid="signups-export">{t('join.signups.export')}</a></p>
      {pending.loading ? <Loading /> : null}
      <ErrorMessage error={pending.error} />
      {!pending.loading && items.length === 0 ? <p class="empty" data-testid="signups-empty">{t('join.signups.empty')}</p> : null}
      <ul class="card-list">
        {items.map((item) => <SignupItem key={item.id} item={item} onDone={pending.reload} />)}
      </ul>
    </main>
  );
}

function SignupItem({ item, onDone }) {
  const { t } = useI18n();
  const [query, setQuery] = useState('');
  const [households, setHouseholds] = useState(null);
  const [household, setHousehold] = useState(null);
  const [residentId, setResidentId] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  const search = async (event) => {
    event.preventDefault();
    setError(null);
    try {
      setHouseholds((await api.get(`/households?q=${encodeURIComponent(query.trim())}&limit=20`)).items);
    } catch (failure) {
      setError(failure);
    }
  };
  const pick = async (id) => {
    setError(null);
    try {
      setHousehold((await api.get(`/households/${id}`)).household);
      setResidentId('');
    } catch (failure) {
      setError(failure);
    }
  };
  const decide = async (action) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const body = action === 'approve' ? { household_id: household.id } : {};
      if (action === 'reject' && reason.trim()) body.reason = reason.trim();
      if (action === 'approve' && residentId) body.resident_id = Number(residentId);
      await api.post(`/signups/${item.id}/${action}`, body);
      onDone();
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <li data-testid={`signup-${item.id}`}>
      <span class="card-title">{item.name} · {item.phone}</span>
      <span class="card-meta">{t('join.signups.claims', { address: item.claimed_address, username: item.username })}</span>
      <form class="join-row" onSubmit={search}>
        <input value={query} placeholder={t('join.signups.room')} onInput={(event) => setQuery(event.currentTarget.value)}
          data-testid={`signup-search-${item.id}`} />
        <button type="submit" class="button">{t('join.signups.search')}</button>
      </form>
      {households ? (
        <div class="join-row">
          {households.length === 0 ? <span class="card-meta">{t('join.signups.none')}</span> : null}
          {households.map((h) => (
            <button type="button" key={h.id} class={`button button-quiet${household?.id === h.id ? ' button-primary' : ''}`}
              onClick={() => pick(h.id)} data-testid={`signup-household-${h.id}`}>
              {h.block_name} {h.room}
            </button>
          ))}
        </div>
      ) : null}
      {household ? (
        <label class="field">
          <span class="field-label">{t('join.signups.resident')}</span>
          <select value={residentId} onChange={(event) => setResidentId(event.currentTarget.value)} data-testid={`signup-resident-${item.id}`}>
            <option value="">{t('join.signups.no_record')}</option>
            {(household.residents_list || []).map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
          </select>
        </label>
      ) : null}
      <label class="field">
        <span class="field-label">{t('join.signups.reason')}</span>
        <input value={reason} maxLength={200} placeholder={t('join.signups.reason_hint')}
          onInput={(event) => setReason(event.currentTarget.value)} data-testid={`signup-reason-${item.id}`} />
      </label>
      <ErrorMessage error={error} />
      <div class="join-row">
        <button type="button" class="button button-primary" disabled={busy || !household} onClick={() => decide('approve')}
          data-testid={`signup-approve-${item.id}`}>{t('join.signups.approve')}</button>
        <button type="button" class="button" disabled={busy} onClick={() => decide('reject')}
          data-testid={`signup-reject-${item.id}`}>{t('join.signups.reject')}</button>
      </div>
    </li>
  );
}
