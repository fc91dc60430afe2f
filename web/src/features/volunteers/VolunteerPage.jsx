// /volunteers/:id: one volunteer's record. Leaders see the profile, the hours and points
// and the certificate; committee staff record qualifications (with their expiry) and
// protective equipment handed out, and move the state. The volunteer (or the leader who
// signed them up) edits skills, weekly availability, zone, health and the note.
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

const QUALIFICATIONS = ['protective_suit', 'first_aid', 'driving_licence'];
const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];

function ProfileForm({ v, onDone }) {
  const { t } = useI18n();
  const [skills, setSkills] = useState(v.skills);
  const [posts, setPosts] = useState(v.preferred_posts || []);
  const togglePost = (k) => setPosts(posts.includes(k) ? posts.filter((x) => x !== k) : [...posts, k]);
  const [health, setHealth] = useState(v.health);
  const [note, setNote] = useState(v.note || '');
  const [avail, setAvail] = useState(() => {
    const byDay = {};
    for (const a of v.availability) byDay[a.weekday] = { from: a.from, to: a.to };
    return byDay;
  });
  const action = useAction(onDone);
  const toggle = (s) => setSkills(skills.includes(s) ? skills.filter((x) => x !== s) : [...skills, s]);
  const setDay = (d, part, value) => setAvail({ ...avail, [d]: { from: '08:00', to: '20:00', ...avail[d], [part]: value } });
  const dayOn = (d, on) => {
    const next = { ...avail };
    if (on) next[d] = { from: '08:00', to: '20:00' }; else delete next[d];
    setAvail(next);
  };
  function submit(e) {
    e.preventDefault();
    const availability = Object.entries(avail).map(([d, w]) => ({ weekday: Number(d), from: w.from, to: w.to }));
    action.run(() => api.patch(`/volunteers/${v.id}`, { skills, health, note, availability, preferred_posts: posts }));
  }
  return (
    <form class="form" onSubmit={submit} data-testid="profile-form">
      <h2>{t('vol.profile.edit')}</h2>
      <fieldset class="field"><legend class="field-label">{t('vol.field.skills')}</legend>
        <div class="vol-check">{SKILLS.map((s) => (
          <label key={s}><input type="checkbox" checked={skills.includes(s)} onChange={() => toggle(s)} /> {t(`vol.skill.${s}`)}</label>))}</div>
      </fieldset>
      <fieldset class="field"><legend class="field-label">{t('vol.profile.posts')}</legend>
        <div class="vol-check">{['gate', 'sorting', 'sampling', 'patrol', 'other'].map((k) => (
          <label key={k}><input type="checkbox" checked={posts.includes(k)} onChange={() => togglePost(k)} /> {t(`vol.post_kind.${k}`)}</label>))}</div>
      </fieldset>
      <fieldset class="field"><legend class="field-label">{t('vol.profile.availability')}</legend>
        {WEEKDAYS.map((d) => (
          <div key={d} class="vol-check" style="align-items: center; margin-bottom: 0.3rem">
            <label><input type="checkbox" checked={Boolean(avail[d])} onChange={(e) => dayOn(d, e.currentTarget.checked)} /> {t(`vol.weekday.${d}`)}</label>
            {avail[d] ? (
              <>
                <input type="time" value={avail[d].from} onInput={(e) => setDay(d, 'from', e.currentTarget.value)} aria-label={t('vol.task.start')} />
                <input type="time" value={avail[d].to} onInput={(e) => setDay(d, 'to', e.currentTarget.value)} aria-label={t('vol.task.end')} />
              </>
            ) : null}
          </div>
        ))}
        <span class="vol-card-meta">{t('vol.profile.availability_hint')}</span>
      </fieldset>
      <label class="field"><span class="field-label">{t('vol.field.health')}</span>
        <select value={health} onChange={(e) => setHealth(e.currentTarget.value)}>
          {['healthy', 'limited', 'unwell'].map((h) => <option key={h} value={h}>{t(`vol.health.${h}`)}</option>)}</select></label>
      <label class="field"><span class="field-label">{t('vol.field.note')}</span><input value={note} onInput={(e) => setNote(e.currentTarget.value)} /></label>
      <Message text={action.message} />
      <ErrorMessage error={action.error} />
      <button class="button button-primary" type="submit" disabled={action.busy} data-testid="profile-save">{t('vol.profile.save')}</button>
    </form>
  );
}

function Qualifications({ v, staff, onDone }) {
  const { t } = useI18n();
  const [qual, setQual] = useState('protective_suit');
  const [until, setUntil] = useState('');
  const action = useAction(onDone);
  return (
    <section class="section">
      <h2>{t('vol.profile.qualifications')}</h2>
      {v.qualifications.length === 0 ? <p class="empty">{t('vol.profile.none')}</p> : null}
      <ul>{v.qualifications.map((q) => (
        <li key={q.qualification} data-testid="qualification">{t(`vol.qual.${q.qualification}`)}
          {q.expires_on ? ` · ${t('vol.profile.until', { day: q.expires_on })}` : ''}
          {!q.valid ? <span class="vol-badge vol-badge-bad">{t('vol.profile.expired')}</span> : null}
          {staff ? <button class="button button-quiet" onClick={() => action.run(() => api.del(`/volunteers/${v.id}/qualifications/${q.qualification}`))}>{t('vol.profile.remove')}</button> : null}
        </li>))}</ul>
      {staff ? (
        <form class="vol-filters" data-testid="qualification-form" onSubmit={(e) => {
          e.preventDefault();
          action.run(() => api.put(`/volunteers/${v.id}/qualifications/${qual}`, until ? { expires_on: until } : {}));
        }}>
          <label class="field"><span class="field-label">{t('vol.profile.qualification')}</span>
            <select value={qual} onChange={(e) => setQual(e.currentTarget.value)}>{QUALIFICATIONS.map((q) => <option key={q} value={q}>{t(`vol.qual.${q}`)}</option>)}</select></label>
          <label class="field"><span class="field-label">{t('vol.profile.expires')}</span>
            <input type="date" value={until} onInput={(e) => setUntil(e.currentTarget.value)} /></label>
          <button class="button" type="submit" disabled={action.busy} data-testid="qualification-save">{t('vol.profile.record')}</button>
        </form>
      ) : null}
      <ErrorMessage error={action.error} />
    </section>
  );
}

function Equipment({ v, staff, onDone }) {
  const { t } = useI18n();
  const [item, setItem] = useState('');
  const [quantity, setQuantity] = useState(1);
  const action = useAction(() => { setItem(''); onDone(); });
  return (
    <section class="section">
      <h2>{t('vol.profile.equipment')}</h2>
      {v.equipment.length === 0 ? <p class="empty">{t('vol.profile.none')}</p> : null}
      <ul>{v.equipment.map((e, i) => <li key={i}>{e.item} × {e.quantity}</li>)}</ul>
      {staff ? (
        <form class="vol-filters" data-testid="equipment-form" onSubmit={(e) => {
          e.preventDefault();
          action.run(() => api.post(`/volunteers/${v.id}/equipment`, { item, quantity: Number(quantity) }));
        }}>
          <label class="field"><span class="field-label">{t('vol.profile.item')}</span><input value={item} onInput={(e) => setItem(e.currentTarget.value)} required /></label>
          <label class="field"><span class="field-label">{t('vol.profile.quantity')}</span><input type="number" min="1" value={quantity} onInput={(e) => setQuantity(e.currentTarget.value)} /></label>
          <button class="button" type="submit" disabled={action.busy}>{t('vol.profile.issue')}</button>
        </form>
      ) : null}
      <ErrorMessage error={action.error} />
    </section>
  );
}

export function VolunteerPage({ params }) {
  const { t, lang } = useI18n();
  const { session } = useSession();
  const staff = hasAnyRole(session.user, ['committee']);
  const id = encodeURIComponent(params.id);
  const { data, error, loading, reload } = useApiData(`/volunteers/${id}`, [lang]);
  const v = data?.volunteer;
  const mayEdit = v && (staff || v.user_id === session.user.id || v.on_behalf);
  return (
    <main class="page page-narrow" data-testid="volunteer-page">
      <p><Link href="/volunteers">{t('vol.profile.back')}</Link></p>
      {loading && !data ? <Loading /> : null}
      <ErrorMessage error={error} />
      {v ? (
        <>
          <h1>{v.name}</h1>
          <p class="lead">{t(`vol.kind.${v.kind}`)}{v.organisation ? ` · ${v.organisation}` : ''} · {t(`vol.state.${v.state}`)}</p>
          <p class="vol-card-meta">{v.phone ? <a href={`tel:${v.phone}`}>{v.phone}</a> : null}{v.room ? ` · ${v.room}` : ''}{v.zone_name ? ` · ${v.zone_name}` : ''}</p>
          <div class="vol-figures">
            <div class="vol-figure"><strong>{hours(v.verified_minutes)}</strong>{t('vol.home.hours')}</div>
            <div class="vol-figure"><strong>{v.points}</strong>{t('vol.home.points')}</div>
          </div>
          <p class="vol-card-actions">
            <a href={`/api/v1/volunteers/${v.id}/hours?print=1`} target="_blank" rel="noopener">{t('vol.profile.hours_list')}</a>
            <a href={`/api/v1/volunteers/${v.id}/certificate`} target="_blank" rel="noopener">{t('vol.home.certificate')}</a>
          </p>
          <Qualifications v={v} staff={staff} onDone={reload} />
          <Equipment v={v} staff={staff} onDone={reload} />
          {mayEdit ? <ProfileForm v={v} onDone={reload} /> : null}
        </>
      ) : null}
    </main>
  );
}
