// /sweeps/:id/households: the households a leader must visit, the ones not yet reached
// (never visited, or not at home last time) first, each a big button that opens the
// record form. Made for a phone in one hand on a staircase.
import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { PercentBar, fetchAll, placeName } from './common.jsx';

const ORDER = { pending: 0, not_home: 1, refused: 2, answered: 3 };

// Not reached first; then by block and room as the list came (household id order).
export function visitOrder(items) {
  return items.map((item, index) => ({ item, index }))
    .sort((a, b) => (ORDER[a.item.outcome] ?? 9) - (ORDER[b.item.outcome] ?? 9) || a.index - b.index)
    .map(({ item }) => item);
}

export function SweepHouseholdsPage({ params }) {
  const { t, lang } = useI18n();
  const id = encodeURIComponent(params.id);
  const sweepData = useApiData(`/sweeps/${id}`, [lang]);
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);

  useEffect(() => {
    let live = true;
    fetchAll(`/sweeps/${id}/households`).then(
      (all) => { if (live) setItems(visitOrder(all)); },
      (failure) => { if (live) setError(failure); },
    );
    return () => { live = false; };
  }, [id]);

  const sweep = sweepData.data?.sweep;
  const remaining = (items || []).filter((h) => h.outcome === 'pending' || h.outcome === 'not_home').length;

  return (
    <main class="page page-narrow" data-testid="sweep-households-page">
      <p class="no-print"><Link href={`/sweeps/${id}`}>{t('sweeps.back_sweep')}</Link></p>
      <h1>{sweep ? sweep.title : t('sweeps.title')}</h1>
      <ErrorMessage error={sweepData.error || error} />
      {sweep ? (
        <div class="sweep-summary">
          <PercentBar percent={sweep.progress.percent} testId="households-progress" />
          <p class="sweep-hint" data-testid="households-remaining" data-remaining={remaining}>
            {t('sweeps.remaining_here', { count: remaining })}
          </p>
          <p class="sweep-links no-print">
            <a href={`/api/v1/sweeps/${id}/households?state=remaining&print=1`} target="_blank" rel="noopener"
              data-testid="households-print">{t('sweeps.print_list')}</a>
          </p>
        </div>
      ) : null}
      {sweep && sweep.state !== 'open' ? <p class="message message-error" data-testid="sweep-not-open">{t('sweeps.not_open')}</p> : null}
      {items === null && !error ? <Loading /> : null}
      {items && items.length === 0 ? <p class="empty">{t('sweeps.no_households')}</p> : null}
      <ul class="sweep-households">
        {(items || []).map((h) => (
          <li key={h.household_id}>
            <Link class={`sweep-household sweep-outcome-${h.outcome}`} href={`/sweeps/${id}/households/${h.household_id}`}
              data-testid="household-item" data-household={h.household_id} data-outcome={h.outcome}>
              <span class="sweep-household-room">{placeName(h)}</span>
              <span class="sweep-household-meta">{h.contact || t('sweeps.no_contact')}</span>
              <span class="sweep-household-outcome">{t(`sweeps.outcome.${h.outcome}`)}</span>
            </Link>
          </li>
        ))}
      </ul>
    </main>
  );
}
