// /volunteers/tasks: tasks to grab (抢单). A volunteer sees the ones they may take first
// and grabs a slot with one tap; a full task offers its waitlist. The committee posts a
// task here and marks it done, which credits the hours of everyone who took it.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { hasAnyRole } from '../../roles.js';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { Message, SERVICE_KINDS, SKILLS, shiftTime, useAction } from './common.jsx';

function TaskCard({ task, volunteer, committee, onChange }) {
  const { t, lang } = useI18n();
  const action = useAction(onChange);
  const mine = task.my_state === 'claimed' || task.my_state === 'waitlist';
  const full = task.open <= 0;
  return (
    <li class="vol-card" data-testid="task-item" data-id={task.id}>
      <span class="vol-card-title">{task.title}
        {mine ? <span class="vol-badge vol-badge-ok">{t(`vol.task.mine_${task.my_state}`)}</span> : null}
        {volunteer && !task.eligible ? <span class="vol-badge">{t('vol.task.not_for_me')}</span> : null}
      </span>
      <span class="vol-card-meta">{shiftTime(lang, task)}{task.place ? ` · ${task.place}` : ''}</span>
      <span class="vol-card-meta" data-testid="task-slots">{t('vol.task.slots', { claimed: task.claimed, slots: task.slots })}
        {task.skill ? ` · ${t(`vol.skill.${task.skill}`)}` : ''} · {t(`vol.service.${task.service_kind}`)}</span>
      <div class="vol-card-actions">
        {volunteer && !mine && task.eligible ? (
          <button class={full ? 'button' : 'button button-primary'} disabled={action.busy} data-testid="task-claim"
            onClick={() => action.run(() => api.post(`/tasks/${task.id}/claim`, full ? { waitlist: true } : {}))}>
            {full ? t('vol.shift.join_waitlist') : t('vol.task.claim')}
          </button>
        ) : null}
        {volunteer && mine ? (
          <button class="button" disabled={action.busy} data-testid="task-unclaim"
            onClick={() => action.run(() => api.del(`/tasks/${task.id}/claim`))}>{t('vol.task.unclaim')}</button>
        ) : null}
        {committee ? (
          <button class="button" disabled={action.busy} data-testid="task-done"
            onClick={() => action.run(() => api.post(`/tasks/${task.id}/done`, {}))}>{t('vol.task.done')}</button>
        ) : null}
      </div>
      <ErrorMessage error={action.error} testId="task-error" />
    </li>
  );
}

function NewTask({ onDone }) {
  const { t } = useI18n();
  const tomorrow = new Date(Date.now() + 86400000 + 8 * 3600000).toISOString().slice(0, 10);
  const [form, setForm] = useState({ title: '', place: '', date: tomorrow, start: '09:00', end: '11:00', slots: 5, service_kind: 'delivery', skill: '' });
  const action = useAction(() => { setForm({ ...form, title: '' }); onDone(); });
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.value });
  function submit(event) {
    event.preventDefault();
    const body = { ...form, slots: Number(form.slots) };
    if (!body.skill) delete body.skill;
    if (!body.place) delete body.place;
    action.run(() => api.post('/tasks', body));
  }
  return (
    <form class="form" onSubmit={submit} data-testid="task-new">
      <h2>{t('vol.task.new')}</h2>
      <label class="field"><span class="field-label">{t('vol.task.title_field')}</span><input value={form.title} onInput={set('title')} required data-testid="task-title" /></label>
      <label class="field"><span class="field-label">{t('vol.task.place')}</span><input value={form.place} onInput={set('place')} /></label>
      <label class="field"><span class="field-label">{t('vol.task.date')}</span><input type="date" value={form.date} onInput={set('date')} /></label>
      <label class="field"><span class="field-label">{t('vol.task.start')}</span><input type="time" value={form.start} onInput={set('start')} /></label>
      <label class="field"><span class="field-label">{t('vol.task.end')}</span><input type="time" value={form.end} onInput={set('end')} /></label>
      <label class="field"><span class="field-label">{t('vol.task.slots_field')}</span><input type="number" min="1" value={form.slots} onInput={set('slots')} data-testid="task-slots-field" /></label>
      <label class="field"><span class="field-label">{t('vol.task.service_kind')}</span>
        <select value={form.service_kind} onChange={set('service_kind')}>{SERVICE_KINDS.map((k) => <option key={k} value={k}>{t(`vol.service.${k}`)}</option>)}</select></label>
      <label class="field"><span class="field-label">{t('vol.task.skill')}</span>
        <select value={form.skill} onChange={set('skill')}><option value="">{t('vol.task.any_skill')}</option>{SKILLS.map((k) => <option key={k} value={k}>{t(`vol.skill.${k}`)}</option>)}</select></label>
      <ErrorMessage error={action.error} />
      <button class="button button-primary button-block" type="submit" disabled={action.busy} data-testid="task-post">{t('vol.task.post')}</button>
    </form>
  );
}

export function TasksPage() {
  const { t, lang } = useI18n();
  const { session } = useSession();
  const volunteer = hasAnyRole(session.user, ['volunteer']);
  const committee = hasAnyRole(session.user, ['committee']);
  const { data, error, loading, reload } = useApiData('/tasks?limit=200', [lang]);
  const [showNew, setShowNew] = useState(false);
  const [notice, setNotice] = useState('');
  return (
    <main class="page page-narrow" data-testid="tasks-page">
      <h1>{t('vol.tasks.title')}</h1>
      <p class="lead">{t('vol.tasks.intro')}</p>
      {committee ? (
        showNew ? <NewTask onDone={() => { setShowNew(false); reload(); }} />
          : <p><button class="button button-primary button-block" onClick={() => setShowNew(true)} data-testid="task-new-open">{t('vol.task.new')}</button></p>
      ) : null}
      <Message text={notice} testId="task-message" />
      {loading && !data ? <Loading /> : null}
      <ErrorMessage error={error} />
      {data && data.items.length === 0 ? <p class="empty">{t('vol.tasks.none')}</p> : null}
      <ul class="vol-cards">
        {(data?.items || []).map((task) => <TaskCard key={task.id} task={task} volunteer={volunteer} committee={committee} onChange={(answer) => { setNotice(answer?.message || ''); reload(); }} />)}
      </ul>
    </main>
  );
}
