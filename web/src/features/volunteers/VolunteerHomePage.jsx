// /volunteer: a volunteer's own page on the phone. Not signed up yet: the sign-up form
// (health declaration, phone, skills). Waiting: says so. Serving: hours and points, my
// shifts next first with "confirm" / "can't come" / "give back", and the ways on:
// open shifts, tasks to grab, scanning a post's code, the certificate.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { Message, SKILLS, hours, shiftTime, useAction } from './common.jsx';

function ApplyForm({ onDone }) {
  const { t } = useI18n();
  const [health, setHealth] = useState('healthy');
  const [phone, setPhone] = useState('');
  const [skills, setSkills] = useState([]);
  const [note, setNote] = useState('');
  const action = useAction(onDone);
  function toggle(skill) {
    setSkills(skills.includes(skill) ? skills.filter((s) => s !== skill) : [...skills, skill]);
  }
  function submit(event) {
    event.preventDefault();
    const body = { health, skills };
    if (phone.trim()) body.phone = phone.trim();
    if (note.trim()) body.note = note.trim();
    action.run(() => api.post('/volunteers', body));
  }
  return (
    <form class="form" onSubmit={submit} data-testid="volunteer-apply">
      <h2>{t('vol.apply.title')}</h2>
      <p>{t('vol.apply.intro')}</p>
      <label class="field">
        <span class="field-label">{t('vol.field.health')}</span>
        <select value={health} onChange={(e) => setHealth(e.currentTarget.value)} data-testid="apply-health">
          {['healthy', 'limited', 'unwell'].map((h) => <option key={h} value={h}>{t(`vol.health.${h}`)}</option>)}
        </select>
      </label>
      <label class="field">
        <span class="field-label">{t('vol.field.phone')}</span>
        <input type="tel" inputMode="tel" value={phone} onInput={(e) => setPhone(e.currentTarget.value)}
          placeholder={t('vol.apply.phone_hint')} data-testid="apply-phone" />
      </label>
      <fieldset class="field">
        <legend class="field-label">{t('vol.field.skills')}</legend>
        <div class="vol-check">
          {SKILLS.map((s) => (
            <label key={s}><input type="checkbox" checked={skills.includes(s)} onChange={() => toggle(s)} /> {t(`vol.skill.${s}`)}</label>
          ))}
        </div>
      </fieldset>
      <label class="field">
        <span class="field-label">{t('vol.field.note')}</span>
        <input value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <ErrorMessage error={action.error} />
      <button class="button button-primary button-block" type="submit" disabled={action.busy} data-testid="apply-submit">
        {t('vol.apply.submit')}
      </button>
    </form>
  );
}

function MyShift({ shift, onChange }) {
  const { t, lang } = useI18n();
  const action = useAction(onChange);
  const [swapping, setSwapping] = useState(false);
  const [phone, setPhone] = useState('');
  const started = new Date(shift.starts_at) <= new Date();
  const waiting = shift.my_state === 'waitlist';
  return (
    <li class="vol-card" data-testid="my-shift" data-id={shift.id}>
      <span class="vol-card-title">{shift.post_name}
        {waiting ? <span class="vol-badge vol-badge-warn">{t('vol.shift.waitlist')}</span> : null}
        {shift.my_confirmation === 'confirmed' ? <span class="vol-badge vol-badge-ok">{t('vol.shift.confirmed')}</span> : null}
        {shift.my_checked_in_at && !shift.my_checked_out_at ? <span class="vol-badge vol-badge-ok">{t('vol.shift.on_duty')}</span> : null}
      </span>
      <span class="vol-card-meta">{shiftTime(lang, shift)}</span>
      {!started ? (
        <div class="vol-card-actions">
          {!waiting && shift.my_confirmation !== 'confirmed' ? (
            <button class="button button-primary" disabled={action.busy} data-testid="shift-confirm"
              onClick={() => action.run(() => api.post(`/shifts/${shift.id}/confirm`, { answer: 'yes' }))}>{t('vol.shift.confirm')}</button>
          ) : null}
          {!waiting ? (
            <button class="button" disabled={action.busy} data-testid="shift-decline"
              onClick={() => action.run(() => api.post(`/shifts/${shift.id}/confirm`, { answer: 'no' }))}>{t('vol.shift.decline')}</button>
          ) : (
            <button class="button" disabled={action.busy} data-testid="shift-leave-waitlist"
              onClick={() => action.run(() => api.del(`/shifts/${shift.id}/signup`))}>{t('vol.shift.leave_waitlist')}</button>
          )}
        </div>
      ) : null}
      {!started && !waiting ? (
        swapping ? (
          <form class="form" data-testid="swap-form" onSubmit={(e) => {
            e.preventDefault();
            action.run(async () => {
              await api.post(`/shifts/${shift.id}/swap`, { phone: phone.trim() });
              setSwapping(false);
              return { message: t('vol.swap.asked') };
            });
          }}>
            <label class="field"><span class="field-label">{t('vol.swap.phone')}</span>
              <input type="tel" inputMode="tel" value={phone} onInput={(e) => setPhone(e.currentTarget.value)} data-testid="swap-phone" /></label>
            <button class="button button-primary" type="submit" disabled={action.busy} data-testid="swap-send">{t('vol.swap.send')}</button>
          </form>
        ) : <p><button class="button button-quiet" onClick={() => setSwapping(true)} data-testid="swap-open">{t('vol.swap.open')}</button></p>
      ) : null}
      <Message text={action.message} />
      <ErrorMessage error={action.error} />
    </li>
  );
}

export function VolunteerHomePage() {
  const { t, lang } = useI18n();
  const me = useApiData('/volunteers/me', [lang]);
  const shifts = useApiData('/my/shifts', [lang]);
  const volunteer = me.data?.volunteer;
  const notYet = me.error && me.error.status === 404;
  return (
    <main class="page page-narrow" data-testid="volunteer-home">
      <h1>{t('vol.home.title')}</h1>
      {me.loading && !me.data ? <Loading /> : null}
      {notYet ? <ApplyForm onDone={() => me.reload()} /> : <ErrorMessage error={me.error} />}
      {volunteer && volunteer.state === 'applied' ? (
        <p class="message message-ok" data-testid="volunteer-waiting">{t('vol.home.waiting')}</p>
      ) : null}
      {volunteer && volunteer.state !== 'applied' ? (
        <>
          <p class="lead">{volunteer.name} · {t(`vol.state.${volunteer.state}`)}</p>
          <div class="vol-figures">
            <div class="vol-figure"><strong data-testid="my-hours">{hours(volunteer.verified_minutes)}</strong>{t('vol.home.hours')}</div>
            <div class="vol-figure"><strong data-testid="my-points">{volunteer.points}</strong>{t('vol.home.points')}</div>
          </div>
          <p class="vol-card-actions">
            <Link class="button button-primary" href="/volunteer/checkin" data-testid="link-checkin">{t('vol.checkin.link')}</Link>
            <Link class="button" href="/volunteers/shifts" data-testid="link-shifts">{t('vol.shifts.link')}</Link>
            <Link class="button" href="/volunteers/tasks" data-testid="link-tasks">{t('vol.tasks.link')}</Link>
          </p>
          <section class="section">
            <h2>{t('vol.home.my_shifts')}</h2>
            {shifts.data && shifts.data.upcoming.length === 0 ? <p class="empty">{t('vol.home.no_shifts')}</p> : null}
            <ul class="vol-cards">
              {(shifts.data?.upcoming || []).map((s) => <MyShift key={s.id} shift={s} onChange={() => { shifts.reload(); me.reload(); }} />)}
            </ul>
          </section>
          <p><a href={`/api/v1/volunteers/${volunteer.id}/certificate`} target="_blank" rel="noopener" data-testid="certificate">{t('vol.home.certificate')}</a></p>
        </>
      ) : null}
    </main>
  );
}
