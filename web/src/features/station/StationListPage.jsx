// /station: the stations of open rounds this person registers at (a volunteer's own;
// leaders see every station), each opening the station page.
import { useI18n } from '../../i18n/index.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { Link } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';

export function StationListPage() {
  const { t, lang } = useI18n();
  const { data, error, loading } = useApiData('/test-stations?limit=200', [lang]);
  const items = data?.items || [];
  return (
    <main class="page page-narrow" data-testid="station-list-page">
      <h1>{t('station.list.title')}</h1>
      {loading && !data ? <Loading /> : null}
      <ErrorMessage error={error} />
      {data && !items.length ? <p class="lead" data-testid="station-list-none">{t('station.list.none')}</p> : null}
      <ul class="station-cards">
        {items.map((s) => (
          <li key={s.id} class="station-card" data-testid="station-list-item">
            <Link href={`/station/${s.id}`} class="station-card-name">{s.name}</Link>
            <span class="station-meta">{s.round_name} · {s.on_day} · {s.opens_at}–{s.closes_at}</span>
            <span class="station-meta">{s.place ? `${s.place} · ` : ''}{t('station.list.samples', { n: s.samples })}
              {s.staffed ? '' : ` · ${t('station.list.not_staffed')}`}</span>
          </li>
        ))}
      </ul>
    </main>
  );
}
