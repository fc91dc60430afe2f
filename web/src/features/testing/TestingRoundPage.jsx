// /testing/:id: one round — its state (committee: open, close), stations with hours and
// staff (committee: add, remove), who is exempt (leaders: add, take back) and the
// door-to-door list with its team and outcome (leaders send a team; a team member
// records how the visit went).
import { useRef, useState } from 'preact/hooks';
import { api, newIdempotencyKey } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.jsx';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { placeName } from '../../components/place.js';
import { useAction } from '../../components/useAction.js';
import { useApiData } from '../../components/useApiData.js';
import { ExportLinks, LoadMore, Phone, useRoles, usePagedList } from '../registry/common.jsx';
import { DOOR_REASONS, EXEMPT_REASONS, ResidentReasonForm, StateBadge, StationBasics, VISIT_STATES } from './common.jsx';

function StationForm({ roundId, onDone }) {
  const { t } = useI18n();
  const [s, setS] = useState({ name: '', place: '', opens_at: '07:00', closes_at: '11:00' });
  const key = useRef(newIdempotencyKey());
  const action = useAction(() => { key.current = newIdempotencyKey(); setS({ ...s, name: '', place: '' }); onDone(); });
  const set = (field) => (e) => setS({ ...s, [field]: e.currentTarget.value });
  return (
    <form class="testing-station-form" data-testid="testing-station-add"
      onSubmit={(e) => { e.preventDefault(); action.run(() => api.post(`/test-rounds/${roundId}/stations`, s, { idempotencyKey: key.current })); }}>
      <StationBasics station={s} set={set} />
      <ErrorMessage error={action.error} />
      <button class="button" type="submit" disabled={action.busy}>{t('testing.add_station')}</button>
    </form>
  );
}

function Exemptions({ round }) {
  const { t, lang } = useI18n();
  const list = usePagedList(`/test-rounds/${round.id}/exemptions`, [lang]);
  const key = useRef(newIdempotencyKey());
  const action = useAction(() => { key.current = newIdempotencyKey(); list.reload(); });
  const open = round.state !== 'closed';
  return (
    <section class="testing-section" data-testid="testing-exemptions">
      <h2>{t('testing.exemptions')}</h2>
      {!list.loading && !list.items.length ? <p class="empty">{t('testing.exemptions.none')}</p> : null}
      <ul class="testing-cards">
        {list.items.map((e) => (
          <li key={e.id} class="testing-card" data-testid="testing-exemption">
            <span class="testing-card-name">{e.name}</span>
            <span class="testing-meta">{placeName(e)} · {e.reason_text}{e.note ? ` · ${e.note}` : ''}</span>
            {open ? (
              <button type="button" class="button button-quiet" disabled={action.busy}
                onClick={() => action.run(() => api.del(`/test-exemptions/${e.id}`))}>{t('testing.exemption.remove')}</button>
            ) : null}
          </li>
        ))}
      </ul>
      <LoadMore list={list} />
      {open ? (
        <ResidentReasonForm reasons={EXEMPT_REASONS} prefix="testing.exempt." submitLabel={t('testing.exemption.add')}
          busy={action.busy} testId="testing-exempt-picker"
          onSubmit={(body) => action.run(() => api.post(`/test-rounds/${round.id}/exemptions`, body, { idempotencyKey: key.current }))} />
      ) : null}
      <ErrorMessage error={action.error} />
      <ExportLinks path={`/test-rounds/${round.id}/exemptions`} testId="testing-exemption-exports" />
    </section>
  );
}

function DoorVisit({ visit, teams, isLeader, onDone }) {
  const { t } = useI18n();
  const action = useAction(onDone);
  const patch = (body) => action.run(() => api.patch(`/test-door-visits/${visit.id}`, body));
  return (
    <li class="testing-card" data-testid="testing-door" data-id={visit.id}>
      <div class="testing-card-head">
        <span class="testing-card-name">{visit.name}</span>
        <span class="testing-badge">{visit.state_text}</span>
      </div>
      <span class="testing-meta">{placeName(visit)} · {visit.reason_text}
        {visit.phone ? ' · ' : ''}<Phone number={visit.phone} /></span>
      <span class="testing-meta">{visit.team_name ? t('testing.door.team', { name: visit.team_name }) : t('testing.door.no_team')}</span>
      <div class="testing-row-actions">
        {isLeader ? (
          <label class="field"><span class="field-label">{t('testing.field.team')}</span>
            <select value={visit.team_id ?? ''} disabled={action.busy} data-testid="testing-door-team"
              onChange={(e) => patch({ team_id: e.currentTarget.value ? Number(e.currentTarget.value) : null })}>
              <option value="">{t('testing.door.no_team')}</option>
              {teams.map((tm) => <option key={tm.id} value={tm.id}>{tm.name}</option>)}
            </select></label>
        ) : null}
        <label class="field"><span class="field-label">{t('testing.field.visit')}</span>
          <select value={visit.state} disabled={action.busy} data-testid="testing-door-state"
            onChange={(e) => patch({ state: e.currentTarget.value })}>
            {VISIT_STATES.map((s) => <option key={s} value={s}>{t(`testing.visit.${s}`)}</option>)}
          </select></label>
      </div>
      <ErrorMessage error={action.error} />
    </li>
  );
}

function DoorVisits({ round, isLeader }) {
  const { t, lang } = useI18n();
  const list = usePagedList(`/test-rounds/${round.id}/door-visits`, [lang]);
  const teams = useApiData('/teams?limit=200', []);
  const key = useRef(newIdempotencyKey());
  const action = useAction(() => { key.current = newIdempotencyKey(); list.reload(); });
  return (
    <section class="testing-section" data-testid="testing-doors">
      <h2>{t('testing.doors')}</h2>
      <p class="testing-meta">{t('testing.doors.intro')}</p>
      {!list.loading && !list.items.length ? <p class="empty">{t('testing.doors.none')}</p> : null}
      {/* A volunteer whose team is not sent in this round has no list at all (404). */}
      <ErrorMessage error={list.error?.status === 404 ? null : list.error} />
      <ul class="testing-cards">
        {list.items.map((v) => <DoorVisit key={v.id} visit={v} teams={teams.data?.items || []} isLeader={isLeader} onDone={list.reload} />)}
      </ul>
      <LoadMore list={list} />
      {isLeader && round.state !== 'closed' ? (
        <ResidentReasonForm reasons={DOOR_REASONS} prefix="testing.door." submitLabel={t('testing.doors.add')}
          busy={action.busy} testId="testing-door-picker"
          onSubmit={(body) => action.run(() => api.post(`/test-rounds/${round.id}/door-visits`, body, { idempotencyKey: key.current }))} />
      ) : null}
      <ErrorMessage error={action.error} />
      <ExportLinks path={`/test-rounds/${round.id}/door-visits`} testId="testing-door-exports" />
    </section>
  );
}

// Open registration conflicts of the round in the leader's scope: a count that links to
// the page where they are settled, shown only while there is something to settle.
function TestingConflictCount({ roundId }) {
  const { t } = useI18n();
  const { data } = useApiData(`/test-rounds/${roundId}/conflicts?limit=100`, [roundId]);
  const n = data?.items?.length || 0;
  if (!n) return null;
  return (
    <p class="testing-links">
      <Link class="button button-primary" href={`/station/conflicts/${roundId}`} data-testid="testing-conflicts-link">
        {t('station.conflicts.link', { n: data.next_cursor ? `${n}+` : n })}</Link>
    </p>
  );
}

export function TestingRoundPage({ params }) {
  const { t, lang } = useI18n();
  const { isCommittee, isLeader } = useRoles();
  const round = useApiData(`/test-rounds/${encodeURIComponent(params.id)}`, [lang]);
  const action = useAction(() => round.reload());
  if (round.loading && !round.data) return <main class="page page-narrow"><Loading /></main>;
  if (!round.data) return <main class="page page-narrow"><ErrorMessage error={round.error} /></main>;
  const r = round.data;
  const step = (what) => action.run(() => api.post(`/test-rounds/${r.id}/${what}`));
  const scope = [...r.scope.zones, ...r.scope.blocks].map((x) => x.name).join('、');
  return (
    <main class="page page-narrow" data-testid="testing-round-page">
      <h1>{r.name}</h1>
      <p class="testing-card-head">
        <span>{r.on_day} · {r.kind_text}{r.kind === 'pcr_pooled' ? ` · ${t('testing.pool', { n: r.pool_size })}` : ''}</span>
        <StateBadge state={r.state} text={r.state_text} />
      </p>
      <p class="testing-meta">{t('testing.scope')}: {scope || t('testing.scope.all')}</p>
      {r.note ? <p class="testing-meta">{r.note}</p> : null}
      {isCommittee && r.state !== 'closed' ? (
        <p class="testing-links">
          {r.state === 'planned' ? <button class="button button-primary" type="button" disabled={action.busy}
            onClick={() => step('open')} data-testid="testing-open">{t('testing.open')}</button> : null}
          {r.state === 'open' ? <button class="button" type="button" disabled={action.busy}
            onClick={() => { if (window.confirm(t('testing.close_confirm'))) step('close'); }}
            data-testid="testing-close">{t('testing.close')}</button> : null}
        </p>
      ) : null}
      <ErrorMessage error={action.error} />
      {isLeader ? (
        <p class="testing-links">
          <Link class="button" href={`/testing/${r.id}/coverage`} data-testid="testing-coverage-link">{t('testing.link_coverage')}</Link>
          <Link class="button" href={`/testing/${r.id}/not-tested`} data-testid="testing-not-tested-link">{t('testing.link_not_tested')}</Link>
          <Link class="button" href={`/testing/${r.id}/results`} data-testid="testing-results-link">{t('testing.link_results')}</Link>
        </p>
      ) : null}
      {isLeader ? <TestingConflictCount roundId={r.id} /> : null}
      <section class="testing-section" data-testid="testing-stations">
        <h2>{t('testing.stations')}</h2>
        {!r.stations.length ? <p class="empty">{t('testing.stations.none')}</p> : null}
        <ul class="testing-cards">
          {r.stations.map((s) => (
            <li key={s.id} class="testing-card" data-testid="testing-station">
              <span class="testing-card-name">{s.name}</span>
              <span class="testing-meta">{s.place ? `${s.place} · ` : ''}{s.opens_at}–{s.closes_at}</span>
              <span class="testing-meta">{s.staff.length
                ? s.staff.map((p) => `${p.display_name}（${p.duty_text}）`).join('、') : t('testing.staff.none')}</span>
              {isCommittee && r.state === 'open' ? (
                <Link class="button button-quiet" href={`/station/${s.id}`} data-testid="testing-station-open">
                  {t('testing.station_open')}</Link>
              ) : null}
              {isCommittee && r.state !== 'closed' ? (
                <button type="button" class="button button-quiet" disabled={action.busy}
                  onClick={() => action.run(() => api.del(`/test-stations/${s.id}`))}>{t('testing.remove_station')}</button>
              ) : null}
            </li>
          ))}
        </ul>
        {isCommittee && r.state !== 'closed' ? <StationForm roundId={r.id} onDone={round.reload} /> : null}
      </section>
      {isLeader ? <Exemptions round={r} /> : null}
      <DoorVisits round={r} isLeader={isLeader} />
    </main>
  );
}
