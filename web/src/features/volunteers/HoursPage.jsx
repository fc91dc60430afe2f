// /volunteers/hours: the time bank for leaders. Credit a group at once (everyone who
// helped at yesterday's sampling: tick them, say what and how long), see the totals by
// kind of service and the leaderboard, and export the hours for the street office.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { hasAnyRole } from '../../roles.js';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Message, SERVICE_KINDS, fetchAll, hours, useAction } from './common.jsx';

function GroupCredit({ onDone }) {
  const { t } = useI18n();
  const yesterday = new Date(Date.now() - 86400000 + 8 * 3600000).toISOString().slice(0, 10);
  const [people, setPeople] = useState([]);
  const [filter, setFilter] = useState('');
  const [chosen, setChosen] = useState([]);
  const [form, setForm] = useState({ service_kind: 'sampling', minutes: 180, worked_on: yesterday, note: '' });
  const action = useAction(() => { setChosen([]); onDone(); });
  useEffect(() => { fetchAll('/volunteers?state=active').then(setPeople, () => setPeople([])); }, []);
  const shown = people.filter((p) => !filter || p.name.includes(filter) || (p.room || '').includes(filter));
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.value });
  const toggle = (id) => setChosen(chosen.includes(id) ? chosen.filter((x) => x !== id) : [...chosen, id]);
  return (
    <form class="form" data-testid="group-credit" onSubmit={(e) => {
      e.preventDefault();
      const body = { volunteer_ids: chosen, service_kind: form.service_kind, minutes: Number(form.minutes), worked_on: form.worked_on };
      if (form.note) body.note = form.note;
      action.run(async () => {
        const r = await api.post('/hours/group', body);
        return { message: t('vol.hours.credited', { n: r.credited }) };
      });
    }}>
      <h2>{t('vol.hours.group')}</h2>
      <label class="field"><span class="field-label">{t('vol.task.service_kind')}</span>
        <select value={form.service_kind} onChange={set('service_kind')}>{SERVICE_KINDS.map((k) => <option key={k} value={k}>{t(`vol.service.${k}`)}</option>)}</select></label>
      <label class="field"><span class="field-label">{t('vol.hours.minutes')}</span><input type="number" min="1" max="1440" value={form.minutes} onInput={set('minutes')} data-testid="group-minutes" /></label>
      <label class="field"><span class="field-label">{t('vol.hours.date')}</span><input type="date" value={form.worked_on} onInput={set('worked_on')} /></label>
      <label class="field"><span class="field-label">{t('vol.field.note')}</span><input value={form.note} onInput={set('note')} /></label>
      <label class="field"><span class="field-label">{t('vol.hours.who', { n: chosen.length })}</span>
        <input value={filter} onInput={(e) => setFilter(e.currentTarget.value)} placeholder={t('vol.list.search')} data-testid="group-filter" /></label>
      <div class="vol-check" style="max-height: 16rem; overflow-y: auto">
        {shown.slice(0, 200).map((p) => (
          <label key={p.id}><input type="checkbox" checked={chosen.includes(p.id)} onChange={() => toggle(p.id)} data-testid="group-person" /> {p.name}</label>
        ))}
      </div>
      <Message text={action.message} testId="group-message" />
      <ErrorMessage error={action.error} />
      <button class="button button-primary button-block" type="submit" disabled={action.busy || !chosen.length} data-testid="group-submit">{t('vol.hours.credit')}</button>
    </form>
  );
}

export function HoursPage() {
  const { t, lang } = useI18n();
  const { session } = useSession();
  const committee = hasAnyRole(session.user, ['committee']);
  const summary = useApiData('/timebank/summary', [lang]);
  const s = summary.data;
  return (
    <main class="page page-narrow" data-testid="hours-page">
      <h1>{t('vol.hours.title')}</h1>
      <GroupCredit onDone={summary.reload} />
      <section class="section">
        <h2>{t('vol.hours.by_kind')}</h2>
        <ErrorMessage error={summary.error} />
        <ul class="vol-cards">
          {(s?.by_kind || []).map((k) => (
            <li key={k.service_kind} class="vol-card">{t(`vol.service.${k.service_kind}`)} · {t('vol.hours.n_hours', { hours: hours(k.minutes) })} · {t('vol.hours.n_people', { n: k.volunteers })}</li>
          ))}
        </ul>
        <h2>{t('vol.hours.leaderboard')}</h2>
        <ol data-testid="leaderboard">{(s?.leaderboard || []).map((p) => <li key={p.volunteer_id}>{p.name} · {t('vol.hours.n_hours', { hours: hours(p.minutes) })}</li>)}</ol>
      </section>
      {committee ? (
        <p class="vol-card-actions">
          <a href="/api/v1/hours?state=verified&format=xlsx">{t('vol.hours.export')}</a>
          <a href="/api/v1/hours?state=verified&print=1" target="_blank" rel="noopener">{t('vol.print')}</a>
        </p>
      ) : null}
    </main>
  );
}
