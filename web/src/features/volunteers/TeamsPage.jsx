// /volunteers/teams: the teams with their members, cap and waitlist. A volunteer joins
// (or waits in line, or asks the leader); the team's leader and the committee open a
// team to approve, promote from the waitlist, decline or remove.
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { hasAnyRole } from '../../roles.js';
import { Link } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { Message, useAction } from './common.jsx';

function TeamCard({ team, volunteer, onChange }) {
  const { t } = useI18n();
  const action = useAction(onChange);
  const mine = team.my_state && team.my_state !== 'left';
  return (
    <li class="vol-card" data-testid="team-item" data-id={team.id}>
      <Link href={`/volunteers/teams/${team.id}`} class="vol-card-title">{team.name}</Link>
      <span class="vol-card-meta">{t(`vol.team_kind.${team.kind}`)} · {team.leader_name ? t('vol.team.led_by', { name: team.leader_name }) : t('vol.team.no_leader')}</span>
      <span class="vol-card-meta">{team.cap ? t('vol.team.members_cap', { n: team.members, cap: team.cap }) : t('vol.team.members', { n: team.members })}
        {team.waitlist ? ` · ${t('vol.shift.waiting_n', { n: team.waitlist })}` : ''}
        {team.qualification ? <span class="vol-badge">{t(`vol.qualification.${team.qualification}`)}</span> : null}
        {mine ? <span class="vol-badge vol-badge-ok">{t(`vol.team.my.${team.my_state}`)}</span> : null}</span>
      {volunteer && !mine ? (
        <div class="vol-card-actions">
          <button class="button button-primary" disabled={action.busy} data-testid="team-join"
            onClick={() => action.run(() => api.post(`/teams/${team.id}/join`, {}))}>{t('vol.team.join')}</button>
        </div>
      ) : null}
      <Message text={action.message} />
      <ErrorMessage error={action.error} />
    </li>
  );
}

export function TeamsPage() {
  const { t, lang } = useI18n();
  const { session } = useSession();
  const volunteer = hasAnyRole(session.user, ['volunteer']);
  const { data, error, loading, reload } = useApiData('/teams?limit=200', [lang]);
  return (
    <main class="page page-narrow" data-testid="teams-page">
      <h1>{t('vol.team.title')}</h1>
      {loading && !data ? <Loading /> : null}
      <ErrorMessage error={error} />
      <ul class="vol-cards">{(data?.items || []).map((team) => <TeamCard key={team.id} team={team} volunteer={volunteer} onChange={reload} />)}</ul>
    </main>
  );
}

function Person({ teamId, person, manage, onChange }) {
  const { t } = useI18n();
  const action = useAction(onChange);
  const act = (what) => action.run(() => api.post(`/teams/${teamId}/members/${person.volunteer_id}`, { action: what }));
  return (
    <li class="vol-card" data-testid="team-person" data-state={person.state}>
      <span class="vol-card-title">{person.name}<span class="vol-badge">{t(`vol.team.my.${person.state}`)}</span></span>
      {person.phone ? <span class="vol-card-meta"><a href={`tel:${person.phone}`}>{person.phone}</a></span> : null}
      {manage ? (
        <div class="vol-card-actions">
          {person.state === 'pending' ? <button class="button button-primary" onClick={() => act('approve')}>{t('vol.team.approve')}</button> : null}
          {person.state === 'waitlist' ? <button class="button button-primary" onClick={() => act('promote')} data-testid="team-promote">{t('vol.team.promote')}</button> : null}
          {person.state === 'pending' || person.state === 'waitlist' ? <button class="button" onClick={() => act('decline')}>{t('vol.team.decline')}</button> : null}
          {person.state === 'member' ? <button class="button button-quiet" onClick={() => act('remove')}>{t('vol.team.remove')}</button> : null}
        </div>
      ) : null}
      <ErrorMessage error={action.error} />
    </li>
  );
}

export function TeamPage({ params }) {
  const { t, lang } = useI18n();
  const { session } = useSession();
  const { data, error, loading, reload } = useApiData(`/teams/${encodeURIComponent(params.id)}`, [lang]);
  const team = data?.team;
  const manage = team && (team.i_lead || hasAnyRole(session.user, ['committee']));
  return (
    <main class="page page-narrow" data-testid="team-page">
      <p><Link href="/volunteers/teams">{t('vol.team.back')}</Link></p>
      {loading && !data ? <Loading /> : null}
      <ErrorMessage error={error} />
      {team ? (
        <>
          <h1>{team.name}</h1>
          <p class="lead">{team.cap ? t('vol.team.members_cap', { n: team.members, cap: team.cap }) : t('vol.team.members', { n: team.members })}</p>
          <ul class="vol-cards">{(team.people || []).map((p) => <Person key={p.volunteer_id} teamId={team.id} person={p} manage={manage} onChange={reload} />)}</ul>
        </>
      ) : null}
    </main>
  );
}
