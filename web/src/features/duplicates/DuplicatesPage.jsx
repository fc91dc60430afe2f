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
              <p class="dup-why" data-testid={`same-${pair.duplicate.id}`}>
                <strong>{t('duplicates.same')}</strong> {pair.same_text || '—'}
              </p>
              {pair.differs?.length ? (
                <p class="dup-why dup-differs" data-testid={`differs-${pair.duplicate.id}`}>
                  <strong>{t('duplicates.differs')}</strong> {pair.differs_text}
                </p>
              ) : null}
              <div class="dup-pair">
                <Person person={pair.duplicate} title={t('duplicates.duplicate')} t={t} differs={pair.differs || []} />
                <Person person={pair.keep} title={t('duplicates.keep')} t={t} differs={pair.differs || []} />
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

// A field that differs between the two records is highlighted on both cards.
function Person({ person, title, t, differs }) {
  const mark = (field) => (differs.includes(field) ? 'dup-diff' : undefined);
  return (
    <div class="dup-card">
      <h3>{title} · #{person.id}</h3>
      <dl class="facts">
        <dt>{t('duplicates.name')}</dt><dd class={mark('name')}>{person.name}</dd>
        <dt>{t('duplicates.birth_year')}</dt><dd class={mark('birth_year')}>{person.birth_year ?? '—'}</dd>
        <dt>{t('duplicates.phone')}</dt>
        <dd class={mark('phone')}>{person.phone ? <a href={`tel:${person.phone}`}>{person.phone}</a> : '—'}</dd>
        <dt>{t('duplicates.id_masked')}</dt><dd class={mark('id_number')}>{person.id_masked || '—'}</dd>
        <dt>{t('duplicates.address')}</dt><dd>{person.block_name} {person.room}</dd>
        <dt>{t('duplicates.status')}</dt>
        <dd>{person.moved_out ? t('duplicates.moved_out') : t('duplicates.living')}</dd>
      </dl>
      <Link href={`/registry/history/resident/${person.id}`}>{t('duplicates.history')}</Link>
    </div>
  );
}
