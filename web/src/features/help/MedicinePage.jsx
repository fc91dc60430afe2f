// /help/medicine and /help/medicine/:id: medicine runs (配药). A leader opens a run for
// a pharmacy, takes in the open medicine requests (red first), and on the trip records
// the cards handed over and returned, the money advanced and paid back, and each
// delivery; the runner (a volunteer) does the same from their phone.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { hasAnyRole } from '../../roles.js';
import { Link, navigate } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { ExportLinks } from '../registry/common.jsx';
import { placeName } from '../../components/place.js';
import { useAction } from '../../components/useAction.js';
import { LEADERS } from './common.jsx';

const yuan = (fen) => (Number(fen || 0) / 100).toFixed(2);


export function MedicineRunsPage() {
  const { t, lang } = useI18n();
  const { session } = useSession();
  const leader = hasAnyRole(session.user, LEADERS);
  const { data, error, loading } = useApiData('/medicine-runs?limit=100', [lang]);
  const [form, setForm] = useState({ name: '', place: '' });
  const action = useAction((a) => navigate(`/help/medicine/${a.run.id}`));
  return (
    <main class="page page-narrow" data-testid="medicine-runs-page">
      <p><Link href="/help">{t('help.back')}</Link></p>
      <h1>{t('med.title')}</h1>
      <p class="lead">{t('med.intro')}</p>
      {leader ? (
        <form class="form" data-testid="medicine-new" onSubmit={(e) => {
          e.preventDefault();
          action.run(() => api.post('/medicine-runs', form));
        }}>
          <label class="field"><span class="field-label">{t('med.field.name')}</span>
            <input value={form.name} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} required data-testid="medicine-name" /></label>
          <label class="field"><span class="field-label">{t('med.field.place')}</span>
            <input value={form.place} onInput={(e) => setForm({ ...form, place: e.currentTarget.value })} required data-testid="medicine-place" /></label>
          <ErrorMessage error={action.error} />
          <button class="button button-primary button-block" type="submit" disabled={action.busy} data-testid="medicine-create">{t('med.create')}</button>
        </form>
      ) : null}
      {loading && !data ? <Loading /> : null}
      <ErrorMessage error={error} />
      {data && !data.items.length ? <p class="empty">{t('med.none')}</p> : null}
      <ul class="help-cards">
        {(data?.items || []).map((r) => (
          <li key={r.id} class="help-card" data-testid="medicine-run">
            <Link class="help-card-link" href={`/help/medicine/${r.id}`}>
              <span class="help-card-title">{r.name}</span>
              <span class="help-card-meta">{r.place}{r.runner_name ? ` · ${r.runner_name}` : ''}</span>
              <span class="help-card-meta">{t('med.counts', { lines: r.lines, red: r.red, delivered: r.delivered })}</span>
            </Link>
          </li>
        ))}
      </ul>
      {leader ? <ExportLinks path="/medicine-runs" params={{}} testId="medicine-exports" /> : null}
    </main>
  );
}

function Line({ runId, line, onChange }) {
  const { t } = useI18n();
  const action = useAction(onChange);
  const [money, setMoney] = useState({ advanced: yuan(line.advanced_fen), repaid: yuan(line.repaid_fen) });
  const patch = (body) => action.run(() => api.patch(`/medicine-runs/${runId}/items/${line.id}`, body));
  return (
    <li class="help-card" data-testid="medicine-line" data-triage={line.triage}>
      <div class="help-card-link">
        <span class="help-card-title"><span class={`help-badge med-${line.triage}`}>{line.triage_text}</span> {line.medicines}</span>
        <span class="help-card-meta">{[placeName(line), line.resident_name].filter(Boolean).join(' · ')}
          {line.phone ? <> · <a href={`tel:${line.phone}`}>{line.phone}</a></> : null}</span>
        <span class="help-card-meta">{t(`med.card.${line.card_state}`)}{line.delivered_at ? ` · ${t('med.delivered_at', { at: line.delivered_at })}` : ''}</span>
        <span class="help-card-meta">{t('med.money', { advanced: yuan(line.advanced_fen), owed: yuan(line.owed_fen) })}</span>
        <div class="help-actions">
          {line.card_state === 'none' ? <button class="button" disabled={action.busy} onClick={() => patch({ card: 'received' })} data-testid="medicine-card-in">{t('med.card_in')}</button> : null}
          {line.card_state === 'held' ? <button class="button" disabled={action.busy} onClick={() => patch({ card: 'returned' })} data-testid="medicine-card-out">{t('med.card_out')}</button> : null}
          {!line.delivered_at ? <button class="button button-primary" disabled={action.busy} onClick={() => patch({ delivered: true })} data-testid="medicine-deliver">{t('med.deliver')}</button> : null}
        </div>
        <form class="med-money" onSubmit={(e) => {
          e.preventDefault();
          patch({ advanced_fen: Math.round(Number(money.advanced) * 100), repaid_fen: Math.round(Number(money.repaid) * 100) });
        }}>
          <label class="field"><span class="field-label">{t('med.advanced')}</span>
            <input inputMode="decimal" value={money.advanced} onInput={(e) => setMoney({ ...money, advanced: e.currentTarget.value })} data-testid="medicine-advanced" /></label>
          <label class="field"><span class="field-label">{t('med.repaid')}</span>
            <input inputMode="decimal" value={money.repaid} onInput={(e) => setMoney({ ...money, repaid: e.currentTarget.value })} /></label>
          <button class="button" type="submit" disabled={action.busy}>{t('med.save_money')}</button>
        </form>
        <ErrorMessage error={action.error} />
      </div>
    </li>
  );
}

export function MedicineRunPage({ params }) {
  const { t, lang } = useI18n();
  const { session } = useSession();
  const leader = hasAnyRole(session.user, LEADERS);
  const id = encodeURIComponent(params.id);
  const { data, error, loading, reload } = useApiData(`/medicine-runs/${id}`, [lang]);
  const open = useApiData('/help-requests?state=open&kind=medicine&limit=100', [lang, data]);
  const [triage, setTriage] = useState('yellow');
  const action = useAction(reload);
  if (loading && !data) return <main class="page page-narrow"><Loading /></main>;
  if (!data) return <main class="page page-narrow"><ErrorMessage error={error} /></main>;
  const run = data.run;
  const taken = new Set(run.items.map((i) => i.request_id));
  const waiting = (open.data?.items || []).filter((r) => !taken.has(r.id));
  return (
    <main class="page page-narrow" data-testid="medicine-run-page">
      <p><Link href="/help/medicine">{t('med.back')}</Link></p>
      <h1>{run.name}</h1>
      <p class="lead">{run.place}{run.runner_name ? ` · ${run.runner_name}` : ''}</p>
      <p>{t('med.counts', { lines: run.lines, red: run.red, delivered: run.delivered })} · {t('med.total', { advanced: yuan(run.advanced_fen), repaid: yuan(run.repaid_fen) })}</p>
      <ul class="help-cards">{run.items.map((l) => <Line key={`${l.id}-${l.advanced_fen}-${l.repaid_fen}`} runId={id} line={l} onChange={reload} />)}</ul>
      {leader && waiting.length ? (
        <section data-testid="medicine-waiting">
          <h2>{t('med.waiting')}</h2>
          <label class="field"><span class="field-label">{t('med.triage')}</span>
            <select value={triage} onChange={(e) => setTriage(e.currentTarget.value)} data-testid="medicine-triage">
              {['red', 'yellow', 'green'].map((k) => <option key={k} value={k}>{t(`med.triage.${k}`)}</option>)}
            </select></label>
          <ul class="help-cards">
            {waiting.map((r) => (
              <li key={r.id} class="help-card"><div class="help-card-link">
                <span class="help-card-title">{r.details?.medicine || r.summary}</span>
                <span class="help-card-meta">{[placeName(r), r.resident_name].filter(Boolean).join(' · ')}</span>
                <button class="button" disabled={action.busy} data-testid="medicine-take"
                  onClick={() => action.run(() => api.post(`/medicine-runs/${id}/items`, { triage, request_id: r.id }))}>{t('med.take')}</button>
              </div></li>
            ))}
          </ul>
          <ErrorMessage error={action.error} />
        </section>
      ) : null}
    </main>
  );
}
