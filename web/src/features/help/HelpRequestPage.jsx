// /help/:id: one request with its timeline (who did what, when), and the steps the
// reader may take: a leader acknowledges, gives it to a volunteer, hands it to 120 or
// the street office, declines with a reason; the volunteer starts and finishes it; the
// household cancels; everyone who sees it can write a message.
import { useState } from 'preact/hooks';
import { api, ApiError, newIdempotencyKey } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { placeName } from '../../components/place.js';
import { useSession } from '../../session.js';
import { hasAnyRole } from '../../roles.js';
import { Link } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { PeoplePicker } from '../volunteers/PeoplePicker.jsx';
import { StateBadges } from './common.jsx';

const OPEN = ['new', 'acknowledged', 'in_progress'];
const BASES = ['hospital_call', 'test_result', 'doctor_note', 'other'];
const localInput = (minutes) => new Date(Date.now() + minutes * 60000 + 8 * 3600000).toISOString().slice(0, 16);

// The exit pass of an exit or hospital-visit request: its QR code for the household to
// show at the gate; for committee staff the approval form and the revocation.
function PassSection({ id, request, committee, onChange }) {
  const { t, lang } = useI18n();
  const pass = useApiData(`/help-requests/${id}/pass`, [lang, request.state]);
  const [form, setForm] = useState({ basis: 'hospital_call', basis_note: '', from: localInput(0), to: localInput(24 * 60) });
  const [state, setState] = useState({ busy: false, error: null });
  const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
  async function run(fn) {
    setState({ busy: true, error: null });
    try {
      await fn();
      setState({ busy: false, error: null });
      pass.reload();
      onChange();
    } catch (error) {
      setState({ busy: false, error });
    }
  }
  const p = pass.data?.pass;
  const canApprove = committee && (OPEN.includes(request.state) || request.state === 'done');
  return (
    <section data-testid="help-pass">
      <h2>{t('help.pass.title')}</h2>
      {p ? (
        <div class={p.valid_now ? 'help-pass help-pass-ok' : 'help-pass'}>
          {p.svg ? <div class="help-pass-qr" role="img" aria-label={t('help.pass.qr')} dangerouslySetInnerHTML={{ __html: p.svg }} /> : null}
          <span>{t('help.pass.valid', { from: p.valid_from, to: p.valid_to })}</span>
          <span>{p.basis_text}{p.basis_note ? `：${p.basis_note}` : ''} · {p.approved_by}</span>
          {committee ? <button class="button" disabled={state.busy} onClick={() => run(() => api.del(`/help-requests/${id}/pass`))} data-testid="help-pass-revoke">{t('help.pass.revoke')}</button> : null}
        </div>
      ) : <p class="empty">{t('help.pass.none')}</p>}
      {canApprove ? (
        <form class="form" data-testid="help-pass-form" onSubmit={(e) => {
          e.preventDefault();
          run(() => api.post(`/help-requests/${id}/pass`, { basis: form.basis, ...(form.basis_note ? { basis_note: form.basis_note } : {}),
            valid_from: form.from.replace('T', ' '), valid_to: form.to.replace('T', ' ') }));
        }}>
          <label class="field"><span class="field-label">{t('help.pass.basis')}</span>
            <select value={form.basis} onChange={set('basis')}>{BASES.map((b) => <option key={b} value={b}>{t(`help.basis.${b}`)}</option>)}</select></label>
          <label class="field"><span class="field-label">{t('help.pass.note')}</span><input value={form.basis_note} onInput={set('basis_note')} /></label>
          <label class="field"><span class="field-label">{t('help.pass.from')}</span><input type="datetime-local" value={form.from} onInput={set('from')} /></label>
          <label class="field"><span class="field-label">{t('help.pass.to')}</span><input type="datetime-local" value={form.to} onInput={set('to')} /></label>
          <ErrorMessage error={state.error} />
          <button class="button button-primary button-block" type="submit" disabled={state.busy} data-testid="help-pass-approve">{p ? t('help.pass.reissue') : t('help.pass.approve')}</button>
        </form>
      ) : <ErrorMessage error={state.error} />}
    </section>
  );
}

// Sends a photo or PDF as the raw body (api.js speaks JSON only), with the CSRF token
// fetched fresh and an Idempotency-Key, like every write.
async function uploadFile(id, file, language) {
  const me = await api.get('/me');
  let response;
  try {
    response = await fetch(`/api/v1/help-requests/${id}/attachments?name=${encodeURIComponent(file.name)}`, {
      method: 'POST', credentials: 'same-origin', body: file,
      headers: { Accept: 'application/json', 'Accept-Language': language, 'Content-Type': 'application/octet-stream',
        'X-CSRF-Token': me.csrf_token || '', 'Idempotency-Key': newIdempotencyKey() },
    });
  } catch {
    throw new ApiError({ status: 0, code: 'network' });
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError({ status: response.status, ...(body?.error || {}) });
  return body;
}

function Attachments({ id, files, onChange }) {
  const { t, lang } = useI18n();
  const [state, setState] = useState({ busy: false, error: null });
  async function pick(event) {
    const file = event.currentTarget.files?.[0];
    event.currentTarget.value = '';
    if (!file) return;
    setState({ busy: true, error: null });
    try {
      await uploadFile(id, file, lang);
      setState({ busy: false, error: null });
      onChange();
    } catch (error) {
      setState({ busy: false, error });
    }
  }
  return (
    <section data-testid="help-attachments">
      <h2>{t('help.files.title')}</h2>
      <ul class="help-files">
        {files.map((f) => (
          <li key={f.id}><a href={`/api/v1/help-requests/${id}/attachments/${f.id}`} download={f.name}>{f.name}</a>
            {' '}<small>{Math.max(1, Math.round(f.size / 1024))} KB</small></li>
        ))}
      </ul>
      <label class="field"><span class="field-label">{t('help.files.add')}</span>
        <input type="file" accept="image/jpeg,image/png,image/webp,application/pdf" onChange={pick} disabled={state.busy} data-testid="help-file" /></label>
      <ErrorMessage error={state.error} />
    </section>
  );
}

function Timeline({ events }) {
  const { t } = useI18n();
  return (
    <ol class="help-timeline" data-testid="help-timeline">
      {events.map((e) => (
        <li key={e.id} data-kind={e.kind}>
          <span class="help-timeline-when">{e.at} · {e.by}</span>
          <span class="help-timeline-text">{t(`help.event.${e.kind}`, { level: e.level ? t(`help.level.${e.level}`) : '' })}
            {e.text ? `：${e.text}` : ''}</span>
        </li>
      ))}
    </ol>
  );
}

export function HelpRequestPage({ params }) {
  const { t, lang } = useI18n();
  const { session } = useSession();
  const id = encodeURIComponent(params.id);
  const { data, error, loading, reload } = useApiData(`/help-requests/${id}`, [lang]);
  const [state, setState] = useState({ busy: false, error: null });
  const [text, setText] = useState('');
  const [panel, setPanel] = useState('');
  const [handTo, setHandTo] = useState('emergency_120');
  async function act(body) {
    setState({ busy: true, error: null });
    try {
      await api.post(`/help-requests/${id}/events`, body);
      setState({ busy: false, error: null });
      setText('');
      setPanel('');
      reload();
    } catch (err) {
      setState({ busy: false, error: err });
    }
  }
  if (loading && !data) return <main class="page page-narrow"><Loading /></main>;
  if (!data) return <main class="page page-narrow"><ErrorMessage error={error} /></main>;
  const r = data.request;
  const open = OPEN.includes(r.state);
  const lead = r.i_lead;
  const work = lead || r.i_am_assigned;
  const household = !lead && hasAnyRole(session.user, ['resident']);
  const button = (label, body, testId, primary = false) => (
    <button class={primary ? 'button button-primary' : 'button'} disabled={state.busy} onClick={() => act(body)} data-testid={testId}>{label}</button>
  );
  return (
    <main class="page page-narrow" data-testid="help-request-page">
      <p><Link href="/help">{t('help.back')}</Link></p>
      <h1>{r.kind_text}<StateBadges request={r} /></h1>
      <p class="help-card-summary" data-testid="help-summary-text">{r.summary}</p>
      <dl class="help-facts">
        {Object.entries(r.details || {}).map(([k, v]) => [<dt key={`${k}-t`}>{t(`help.detail.${k}`)}</dt>, <dd key={`${k}-d`}>{v}</dd>])}
        <dt>{t('help.fact.who')}</dt><dd>{[placeName(r), r.resident_name].filter(Boolean).join(' · ')}</dd>
        {r.phone ? [<dt key="pt">{t('help.fact.phone')}</dt>, <dd key="pd"><a class="help-call" href={`tel:${r.phone}`}>{r.phone}</a></dd>] : null}
        <dt>{t('help.fact.asked')}</dt><dd>{r.created_at}{r.on_behalf ? ` · ${t(`help.channel.${r.channel}`)}` : ''}</dd>
        <dt>{t('help.fact.with')}</dt><dd data-testid="help-level">{r.level_text}</dd>
        {r.state === 'new' ? [<dt key="dt">{t('help.fact.due')}</dt>, <dd key="dd">{r.ack_due_at}</dd>] : null}
        {r.assigned_volunteer ? [<dt key="vt">{t('help.fact.volunteer')}</dt>, <dd key="vd">{r.assigned_volunteer.name}</dd>] : null}
        {r.handed_to ? [<dt key="ht">{t('help.fact.handed')}</dt>, <dd key="hd">{t(`help.hand.${r.handed_to}`)} · {r.handed_at}</dd>] : null}
        {r.reason ? [<dt key="rt">{t('help.fact.reason')}</dt>, <dd key="rd">{r.reason}</dd>] : null}
      </dl>
      {open ? (
        <div class="help-actions" data-testid="help-actions">
          {lead && r.state === 'new' ? button(t('help.act.acknowledge'), { action: 'acknowledge' }, 'help-acknowledge', true) : null}
          {work && r.state !== 'in_progress' ? button(t('help.act.start'), { action: 'start' }, 'help-start') : null}
          {work ? button(t('help.act.done'), { action: 'done' }, 'help-done') : null}
          {lead ? <button class="button" onClick={() => setPanel(panel === 'assign' ? '' : 'assign')} data-testid="help-assign-open">{t('help.act.assign')}</button> : null}
          {lead ? <button class="button" onClick={() => setPanel(panel === 'hand' ? '' : 'hand')} data-testid="help-hand-open">{t('help.act.hand_over')}</button> : null}
          {lead ? <button class="button" onClick={() => setPanel(panel === 'decline' ? '' : 'decline')}>{t('help.act.decline')}</button> : null}
          {lead || household ? button(t('help.act.cancel'), { action: 'cancel' }, 'help-cancel') : null}
        </div>
      ) : null}
      {panel === 'assign' ? (
        <PeoplePicker source="volunteers" label={t('help.act.find_volunteer')} action={t('help.act.assign')}
          onPick={(v) => act({ action: 'assign', volunteer_id: v.id })} testId="help-volunteer" />
      ) : null}
      {panel === 'hand' ? (
        <div class="form">
          <label class="field"><span class="field-label">{t('help.act.hand_to')}</span>
            <select value={handTo} onChange={(e) => setHandTo(e.currentTarget.value)}>
              {['emergency_120', 'street_office'].map((k) => <option key={k} value={k}>{t(`help.hand.${k}`)}</option>)}
            </select></label>
          {button(t('help.act.hand_over'), { action: 'hand_over', to: handTo, ...(text ? { text } : {}) }, 'help-hand', true)}
        </div>
      ) : null}
      {panel === 'decline' ? (
        <div class="form">
          <label class="field"><span class="field-label">{t('help.act.reason')}</span>
            <textarea rows="2" value={text} onInput={(e) => setText(e.currentTarget.value)} /></label>
          {button(t('help.act.decline'), { action: 'decline', text }, 'help-decline', true)}
        </div>
      ) : null}
      <ErrorMessage error={state.error} />
      {r.kind === 'exit' || r.kind === 'medical_visit' ? (
        <PassSection id={id} request={r} committee={hasAnyRole(session.user, ['committee'])} onChange={reload} />
      ) : null}
      <Attachments id={id} files={r.attachments || []} onChange={reload} />
      <h2>{t('help.timeline')}</h2>
      <Timeline events={r.timeline} />
      <form class="form" onSubmit={(e) => { e.preventDefault(); act({ action: 'message', text }); }} data-testid="help-message-form">
        <label class="field"><span class="field-label">{t('help.message')}</span>
          <textarea rows="2" value={panel ? '' : text} onInput={(e) => setText(e.currentTarget.value)} required data-testid="help-message" /></label>
        <button class="button" type="submit" disabled={state.busy || !!panel}>{t('help.send')}</button>
      </form>
    </main>
  );
}
