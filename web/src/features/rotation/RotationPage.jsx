// /rotations/:id: one rotation on a phone. Today's household first, then the turn to
// record with two buttons for leaders — "done, key handed to 5号" and "skipped (did not
// open the gate)" — the next days, the households skipped and still to call on, and a
// link to the printable schedule for the notice board. A resident sees their own
// household's days only (the server sends no others).
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';

const NEXT_DAYS = 7;

function Entry({ entry }) {
  const { t } = useI18n();
  return (
    <li class="sweep-card" data-testid="rotation-day" data-state={entry.state}>
      <span class="sweep-card-title">{entry.day} {t(`rotation.weekday.${entry.weekday}`)} · {entry.room}</span>
      <span class="sweep-card-meta">
        {t('rotation.round_n', { round: entry.round })} · {t(`rotation.state.${entry.state}`)}
        {entry.state === 'done' && entry.handover_to_room ? ` · ${t('rotation.key_to', { room: entry.handover_to_room })}` : ''}
      </span>
    </li>
  );
}

// The turn to record: who, which day, and the two buttons.
function Record({ rotation, busy, onRecord, onUndo }) {
  const { t } = useI18n();
  const current = rotation.current;
  if (!current) return <p class="empty">{t('rotation.finished')}</p>;
  return (
    <section class="card" data-testid="rotation-record">
      <h2>{t('rotation.to_record', { day: current.day, room: current.room })}</h2>
      <button class="button button-primary button-block" disabled={busy} data-testid="rotation-done"
              onClick={() => onRecord('done', current)}>
        {current.handover_to_room ? t('rotation.done_key', { room: current.handover_to_room }) : t('rotation.done_last')}
      </button>
      <button class="button button-block" disabled={busy} data-testid="rotation-skip"
              onClick={() => onRecord('skipped', current)}>
        {t('rotation.skip')}
      </button>
      <p class="hint">{t('rotation.skip_hint')}</p>
      {rotation.turns_recorded > 0 ? (
        <button class="button button-link" disabled={busy} onClick={onUndo} data-testid="rotation-undo">{t('rotation.undo')}</button>
      ) : null}
    </section>
  );
}

function CareList({ id, version, busy, onCalled }) {
  const { t, lang } = useI18n();
  const { data, error } = useApiData(`/rotations/${id}/care?pending=1&limit=500`, [lang, version]);
  const items = data?.items || [];
  return (
    <section data-testid="rotation-care">
      <h2>{t('rotation.care_title')}</h2>
      <p class="hint">{t('rotation.care_hint')}</p>
      <ErrorMessage error={error} />
      {data && items.length === 0 ? <p class="empty">{t('rotation.care_none')}</p> : null}
      <ul class="sweep-cards">
        {items.map((c) => (
          <li key={c.id} class="sweep-card" data-testid="rotation-care-item">
            <span class="sweep-card-title">{c.room} · {c.day}</span>
            {c.phone ? <a href={`tel:${c.phone}`}>{c.phone}</a> : null}
            <button class="button" disabled={busy} onClick={() => onCalled(c.id)}>{t('rotation.called')}</button>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function RotationPage({ params }) {
  const { t, lang } = useI18n();
  const id = encodeURIComponent(params.id);
  const [version, setVersion] = useState(0);
  const { data, error, loading } = useApiData(`/rotations/${id}`, [lang, version]);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState(null);

  async function act(request) {
    setBusy(true);
    setFailure(null);
    try {
      await request();
      setVersion(version + 1);
    } catch (e) {
      setFailure(e);
    } finally {
      setBusy(false);
    }
  }
  const onRecord = (outcome, current) => act(() => api.post(`/rotations/${id}/turns`,
    { outcome, household_id: current.household_id, day: current.day }));
  const onUndo = () => act(() => api.del(`/rotations/${id}/turns/last`));
  const onCalled = (turn) => act(() => api.post(`/rotations/${id}/care/${turn}`, {}));

  if (loading && !data) return <main class="page"><Loading /></main>;
  if (!data) return <main class="page"><ErrorMessage error={error} /></main>;
  const r = data.rotation;
  const leader = r.view === 'leader';
  const upcoming = data.schedule.filter((e) => e.state === 'planned').slice(0, leader ? NEXT_DAYS : data.schedule.length);

  return (
    <main class="page" data-testid="rotation-page">
      <p><Link href="/rotations">{t('rotation.back')}</Link></p>
      <h1>{r.block_name} · {r.name}</h1>
      <p class="lead">
        {t('rotation.window', { from: r.window_start, to: r.window_end })} · {t('rotation.span',
          { from: r.starts_on, to: r.ends_on, rounds: r.rounds_planned, members: r.members })}
      </p>
      <p>{t('rotation.progress', { done: r.rounds_done, rounds: r.rounds_planned, skipped: r.skipped })}</p>
      <section class="card" data-testid="rotation-today">
        <h2>{t('rotation.today')}</h2>
        <p class="sweep-card-title">{r.today ? r.today.room : t('rotation.today_none')}</p>
        {!leader && r.my_next ? <p>{t('rotation.my_next', { day: r.my_next.day })}</p> : null}
      </section>
      <ErrorMessage error={failure} />
      {leader ? <Record rotation={r} busy={busy} onRecord={onRecord} onUndo={onUndo} /> : null}
      <h2>{leader ? t('rotation.next_days') : t('rotation.my_days')}</h2>
      <ul class="sweep-cards">{upcoming.map((e) => <Entry key={e.seq} entry={e} />)}</ul>
      {leader ? <CareList id={id} version={version} busy={busy} onCalled={onCalled} /> : null}
      <p>
        <a class="button button-block" href={`/api/v1/rotations/${id}/schedule?print=1`} target="_blank" rel="noopener"
           data-testid="rotation-print">{t('rotation.print')}</a>
      </p>
    </main>
  );
}
