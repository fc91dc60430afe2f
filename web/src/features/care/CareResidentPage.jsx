// /care/residents/:id: one resident's care — today's state, the carer and rhythm, every
// call and visit with who recorded it (and the help request a need became). A leader of
// the resident's scope names, changes or ends the carer here; the carer or a leader
// records a contact.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { FlagChips, Phone } from '../registry/common.jsx';
import { CheckinButtons, RHYTHMS, StateBadge } from './common.jsx';

function CarerPicker({ onPick }) {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const [found, setFound] = useState(null);
  const [error, setError] = useState(null);
  async function find(event) {
    event.preventDefault();
    setError(null);
    try {
      setFound((await api.get(`/care/carers?limit=20&q=${encodeURIComponent(q)}`)).items);
    } catch (err) {
      setError(err);
    }
  }
  return (
    <div data-testid="care-carer">
      <form class="care-search" onSubmit={find}>
        <label class="field"><span class="field-label">{t('care.assign.find')}</span>
          <input value={q} onInput={(e) => setQ(e.currentTarget.value)} data-testid="care-carer-q" /></label>
        <button class="button" type="submit" data-testid="care-carer-search">{t('care.assign.search')}</button>
      </form>
      <ErrorMessage error={error} />
      {found && !found.length ? <p class="empty">{t('care.assign.nobody_found')}</p> : null}
      <ul class="care-picks">
        {(found || []).map((c) => (
          <li key={c.id}>
            <span>{c.name} · {t('care.assign.looks_after', { n: c.assigned })}</span>
            <button class="button" type="button" onClick={() => { onPick(c); setFound(null); }} data-testid="care-carer-pick">
              {t('care.assign.pick')}</button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function AssignForm({ person, onDone }) {
  const { t } = useI18n();
  const current = person.assignment;
  const [carer, setCarer] = useState(null);
  const [form, setForm] = useState({ rhythm: current?.rhythm || 'daily_call', start_date: '', note: current?.note || '' });
  const [state, setState] = useState({ busy: false, error: null });
  async function run(call) {
    setState({ busy: true, error: null });
    try {
      await call();
      setState({ busy: false, error: null });
      setCarer(null);
      onDone();
    } catch (error) {
      setState({ busy: false, error });
    }
  }
  function submit(event) {
    event.preventDefault();
    if (carer) {
      const body = { resident_id: person.id, carer_user_id: carer.id, rhythm: form.rhythm, note: form.note };
      if (form.start_date) body.start_date = form.start_date;
      run(() => api.post('/care/assignments', body));
    } else if (current) {
      run(() => api.patch(`/care/assignments/${current.id}`, { rhythm: form.rhythm, note: form.note }));
    }
  }
  return (
    <section class="care-section" data-testid="care-assign">
      <h2>{current ? t('care.assign.change_title') : t('care.assign.title')}</h2>
      {carer ? <p data-testid="care-carer-picked">{t('care.assign.picked', { name: carer.name })}{' '}
        <button class="button" type="button" onClick={() => setCarer(null)}>{t('care.assign.change_pick')}</button></p>
        : <CarerPicker onPick={setCarer} />}
      <form class="form" onSubmit={submit}>
        <label class="field"><span class="field-label">{t('care.field.rhythm')}</span>
          <select value={form.rhythm} onChange={(e) => setForm({ ...form, rhythm: e.currentTarget.value })} data-testid="care-rhythm">
            {RHYTHMS.map((r) => <option key={r} value={r}>{t(`care.rhythm.${r}`)}</option>)}
          </select></label>
        {carer ? (
          <label class="field"><span class="field-label">{t('care.field.start_date')}</span>
            <input type="date" value={form.start_date} onInput={(e) => setForm({ ...form, start_date: e.currentTarget.value })} /></label>
        ) : null}
        <label class="field"><span class="field-label">{t('care.field.note')}</span>
          <input value={form.note} maxLength={500} onInput={(e) => setForm({ ...form, note: e.currentTarget.value })} data-testid="care-note" /></label>
        <ErrorMessage error={state.error} />
        <button class="button button-primary button-block" type="submit" disabled={state.busy || (!carer && !current)} data-testid="care-assign-submit">
          {carer ? t('care.assign.submit') : t('care.assign.save')}</button>
      </form>
      {current ? (
        <p><button class="button" type="button" disabled={state.busy} data-testid="care-end"
          onClick={() => { if (window.confirm(t('care.assign.end_confirm'))) run(() => api.post(`/care/assignments/${current.id}/end`, {})); }}>
          {t('care.assign.end')}</button></p>
      ) : null}
    </section>
  );
}

export function CareResidentPage({ params }) {
  const { t, lang } = useI18n();
  const id = encodeURIComponent(params.id);
  const { data, error, loading, reload } = useApiData(`/care/residents/${id}`, [lang]);
  if (loading && !data) return <main class="page page-narrow"><Loading /></main>;
  if (!data) return <main class="page page-narrow"><ErrorMessage error={error} /></main>;
  const p = data.resident;
  return (
    <main class="page page-narrow" data-testid="care-resident-page">
      <h1>{p.name} <StateBadge person={p} /></h1>
      <dl class="care-facts">
        <dt>{t('care.field.room')}</dt><dd>{p.room}</dd>
        <dt>{t('care.field.phone')}</dt><dd><Phone number={p.phone} testId="care-phone" /></dd>
        <dt>{t('care.field.flags')}</dt><dd><FlagChips flags={p.flags} /></dd>
        <dt>{t('care.field.carer')}</dt><dd data-testid="care-carer-name">{p.assignment ? p.assignment.carer_name : t('care.card.nobody')}</dd>
        {p.assignment ? <><dt>{t('care.field.rhythm')}</dt><dd>{p.assignment.rhythm_text}</dd></> : null}
        {p.assignment?.note ? <><dt>{t('care.field.note')}</dt><dd>{p.assignment.note}</dd></> : null}
        <dt>{t('care.field.last')}</dt><dd>{p.last_contact_on || t('care.card.never')}</dd>
      </dl>
      {p.assignment ? (
        <section class="care-section">
          <h2>{t('care.checkin.title')}</h2>
          <CheckinButtons residentId={p.id} defaultKind={/visit/.test(p.assignment.rhythm) ? 'visit' : 'call'} onDone={reload} />
        </section>
      ) : null}
      {p.i_lead ? <AssignForm person={p} onDone={reload} /> : null}
      <section class="care-section">
        <h2>{t('care.history.title')}</h2>
        {!p.checkins.length ? <p class="empty">{t('care.history.none')}</p> : null}
        <ol class="care-history" data-testid="care-history">
          {p.checkins.map((k) => (
            <li key={k.id} data-outcome={k.outcome}>
              <span class="care-history-when">{k.at} · {k.by}{k.as_leader ? ` · ${t('care.history.as_leader')}` : ''}</span>
              <span>{k.kind_text} · {k.outcome_text}{k.needs ? `：${k.needs}` : ''}</span>
              {k.help_request_id ? (p.i_lead ? <Link href={`/help/${k.help_request_id}`}>{t('care.history.help', { id: k.help_request_id })}</Link>
                : <span>{t('care.history.help', { id: k.help_request_id })}</span>) : null}
            </li>
          ))}
        </ol>
        {p.assignments.length ? (
          <>
            <h3>{t('care.history.carers')}</h3>
            <ul class="care-history">
              {p.assignments.map((a) => (
                <li key={a.id}>{a.carer_name} · {a.rhythm_text} · {t('care.history.from', { day: a.start_date })}
                  {a.ended_at ? ` · ${t('care.history.ended', { at: a.ended_at, why: a.end_reason_text || '' })}` : ''}</li>
              ))}
            </ul>
          </>
        ) : null}
      </section>
    </main>
  );
}
