// /reset-codes (leaders): find a resident of the blocks one looks after and issue a
// one-time code for their account. The code is shown once; read it out or write it
// down for the resident, who enters it at /reset within 24 hours.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import './join.css';

export function ResetCodesPage() {
  const { t } = useI18n();
  const [query, setQuery] = useState('');
  const [people, setPeople] = useState(null);
  const [issued, setIssued] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  const search = async (event) => {
    event.preventDefault();
    setError(null);
    try {
      setPeople((await api.get(`/residents?q=${encodeURIComponent(query.trim())}&limit=30`)).items);
    } catch (failure) {
      setError(failure);
    }
  };
  const issue = async (person) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    setIssued(null);
    try {
      setIssued({ person, ...(await api.post(`/residents/${person.id}/reset-code`, {})) });
    } catch (failure) {
      setError(failure);
    }
    setBusy(false);
  };

  return (
    <main class="page page-narrow" data-testid="reset-codes-page">
      <h1>{t('join.reset_codes.title')}</h1>
      <p class="lead">{t('join.reset_codes.intro')}</p>
      <form class="join-row" onSubmit={search}>
        <input value={query} placeholder={t('join.reset_codes.search_hint')} onInput={(event) => setQuery(event.currentTarget.value)}
          data-testid="reset-codes-query" />
        <button type="submit" class="button" data-testid="reset-codes-search">{t('join.signups.search')}</button>
      </form>
      <ErrorMessage error={error} testId="reset-codes-error" />
      {issued ? (
        <section class="section" data-testid="reset-codes-issued">
          <p>{t('join.reset_codes.for', { name: issued.person.name, username: issued.username })}</p>
          <p class="join-code" data-testid="reset-codes-code">{issued.code}</p>
          <p class="card-meta">{t('join.reset_codes.valid', { date: issued.expires_on })}</p>
        </section>
      ) : null}
      {people ? (
        <ul class="card-list">
          {people.length === 0 ? <li class="card-meta">{t('join.signups.none')}</li> : null}
          {people.map((person) => (
            <li key={person.id}>
              <span class="card-title">{person.name}</span>
              <span class="card-meta">{person.block_name} {person.room}</span>
              <button type="button" class="button" disabled={busy} onClick={() => issue(person)}
                data-testid={`reset-codes-issue-${person.id}`}>{t('join.reset_codes.issue')}</button>
            </li>
          ))}
        </ul>
      ) : null}
    </main>
  );
}
