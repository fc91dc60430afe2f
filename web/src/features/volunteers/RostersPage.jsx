// /volunteers/rosters: the committee generates a roster for a period (the limits a
// person may be given), reads what it could not fill and why, checks the draft (print or
// export it, every line saying why that person), and publishes it into the shifts.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { Message, useAction } from './common.jsx';

const WHY = ['team', 'availability', 'qualification', 'overlap', 'day_limit', 'week_limit', 'rest'];

function Roster({ roster, onChange }) {
  const { t } = useI18n();
  const action = useAction(onChange);
  const base = `/api/v1/rosters/${roster.id}/entries`;
  return (
    <section class="section" data-testid="roster" data-id={roster.id} data-state={roster.state}>
      <h2>{t('vol.roster.period', { from: roster.from, to: roster.to })} · {t(`vol.roster.state.${roster.state}`)}</h2>
      {roster.stats ? (
        <p class="vol-card-meta" data-testid="roster-stats">{t('vol.roster.stats', { entries: roster.entries, shifts: roster.stats.shifts,
          people: roster.stats.on_roster, min: roster.stats.min_hours, max: roster.stats.max_hours })}</p>
      ) : null}
      <p class="vol-card-actions">
        <a href={`${base}?print=1`} target="_blank" rel="noopener">{t('vol.print')}</a>
        <a href={`${base}?format=xlsx`}>{t('vol.export_xlsx')}</a>
      </p>
      <h3>{t('vol.roster.unfilled', { n: roster.unfilled.length })}</h3>
      <ul class="vol-cards">
        {roster.unfilled.map((u) => (
          <li key={u.shift_id} class="vol-card" data-testid="roster-unfilled">
            <span class="vol-card-title">{u.post_name} · {u.start_text.slice(5)}–{u.end_text.slice(11)}</span>
            <span class="vol-card-meta">{t('vol.shift.short', { n: u.missing })} · {WHY.filter((w) => u.excluded?.[w])
              .map((w) => t('vol.roster.excluded', { why: t(`vol.roster.why.${w}`), n: u.excluded[w] })).join('，')}</span>
          </li>
        ))}
      </ul>
      {roster.state === 'draft' ? (
        <div class="vol-card-actions">
          <button class="button button-primary" disabled={action.busy} data-testid="roster-publish"
            onClick={() => action.run(async () => {
              const r = await api.post(`/rosters/${roster.id}/publish`, {});
              return { message: t('vol.roster.published', { n: r.placed }) };
            })}>{t('vol.roster.publish')}</button>
          <button class="button" disabled={action.busy} onClick={() => action.run(() => api.del(`/rosters/${roster.id}`))}>
            {t('vol.roster.discard')}</button>
        </div>
      ) : null}
      <Message text={action.message} testId="roster-message" />
      <ErrorMessage error={action.error} />
    </section>
  );
}

export function RostersPage() {
  const { t, lang } = useI18n();
  const day = (n) => new Date(Date.now() + n * 86400000 + 8 * 3600000).toISOString().slice(0, 10);
  const [form, setForm] = useState({ from: day(1), to: day(14), max_hours_day: 8, max_hours_week: 40, min_rest_hours: 8 });
  const [current, setCurrent] = useState(null);
  const list = useApiData('/rosters?limit=20', [lang]);
  const action = useAction((r) => { setCurrent(r.roster); list.reload(); });
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.value });
  const reload = async () => {
    if (current) setCurrent((await api.get(`/rosters/${current.id}`)).roster);
    list.reload();
  };
  return (
    <main class="page page-narrow" data-testid="rosters-page">
      <h1>{t('vol.roster.title')}</h1>
      <p class="lead">{t('vol.roster.intro')}</p>
      <form class="form" data-testid="roster-form" onSubmit={(e) => {
        e.preventDefault();
        action.run(() => api.post('/rosters', { from: form.from, to: form.to, max_hours_day: Number(form.max_hours_day),
          max_hours_week: Number(form.max_hours_week), min_rest_hours: Number(form.min_rest_hours) }));
      }}>
        <label class="field"><span class="field-label">{t('vol.posts.from')}</span><input type="date" value={form.from} onInput={set('from')} /></label>
        <label class="field"><span class="field-label">{t('vol.posts.to')}</span><input type="date" value={form.to} onInput={set('to')} /></label>
        <label class="field"><span class="field-label">{t('vol.roster.max_day')}</span><input type="number" min="1" max="24" value={form.max_hours_day} onInput={set('max_hours_day')} /></label>
        <label class="field"><span class="field-label">{t('vol.roster.max_week')}</span><input type="number" min="1" max="168" value={form.max_hours_week} onInput={set('max_hours_week')} /></label>
        <label class="field"><span class="field-label">{t('vol.roster.rest')}</span><input type="number" min="0" max="48" value={form.min_rest_hours} onInput={set('min_rest_hours')} /></label>
        <ErrorMessage error={action.error} />
        <button class="button button-primary button-block" type="submit" disabled={action.busy} data-testid="roster-generate">{t('vol.roster.generate')}</button>
      </form>
      {current ? <Roster roster={current} onChange={reload} /> : null}
      <section class="section">
        <h2>{t('vol.roster.earlier')}</h2>
        {list.loading && !list.data ? <Loading /> : null}
        <ul>
          {[...(list.data?.items || [])].reverse().map((r) => (
            <li key={r.id}><button class="button button-quiet vol-wrap" onClick={async () => setCurrent((await api.get(`/rosters/${r.id}`)).roster)}>
              {t('vol.roster.period', { from: r.from, to: r.to })} · {t(`vol.roster.state.${r.state}`)} · {r.entries}</button></li>
          ))}
        </ul>
      </section>
    </main>
  );
}
