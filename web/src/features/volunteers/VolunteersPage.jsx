// /volunteers: the committee's and leaders' list of volunteers — filter by state, kind,
// skill or a name, approve the ones waiting, export or print the list as it is filtered.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { hasAnyRole } from '../../roles.js';
import { Link } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { Message, SKILLS, hours, useAction } from './common.jsx';
import { PeoplePicker } from './PeoplePicker.jsx';

// A leader signs up a resident of their blocks who has no smartphone; committee staff
// also add an outsider (a sunk-down cadre, company staff, a student).
function SignUpForOthers({ committee, onDone }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ name: '', phone: '', organisation: '', kind: 'cadre' });
  const action = useAction((r) => { setOpen(false); onDone(r); });
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.value });
  if (!open) return <p><button class="button" onClick={() => setOpen(true)} data-testid="signup-others">{t('vol.others.open')}</button></p>;
  return (
    <section class="section" data-testid="signup-others-form">
      <h2>{t('vol.others.title')}</h2>
      <PeoplePicker source="residents" label={t('vol.others.resident')} action={t('vol.others.sign_up')} testId="resident-picker"
        onPick={(r) => action.run(() => api.post('/volunteers', { resident_id: r.id, health: 'healthy' }))} />
      {committee ? (
        <form class="form" onSubmit={(e) => { e.preventDefault(); action.run(() => api.post('/volunteers', { ...form, outsider: true, health: 'healthy' })); }}>
          <h3>{t('vol.others.outsider')}</h3>
          <label class="field"><span class="field-label">{t('vol.others.name')}</span><input value={form.name} onInput={set('name')} required /></label>
          <label class="field"><span class="field-label">{t('vol.field.phone')}</span><input type="tel" value={form.phone} onInput={set('phone')} required /></label>
          <label class="field"><span class="field-label">{t('vol.others.organisation')}</span><input value={form.organisation} onInput={set('organisation')} required /></label>
          <label class="field"><span class="field-label">{t('vol.field.kind')}</span>
            <select value={form.kind} onChange={set('kind')}>{['cadre', 'company', 'student', 'other'].map((k) => <option key={k} value={k}>{t(`vol.kind.${k}`)}</option>)}</select></label>
          <button class="button button-primary" type="submit" disabled={action.busy}>{t('vol.others.add')}</button>
        </form>
      ) : null}
      <ErrorMessage error={action.error} />
    </section>
  );
}

const STATES = ['applied', 'approved', 'active', 'paused', 'left'];
const KINDS = ['resident', 'cadre', 'company', 'student', 'other'];

function Row({ v, committee, onChange }) {
  const { t } = useI18n();
  const action = useAction(onChange);
  const move = (state, reason) => action.run(() => api.post(`/volunteers/${v.id}/state`, reason ? { state, reason } : { state }));
  return (
    <li class="vol-card" data-testid="volunteer-item" data-id={v.id} data-state={v.state}>
      <span class="vol-card-title"><Link href={`/volunteers/${v.id}`}>{v.name}</Link><span class="vol-badge">{t(`vol.state.${v.state}`)}</span>
        {v.on_behalf ? <span class="vol-badge">{t('vol.list.on_behalf')}</span> : null}</span>
      <span class="vol-card-meta">{t(`vol.kind.${v.kind}`)}{v.organisation ? ` · ${v.organisation}` : ''}{v.room ? ` · ${v.room}` : ''}{v.phone ? <> · <a href={`tel:${v.phone}`}>{v.phone}</a></> : null}</span>
      <span class="vol-card-meta">{v.skills.map((s) => t(`vol.skill.${s}`)).join('、') || t('vol.list.no_skills')} · {t('vol.list.hours', { hours: hours(v.verified_minutes), points: v.points })}</span>
      {committee ? (
        <div class="vol-card-actions">
          {v.state === 'applied' ? <button class="button button-primary" disabled={action.busy} onClick={() => move('approved')} data-testid="volunteer-approve">{t('vol.list.approve')}</button> : null}
          {v.state === 'approved' || v.state === 'paused' ? <button class="button" disabled={action.busy} onClick={() => move('active')}>{t('vol.list.activate')}</button> : null}
          {v.state === 'approved' || v.state === 'active' ? <button class="button" disabled={action.busy} onClick={() => move('paused')}>{t('vol.list.pause')}</button> : null}
          {v.state !== 'left' ? <button class="button button-quiet" disabled={action.busy}
            onClick={() => { const reason = window.prompt(t('vol.list.leave_reason')); if (reason) move('left', reason); }}>{t('vol.list.leave')}</button> : null}
        </div>
      ) : null}
      <ErrorMessage error={action.error} />
    </li>
  );
}

export function VolunteersPage() {
  const { t, lang } = useI18n();
  const { session } = useSession();
  const committee = hasAnyRole(session.user, ['committee']);
  const initial = new URLSearchParams(window.location.search);
  const [filters, setFilters] = useState({ state: initial.get('state') || '', kind: '', skill: '', q: '' });
  const query = Object.entries(filters).filter(([, v]) => v).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  const { data, error, loading, reload } = useApiData(`/volunteers?limit=200${query ? `&${query}` : ''}`, [lang]);
  const set = (key) => (e) => setFilters({ ...filters, [key]: e.currentTarget.value });
  // The last change, above the list: an approved applicant leaves the "applied" filter.
  const [notice, setNotice] = useState('');
  const changed = (answer) => {
    const v = answer?.volunteer;
    if (v) setNotice(t('vol.list.moved', { name: v.name, state: t(`vol.state.${v.state}`) }));
    reload();
  };
  const base = `/api/v1/volunteers?${query}`;
  return (
    <main class="page" data-testid="volunteers-page">
      <h1>{t('vol.list.title')}</h1>
      <p class="vol-card-actions">
        <Link href="/volunteers/shifts">{t('vol.shifts.link')}</Link>
        <Link href="/volunteers/posts">{t('vol.posts.link')}</Link>
        <Link href="/volunteers/tasks">{t('vol.tasks.link')}</Link>
        <Link href="/volunteers/hours">{t('vol.hours.link')}</Link>
        <Link href="/volunteers/teams">{t('vol.team.link')}</Link>
        {committee ? <Link href="/volunteers/rosters">{t('vol.roster.link')}</Link> : null}
      </p>
      <SignUpForOthers committee={committee} onDone={changed} />
      <div class="vol-filters">
        <label class="field"><span class="field-label">{t('vol.field.state')}</span>
          <select value={filters.state} onChange={set('state')} data-testid="filter-state"><option value="">{t('vol.list.all')}</option>
            {STATES.map((s) => <option key={s} value={s}>{t(`vol.state.${s}`)}</option>)}</select></label>
        <label class="field"><span class="field-label">{t('vol.field.kind')}</span>
          <select value={filters.kind} onChange={set('kind')}><option value="">{t('vol.list.all')}</option>
            {KINDS.map((s) => <option key={s} value={s}>{t(`vol.kind.${s}`)}</option>)}</select></label>
        <label class="field"><span class="field-label">{t('vol.field.skills')}</span>
          <select value={filters.skill} onChange={set('skill')}><option value="">{t('vol.list.all')}</option>
            {SKILLS.map((s) => <option key={s} value={s}>{t(`vol.skill.${s}`)}</option>)}</select></label>
        <label class="field"><span class="field-label">{t('vol.list.search')}</span>
          <input value={filters.q} onChange={set('q')} /></label>
      </div>
      <p class="vol-card-actions">
        <a href={`${base}&format=csv`}>{t('vol.export_csv')}</a>
        <a href={`${base}&format=xlsx`}>{t('vol.export_xlsx')}</a>
        <a href={`${base}&print=1`} target="_blank" rel="noopener">{t('vol.print')}</a>
      </p>
      <Message text={notice} testId="volunteers-message" />
      {loading && !data ? <Loading /> : null}
      <ErrorMessage error={error} />
      {data && data.items.length === 0 ? <p class="empty">{t('vol.list.none')}</p> : null}
      <ul class="vol-cards">
        {(data?.items || []).map((v) => <Row key={v.id} v={v} committee={committee} onChange={changed} />)}
      </ul>
      {data?.next_cursor ? <p class="vol-card-meta">{t('vol.list.more')}</p> : null}
    </main>
  );
}
