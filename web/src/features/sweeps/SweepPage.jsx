// /sweeps/:id: the sweep's questions, the committee's open and close, progress by block
// or by zone (refreshed every few seconds while the sweep is open, so the desk watches
// the leaders' work arrive), the households not yet reached with a printable list, the
// tally per answer (tap a count for its households) and the results as CSV or XLSX. A
// draft shows its target and household count and is edited or deleted here; a closed
// sweep's households not reached become a follow-up sweep with one tap.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { hasAnyRole } from '../../roles.js';
import { Link, navigate } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { FieldError, LIVE_REFRESH_MS, PercentBar, placeName, plural, questionLabel } from './common.jsx';
import { SweepTally } from './SweepTally.jsx';

// The not-reached list on screen stays short on a phone; the printed list has them all.
const SHOWN_REMAINING = 50;

export function SweepPage({ params }) {
  const { t, lang } = useI18n();
  const { session } = useSession();
  const committee = hasAnyRole(session.user, ['committee']);
  const id = encodeURIComponent(params.id);
  const sweepData = useApiData(`/sweeps/${id}`, [lang]);
  const [by, setBy] = useState('block');
  const progress = useApiData(`/sweeps/${id}/progress?by=${by}&limit=500`, [lang]);
  const remaining = useApiData(`/sweeps/${id}/households?state=remaining&limit=500`, [lang]);
  const [actionError, setActionError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [showAll, setShowAll] = useState(false);
  const sweep = sweepData.data?.sweep;
  const open = sweep?.state === 'open';

  useEffect(() => {
    if (!open) return undefined;
    const timer = setInterval(() => {
      sweepData.reload();
      progress.reload();
      remaining.reload();
    }, LIVE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [open, sweepData.reload, progress.reload, remaining.reload]);

  const act = async (action) => {
    // Closing cannot be undone and stops every leader's recording at once.
    if (action === 'close' && !window.confirm(t('sweeps.close_confirm'))) return;
    if (action === 'delete' && !window.confirm(t('sweeps.delete_confirm'))) return;
    setBusy(true);
    setActionError(null);
    try {
      if (action === 'delete') {
        await api.del(`/sweeps/${id}`);
        navigate('/sweeps');
        return;
      }
      const answer = await api.post(`/sweeps/${id}/${action}`);
      // A follow-up is a new sweep: go to it (a draft, to open when the leaders are ready).
      if (action === 'followup') {
        navigate(`/sweeps/${answer.sweep.id}`);
        return;
      }
      sweepData.reload();
      progress.reload();
      remaining.reload();
    } catch (failure) {
      setActionError(failure);
    } finally {
      setBusy(false);
    }
  };

  if (sweepData.loading && !sweepData.data) return <main class="page"><Loading /></main>;
  if (!sweep) return <main class="page"><ErrorMessage error={sweepData.error} /></main>;

  const base = `/api/v1/sweeps/${id}`;
  const total = progress.data?.total;
  const pendingItems = remaining.data?.items || [];

  return (
    <main class="page" data-testid="sweep-page" data-state={sweep.state}>
      <p class="no-print"><Link href="/sweeps">{t('sweeps.back_list')}</Link></p>
      <h1 data-testid="sweep-title-text">{sweep.title}</h1>
      <p class="lead">
        <span class={`sweep-state sweep-state-${sweep.state}`} data-testid="sweep-state">{t(`sweeps.state.${sweep.state}`)}</span>
        {sweep.description ? ` ${sweep.description}` : ''}
      </p>
      <p class="sweep-target" data-testid="sweep-target-line" data-count={sweep.target_count}>
        <span class="sweep-hint">{t('sweeps.target_is')}</span>
        <strong>{sweep.target_label}</strong>
        {' · '}
        <span data-testid="sweep-target-count">{plural(t, 'sweeps.households_n', sweep.target_count)}</span>
      </p>
      {sweep.followup_of ? (
        <p class="sweep-hint" data-testid="sweep-followup-of">
          {t('sweeps.followup_of')} <Link href={`/sweeps/${sweep.followup_of}`}>{sweep.followup_of_title || `#${sweep.followup_of}`}</Link>
        </p>
      ) : null}
      {sweep.followups?.length ? (
        <p class="sweep-hint" data-testid="sweep-followups">
          {t('sweeps.followed_by')}{' '}
          {sweep.followups.map((f, i) => (
            <span key={f.id}>{i ? '、' : ''}<Link href={`/sweeps/${f.id}`} data-testid="sweep-followup-link">{f.title}</Link></span>
          ))}
        </p>
      ) : null}

      {committee ? (
        <section class="section no-print sweep-actions">
          {sweep.state === 'draft' ? (
            <>
              <button type="button" class="button button-primary button-block" disabled={busy}
                data-testid="sweep-open" onClick={() => act('open')}>{t('sweeps.open')}</button>
              <div class="sweep-pair">
                <Link class="button" href={`/sweeps/${id}/edit`} data-testid="sweep-edit">{t('sweeps.edit')}</Link>
                <button type="button" class="button sweep-danger" disabled={busy}
                  data-testid="sweep-delete" onClick={() => act('delete')}>{t('sweeps.delete')}</button>
              </div>
            </>
          ) : null}
          {open ? (
            <button type="button" class="button button-block" disabled={busy}
              data-testid="sweep-close" onClick={() => act('close')}>{t('sweeps.close')}</button>
          ) : null}
          {sweep.state === 'closed' && sweep.progress.remaining > 0 && !sweep.followups?.length ? (
            <button type="button" class="button button-primary button-block" disabled={busy}
              data-testid="sweep-followup" onClick={() => act('followup')}>
              {plural(t, 'sweeps.followup', sweep.progress.remaining)}
            </button>
          ) : null}
          <FieldError error={actionError} field="state" testId="sweep-action-error" />
          <FieldError error={actionError} field="target_filter" testId="sweep-action-error" />
          <FieldError error={actionError} field="followup_of" testId="sweep-action-error" />
          {actionError && !['state', 'target_filter', 'followup_of'].includes(actionError.field) ? (
            <ErrorMessage error={actionError} testId="sweep-action-error" />
          ) : null}
        </section>
      ) : null}

      {open ? (
        <p class="no-print">
          <Link class="button button-primary button-block" href={`/sweeps/${id}/households`} data-testid="sweep-record-link">
            {t('sweeps.record')}
          </Link>
        </p>
      ) : null}

      <section class="section">
        <h2>{t('sweeps.questions')}</h2>
        <ol class="sweep-question-list">
          {sweep.questions.map((q) => (
            <li key={q.key}>
              {questionLabel(q, lang)}
              <span class="sweep-hint"> · {t(`sweeps.type.${q.type}`)}{q.required ? ` · ${t('sweeps.field.required')}` : ''}</span>
              {q.type === 'choice' ? <span class="sweep-hint"> ({q.choices.join(' / ')})</span> : null}
            </li>
          ))}
        </ol>
      </section>

      {sweep.state !== 'draft' ? (
        <>
          <section class="section" data-testid="sweep-progress">
            <h2>{t('sweeps.progress')}</h2>
            {total ? (
              <div data-testid="sweep-total" data-percent={total.percent}>
                <PercentBar percent={total.percent} />
                <p class="sweep-hint">{t('sweeps.reached_of', { reached: total.reached, targets: total.targets, percent: total.percent })}</p>
              </div>
            ) : null}
            <div class="sweep-tabs no-print" role="tablist">
              {['block', 'zone'].map((kind) => (
                <button key={kind} type="button" role="tab" aria-selected={by === kind ? 'true' : 'false'}
                  class={by === kind ? 'button button-primary' : 'button'} data-testid={`progress-by-${kind}`}
                  onClick={() => setBy(kind)}>{t(`sweeps.by.${kind}`)}</button>
              ))}
            </div>
            <ErrorMessage error={progress.error} />
            <div class="table-scroll">
              <table data-testid="progress-table">
                <thead>
                  <tr>
                    <th>{by === 'block' ? t('sweeps.field.block') : t('sweeps.field.zone')}</th>
                    <th>{t('sweeps.col.targets')}</th>
                    <th>{t('sweeps.col.reached')}</th>
                    <th>{t('sweeps.col.remaining')}</th>
                    <th>{t('sweeps.col.percent')}</th>
                  </tr>
                </thead>
                <tbody>
                  {(progress.data?.by === by ? progress.data.items : []).map((row) => (
                    <tr key={row.block_id ?? row.zone_id} data-testid="progress-row"
                      data-block={row.block_id ?? ''} data-zone={row.zone_id ?? ''} data-percent={row.percent}
                      data-remaining={row.remaining}>
                      <td class="sweep-name">{by === 'block' ? row.block_name : row.zone_name}</td>
                      <td>{row.targets}</td>
                      <td>{row.reached}</td>
                      <td>{row.remaining}</td>
                      <td><PercentBar percent={row.percent} /> {row.percent}%</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p class="sweep-links no-print">
              <a href={`${base}/progress?by=${by}&format=csv`} data-testid="progress-csv">{t('sweeps.export_csv')}</a>
            </p>
          </section>

          <section class="section" data-testid="sweep-remaining">
            <h2>{t('sweeps.not_reached', { count: pendingItems.length })}</h2>
            <p class="sweep-links no-print">
              <a href={`${base}/households?state=remaining&print=1`} target="_blank" rel="noopener"
                data-testid="remaining-print">{t('sweeps.print_list')}</a>
            </p>
            <ErrorMessage error={remaining.error} />
            {remaining.data && pendingItems.length === 0 ? (
              <p class="empty" data-testid="remaining-empty">{t('sweeps.all_reached')}</p>
            ) : (
              <ul class="card-list" data-testid="remaining-list">
                {(showAll ? pendingItems : pendingItems.slice(0, SHOWN_REMAINING)).map((h) => (
                  <li key={h.household_id} data-testid="remaining-item">
                    <span class="card-title">{placeName(h)}</span>
                    <span class="card-meta">{h.contact || ''} · {t(`sweeps.outcome.${h.outcome}`)}</span>
                  </li>
                ))}
              </ul>
            )}
            {!showAll && pendingItems.length > SHOWN_REMAINING ? (
              <button type="button" class="button button-block no-print" data-testid="remaining-show-all"
                onClick={() => setShowAll(true)}>{t('sweeps.show_all', { count: pendingItems.length })}</button>
            ) : null}
            {remaining.data?.next_cursor ? <p class="sweep-hint">{t('sweeps.more_in_print')}</p> : null}
          </section>

          <SweepTally sweep={sweep} />

          <section class="section no-print" data-testid="sweep-exports">
            <h2>{t('sweeps.results')}</h2>
            <p class="sweep-links">
              <a class="button" href={`${base}/results?format=csv`} data-testid="results-csv">{t('sweeps.export_csv')}</a>
              <a class="button" href={`${base}/results?format=xlsx`} data-testid="results-xlsx">{t('sweeps.export_xlsx')}</a>
              <a class="button" href={`${base}/results?print=1`} target="_blank" rel="noopener" data-testid="results-print">{t('sweeps.print')}</a>
            </p>
          </section>
        </>
      ) : null}
    </main>
  );
}
