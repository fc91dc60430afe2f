// /signups (committee): people who signed up without an invite code. The households the
// person's address (or phone) points to are found at once, each with its members; staff
// choose one, pick the resident record if the person is on it, and approve; or reject,
// saying why (the person reads it on their waiting page). The page then says what was
// done and the list updates. The list can be exported for a phone round to check claims.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import './join.css';

export function SignupsPage() {
  const { t, lang } = useI18n();
  const pending = useApiData('/signups?state=pending&limit=200', [lang]);
  // What the last decision did, said at the top of the page after the list reloads.
  const [done, setDone] = useState(null);
  const items = pending.data?.items || [];
  const decided = (signup) => {
    setDone(signup);
    pending.reload();
  };
  return (
    <main class="page" data-testid="signups-page">
      <h1>{t('join.signups.title')}</h1>
      <p class="lead">{t('join.signups.intro')}</p>
      <p><a href="/api/v1/signups?format=csv" data-testid="signups-export">{t('join.signups.export')}</a></p>
      {done ? (
        <p class="message message-ok" role="status" data-testid="signups-done" data-state={done.state}>
          {done.state === 'approved'
            ? t('join.signups.approved_done', { name: done.name, place: `${done.block_name || ''} ${done.room || ''}`.trim() })
            : t('join.signups.rejected_done', { name: done.name })}
        </p>
      ) : null}
      {pending.loading ? <Loading /> : null}
      <ErrorMessage error={pending.error} />
      {!pending.loading && items.length === 0 ? <p class="empty" data-testid="signups-empty">{t('join.signups.empty')}</p> : null}
      <ul class="card-list">
        {items.map((item) => <SignupItem key={item.id} item={item} onDone={decided} />)}
      </ul>
    </main>
  );
}

// One sign-up: the households its address (or phone) points to, each with its members,
// found as soon as the item shows; other words can be searched. Staff choose the
// household and, when the person is on its list, their record, then approve or reject.
function SignupItem({ item, onDone }) {
  const { t } = useI18n();
  const [query, setQuery] = useState(item.claimed_address);
  const [households, setHouseholds] = useState(null);
  const [household, setHousehold] = useState(null);
  const [residentId, setResidentId] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  const find = async (words) => {
    setError(null);
    try {
      const q = words && words.trim() !== item.claimed_address ? `?q=${encodeURIComponent(words.trim())}` : '';
      const found = (await api.get(`/signups/${item.id}/households${q}`)).items;
      setHouseholds(found);
      if (household && !found.some((h) => h.id === household.id)) setHousehold(null);
    } catch (failure) {
      setError(failure);
    }
  };
  useEffect(() => { find(''); }, [item.id]);   // eslint-disable-line react-hooks/exhaustive-deps

  const search = (event) => {
    event.preventDefault();
    find(query);
  };
  const pick = (h) => {
    setHousehold(h);
    setResidentId('');
  };
  const decide = async (action) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const body = action === 'approve' ? { household_id: household.id } : {};
      if (action === 'reject' && reason.trim()) body.reason = reason.trim();
      if (action === 'approve' && residentId) body.resident_id = Number(residentId);
      const answer = await api.post(`/signups/${item.id}/${action}`, body);
      onDone(answer.signup);
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
        <input value={query} aria-label={t('join.signups.room')} onInput={(event) => setQuery(event.currentTarget.value)}
          data-testid={`signup-search-${item.id}`} />
        <button type="submit" class="button">{t('join.signups.search')}</button>
      </form>
      {households === null ? <Loading /> : null}
      {households && households.length === 0 ? <p class="card-meta" data-testid={`signup-none-${item.id}`}>{t('join.signups.none')}</p> : null}
      {households && households.length ? (
        <ul class="join-households" data-testid={`signup-households-${item.id}`}>
          {households.map((h) => (
            <li key={h.id} class={household?.id === h.id ? 'join-household-chosen' : ''} data-testid={`signup-household-${h.id}`}>
              <div class="join-row">
                <strong>{h.block_name} {h.room}</strong>
                <span class="card-meta">{h.matched.map((m) => t(`join.signups.matched.${m}`)).join(' · ')}</span>
              </div>
              <p class="card-meta" data-testid="signup-household-members">
                {h.residents.length
                  ? h.residents.map((r) => (r.has_account ? t('join.signups.member_account', { name: r.name }) : r.name)).join('、')
                  : t('join.signups.no_members')}
              </p>
              <button type="button" class={`button${household?.id === h.id ? ' button-primary' : ' button-quiet'}`}
                onClick={() => pick(h)} data-testid={`signup-pick-${h.id}`}>
                {household?.id === h.id ? t('join.signups.chosen') : t('join.signups.choose')}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {household ? (
        <label class="field">
          <span class="field-label">{t('join.signups.resident')}</span>
          <select value={residentId} onChange={(event) => setResidentId(event.currentTarget.value)} data-testid={`signup-resident-${item.id}`}>
            <option value="">{t('join.signups.no_record')}</option>
            {household.residents.filter((r) => !r.has_account).map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
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
