// /volunteers/shifts: the shifts of the coming days, by day, for a volunteer to sign up
// to (a full shift offers its waitlist) and for leaders to see what is short. The server
// checks every rule and says why in the person's language when one is broken.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { hasAnyRole } from '../../roles.js';
import { Link } from '../../router.jsx';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { LEADERS, Message, fetchAll, shiftTime, useAction } from './common.jsx';

function ShiftCard({ shift, volunteer, onChange }) {
  const { t, lang } = useI18n();
  const action = useAction(onChange);
  const full = shift.open <= 0;
  const mine = shift.my_state && shift.my_state !== 'given_back';
  return (
    <li class="vol-card" data-testid="shift-item" data-id={shift.id} data-post={shift.post_name}>
      <span class="vol-card-title">{shift.post_name}
        {mine ? <span class="vol-badge vol-badge-ok">{t(`vol.shift.mine_${shift.my_state}`)}</span> : null}
        {shift.qualification ? <span class="vol-badge">{t(`vol.qualification.${shift.qualification}`)}</span> : null}
      </span>
      <span class="vol-card-meta">{shiftTime(lang, shift)}</span>
      <span class="vol-card-meta">
        {t('vol.shift.taken', { taken: shift.taken, need: shift.need })}
        {shift.waitlist ? ` · ${t('vol.shift.waiting_n', { n: shift.waitlist })}` : ''}
        {full ? <span class="vol-badge vol-badge-warn">{t('vol.shift.full')}</span> : <span class="vol-badge vol-badge-bad">{t('vol.shift.short', { n: shift.open })}</span>}
      </span>
      {volunteer && !mine && shift.starts_at > new Date().toISOString() ? (
        <div class="vol-card-actions">
          <button class={full ? 'button' : 'button button-primary'} disabled={action.busy} data-testid="shift-signup"
            onClick={() => action.run(() => api.post(`/shifts/${shift.id}/signup`, {}))}>
            {full ? t('vol.shift.join_waitlist') : t('vol.shift.signup')}
          </button>
        </div>
      ) : null}
      <ErrorMessage error={action.error} testId="shift-error" />
    </li>
  );
}

export function ShiftsPage() {
  const { t, lang } = useI18n();
  const { session } = useSession();
  const leader = hasAnyRole(session.user, LEADERS);
  const volunteer = hasAnyRole(session.user, ['volunteer']);
  const [onlyOpen, setOnlyOpen] = useState(!leader);
  const [state, setState] = useState({ items: null, error: null });
  const [tick, setTick] = useState(0);
  // The last answer, above the list: a shift just filled may leave the "only open" list.
  const [notice, setNotice] = useState('');
  useEffect(() => {
    let live = true;
    // A volunteer sees the days open for sign-up (the committee's window); leaders two weeks.
    const days = leader ? Promise.resolve(13) : api.get('/volunteer-settings').then((r) => r.settings.signup_days_ahead, () => 3);
    days.then((n) => {
      const today = new Date(Date.now() + 8 * 3600000);
      const to = new Date(today.getTime() + n * 86400000).toISOString().slice(0, 10);
      return fetchAll(`/shifts?to=${to}${onlyOpen ? '&open=1' : ''}`);
    }).then(
      (items) => live && setState({ items, error: null }),
      (error) => live && setState({ items: [], error }));
    return () => { live = false; };
  }, [onlyOpen, tick, lang]);
  const now = new Date().toISOString();
  // Shifts over are of no use here; a started one can no longer be signed up to.
  const items = [...(state.items || [])].filter((s) => s.ends_at > now).sort((a, b) => a.starts_at.localeCompare(b.starts_at) || a.post_name.localeCompare(b.post_name));
  const days = [];
  for (const s of items) {
    const day = s.start_text.slice(0, 10);
    if (!days.length || days[days.length - 1].day !== day) days.push({ day, shifts: [] });
    days[days.length - 1].shifts.push(s);
  }
  return (
    <main class="page page-narrow" data-testid="shifts-page">
      <h1>{t('vol.shifts.title')}</h1>
      <p class="lead">{t('vol.shifts.intro')}</p>
      <p class="vol-card-actions">
        <label><input type="checkbox" checked={onlyOpen} onChange={() => setOnlyOpen(!onlyOpen)} data-testid="only-open" /> {t('vol.shifts.only_open')}</label>
        {leader ? <Link href="/volunteers/at-risk">{t('vol.risk.link')}</Link> : null}
        {leader ? <a href="/api/v1/shifts?print=1" target="_blank" rel="noopener">{t('vol.print')}</a> : null}
      </p>
      <Message text={notice} testId="shift-message" />
      {state.items === null ? <Loading /> : null}
      <ErrorMessage error={state.error} />
      {state.items && items.length === 0 ? <p class="empty">{t('vol.shifts.none')}</p> : null}
      {days.map((d) => (
        <section key={d.day}>
          <h2 class="vol-day">{shiftTime(lang, { start_text: `${d.day} `, end_text: `${d.day} ` }).split(' ')[0]}</h2>
          <ul class="vol-cards">
            {d.shifts.map((s) => <ShiftCard key={s.id} shift={s} volunteer={volunteer} onChange={(answer) => { setNotice(answer?.message || ''); setTick(tick + 1); }} />)}
          </ul>
        </section>
      ))}
    </main>
  );
}
