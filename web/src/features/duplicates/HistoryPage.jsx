import { useState } from 'preact/hooks';
import { useI18n } from '../../i18n/index.js';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import './duplicates.css';

// The changes of one household or resident from the audit log, newest first: what was
// done, by whom and when, and the names of the fields it touched (never their values).
export function HistoryPage({ params }) {
  const { t, lang } = useI18n();
  const kind = params.kind === 'household' ? 'household' : 'resident';
  const base = `/${kind === 'household' ? 'households' : 'residents'}/${encodeURIComponent(params.id)}/history`;
  const [cursor, setCursor] = useState('');
  const { data, error, loading } = useApiData(`${base}?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, [lang]);
  return (
    <main class="page page-narrow" data-testid="history-page">
      <h1>{t(kind === 'household' ? 'duplicates.history.household' : 'duplicates.history.resident', { id: params.id })}</h1>
      <p class="no-print">
        <a href={`/api/v1${base}?format=csv`} data-testid="history-csv">{t('duplicates.history.csv')}</a>
        {' · '}
        <a href={`/api/v1${base}?print=1`} target="_blank" rel="noopener">{t('duplicates.history.print')}</a>
      </p>
      {loading && !data ? <Loading /> : null}
      <ErrorMessage error={error} testId="history-error" />
      {data && data.items.length === 0 ? <p class="empty">{t('duplicates.history.none')}</p> : null}
      {data ? (
        <ul class="card-list history-list" data-testid="history-list">
          {data.items.map((entry) => (
            <li key={entry.id} data-testid="history-entry">
              <span class="card-title">{entry.action}</span>
              <span class="card-meta">{entry.at.replace('T', ' ').replace('Z', ' UTC')} · {entry.user_name || t('duplicates.history.system')}</span>
              {entry.fields_text ? <span class="card-meta">{t('duplicates.history.fields')}: {entry.fields_text}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {data?.next_cursor ? (
        <button type="button" class="button no-print" onClick={() => setCursor(data.next_cursor)}>{t('duplicates.next')}</button>
      ) : null}
    </main>
  );
}
