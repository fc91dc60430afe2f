// /station/conflicts/:round: registrations of a person already counted, sent from a
// station's offline queue. A leader sees both registrations side by side and keeps one;
// the other is voided and its tube counts one swab less, in one write on the server.
import { useI18n } from '../../i18n/index.js';
import { api } from '../../api.js';
import { Link } from '../../router.jsx';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { useAction } from '../../components/useAction.js';
import { ExportLinks, LoadMore, usePagedList } from '../registry/common.jsx';

function StationConflict({ item, onDone }) {
  const { t } = useI18n();
  const action = useAction(onDone);
  const settle = (keep) => action.run(() => api.post(`/test-samples/${item.id}/settle`, { keep }));
  return (
    <li class="station-card" data-testid="station-conflict" data-id={item.id}>
      <span class="station-card-name">{item.name}</span>
      <span class="station-meta">{item.block} {item.room}</span>
      <div class="station-conflict-pair">
        <div class="station-conflict-side" data-testid="station-conflict-counted">
          <strong>{t('station.conflicts.counted')}</strong>
          <span class="station-meta">{item.other_station} · {t('station.conflicts.tube', { code: item.other_tube_code })}</span>
          <span class="station-meta">{item.other_taken_at}</span>
        </div>
        <div class="station-conflict-side" data-testid="station-conflict-this">
          <strong>{t('station.conflicts.queued')}</strong>
          <span class="station-meta">{item.station} · {t('station.conflicts.tube', { code: item.tube_code })}</span>
          <span class="station-meta">{item.taken_at}</span>
        </div>
      </div>
      <div class="station-row">
        <button type="button" class="button" disabled={action.busy} data-testid="station-keep-other"
          onClick={() => settle('other')}>{t('station.conflicts.keep_other')}</button>
        <button type="button" class="button" disabled={action.busy} data-testid="station-keep-this"
          onClick={() => settle('this')}>{t('station.conflicts.keep_this')}</button>
      </div>
      <ErrorMessage error={action.error} />
    </li>
  );
}

export function StationConflictsPage({ params }) {
  const { t, lang } = useI18n();
  const round = encodeURIComponent(params.round);
  const list = usePagedList(`/test-rounds/${round}/conflicts`, [lang, round]);
  return (
    <main class="page page-narrow" data-testid="station-conflicts-page">
      <h1>{t('station.conflicts.title')}</h1>
      <p class="lead">{t('station.conflicts.intro')}</p>
      <p><Link href={`/testing/${round}`}>{t('station.conflicts.back')}</Link></p>
      {!list.loading && !list.error && !list.items.length
        ? <p class="empty" data-testid="station-conflicts-none">{t('station.conflicts.none')}</p> : null}
      <ul class="station-cards">
        {list.items.map((c) => <StationConflict key={c.id} item={c} onDone={list.reload} />)}
      </ul>
      <LoadMore list={list} />
      <ExportLinks path={`/test-rounds/${round}/conflicts`} testId="station-conflict-exports" />
    </main>
  );
}
