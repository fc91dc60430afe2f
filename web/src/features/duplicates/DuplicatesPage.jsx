import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import './duplicates.css';

// Likely duplicate residents side by side; merging keeps one record and moves the
// other's flags, travel and sweep answers to it (the server does it in one step).
export function DuplicatesPage() {
  const { t, lang } = useI18n();
  const [cursor, setCursor] = useState('');
  const path = `/residents/duplicates?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
  const { data, error, loading, reload } = useApiData(path, [lang]);
  const [busy, setBusy] = useState(0);
  const [failure, setFailure] = useState(null);
  const [done, setDone] = useState(null);

  const merge = async (pair) => {
    if (!window.confirm(t('duplicates.confirm', { duplicate: pair.duplicate.name, keep: pair.keep.name }))) return;
    setBusy(pair.id); setFailure(null); setDone(null);
    try {
      await api.post(`/residents/${pair.duplicate.id}/merge`, { into: pair.keep.id });
      setDone(pair);
      reload();
    } catch (e) {
      setFailure(e);
    } finally {
      setBusy(0);
    }
  };

  return (
    <main class="page" data-testid="duplicates-page">
      <h1>{t('duplicates.title')}</h1>
      <p class="lead">{t('duplicates.lead')}</p>
      <ErrorMessage error={failure} testId="duplicates-error" />
      {done ? (
        <p class="message message-ok" role="status" data-testid="duplicates-merged">
          {t('duplicates.merged', { duplicate: done.duplicate.name, keep: done.keep.name })}
        </p>
      ) : null}
      {loading && !data ? <Loading /> : null}
      <ErrorMessage error={error} />
      {data && data.items.length === 0 ? <p class="empty" data-testid="duplicates-empty">{t('duplicates.none')}</p> : null}
      {data ? (
        <ul class="card-list" data-testid="duplicates-list">
          {data.items.map((pair) => (
            <li key={pair.id} class="section" data-testid={`duplicate-${pair.duplicate.id}`}>
              <p class="card-meta">{t(`duplicates.reason.${pair.reason}`)}</p>
              <div class="dup-pair">
                <Person person={pair.duplicate} title={t('duplicates.duplicate')} t={t} />
                <Person person={pair.keep} title={t('duplicates.keep')} t={t} />
              </div>
              <div class="dup-actions no-print">
                <button type="button" class="button button-primary" disabled={busy === pair.id}
                  data-testid={`merge-${pair.duplicate.id}`} onClick={() => merge(pair)}>
                  {t('duplicates.merge')}
                </button>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
      {data?.next_cursor ? (
        <button type="button" class="button no-print" onClick={() => setCursor(data.next_cursor)} data-testid="duplicates-next">
          {t('duplicates.next')}
        </button>
      ) : null}
    </main>
  );
}

function Person({ person, title, t }) {
  return (
    <div class="dup-card">
      <h3>{title} · #{person.id}</h3>
      <dl class="facts">
        <dt>{t('duplicates.name')}</dt><dd>{person.name}</dd>
        <dt>{t('duplicates.birth_year')}</dt><dd>{person.birth_year ?? '—'}</dd>
        <dt>{t('duplicates.phone')}</dt><dd>{person.phone || '—'}</dd>
        <dt>{t('duplicates.id_masked')}</dt><dd>{person.id_masked || '—'}</dd>
        <dt>{t('duplicates.address')}</dt><dd>{person.block_name} {person.room}</dd>
        <dt>{t('duplicates.status')}</dt>
        <dd>{person.moved_out ? t('duplicates.moved_out') : t('duplicates.living')}</dd>
      </dl>
      <Link href={`/registry/history/resident/${person.id}`}>{t('duplicates.history')}</Link>
    </div>
  );
}
