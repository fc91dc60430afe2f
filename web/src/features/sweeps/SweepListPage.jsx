// /sweeps: every sweep the caller may see with its state and progress (counted over the
// caller's own scope by the server); the committee starts new ones from here.
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { hasAnyRole } from '../../roles.js';
import { Link } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { PercentBar, plural } from './common.jsx';

export function SweepListPage() {
  const { t } = useI18n();
  const { session } = useSession();
  const committee = hasAnyRole(session.user, ['committee']);
  const { data, error, loading } = useApiData('/sweeps?limit=500');
  // Newest first: the sweep under way matters more than last month's.
  const sweeps = [...(data?.items || [])].reverse();

  return (
    <main class="page" data-testid="sweeps-page">
      <h1>{t('sweeps.title')}</h1>
      <p class="lead">{t('sweeps.intro')}</p>
      {committee ? (
        <p><Link class="button button-primary button-block" href="/sweeps/new" data-testid="sweep-new">{t('sweeps.new')}</Link></p>
      ) : null}
      {loading && !data ? <Loading /> : null}
      <ErrorMessage error={error} />
      {data && sweeps.length === 0 ? <p class="empty" data-testid="sweeps-empty">{t('sweeps.none')}</p> : null}
      <ul class="sweep-cards">
        {sweeps.map((sweep) => (
          <li key={sweep.id} class="sweep-card" data-testid="sweep-item" data-id={sweep.id} data-state={sweep.state}>
            <Link href={`/sweeps/${sweep.id}`} class="sweep-card-link">
              <span class="sweep-card-title">{sweep.title}</span>
              <span class={`sweep-state sweep-state-${sweep.state}`}>{t(`sweeps.state.${sweep.state}`)}</span>
            </Link>
            {sweep.state === 'draft' ? (
              <span class="sweep-card-meta" data-testid="sweep-item-target">
                {sweep.target_label} · {plural(t, 'sweeps.households_n', sweep.target_count)}
              </span>
            ) : null}
            {sweep.state !== 'draft' ? (
              <>
                <PercentBar percent={sweep.progress.percent} />
                <span class="sweep-card-meta">
                  {t('sweeps.reached_of', { reached: sweep.progress.reached, targets: sweep.progress.targets, percent: sweep.progress.percent })}
                </span>
              </>
            ) : null}
            {sweep.state === 'open' ? (
              <Link class="button button-block" href={`/sweeps/${sweep.id}/households`} data-testid="sweep-record-link">
                {t('sweeps.record')}
              </Link>
            ) : null}
          </li>
        ))}
      </ul>
    </main>
  );
}
