// Volunteers: signing up, the committee's list and approvals, posts and their boards,
// shifts to sign up to, tasks to grab, checking in by a post's QR code, the at-risk
// report and the time bank.
import { VolunteerHomePage } from './VolunteerHomePage.jsx';
import { ShiftsPage } from './ShiftsPage.jsx';
import { TasksPage } from './TasksPage.jsx';
import { CheckinPage } from './CheckinPage.jsx';
import { VolunteersPage } from './VolunteersPage.jsx';
import { PostBoardPage, PostsPage } from './PostsPage.jsx';
import { AtRiskPage } from './AtRiskPage.jsx';
import { HoursPage } from './HoursPage.jsx';
import { VolunteerPage } from './VolunteerPage.jsx';
import { RostersPage } from './RostersPage.jsx';
import { TeamPage, TeamsPage } from './TeamsPage.jsx';
import { APPLY_ROLES, LEADERS, VOLUNTEER_PAGES } from './common.jsx';

// The first match wins: literal paths before /volunteers/posts/:id.
export const routes = [
  { path: '/volunteer', roles: APPLY_ROLES, page: VolunteerHomePage },
  { path: '/volunteer/checkin', roles: ['volunteer'], page: CheckinPage },
  { path: '/volunteers', roles: LEADERS, page: VolunteersPage },
  { path: '/volunteers/shifts', roles: VOLUNTEER_PAGES, page: ShiftsPage },
  { path: '/volunteers/tasks', roles: VOLUNTEER_PAGES, page: TasksPage },
  { path: '/volunteers/posts', roles: VOLUNTEER_PAGES, page: PostsPage },
  { path: '/volunteers/posts/:id', roles: VOLUNTEER_PAGES, page: PostBoardPage },
  { path: '/volunteers/at-risk', roles: LEADERS, page: AtRiskPage },
  { path: '/volunteers/hours', roles: LEADERS, page: HoursPage },
  { path: '/volunteers/rosters', roles: ['committee'], page: RostersPage },
  { path: '/volunteers/teams', roles: VOLUNTEER_PAGES, page: TeamsPage },
  { path: '/volunteers/teams/:id', roles: VOLUNTEER_PAGES, page: TeamPage },
  { path: '/volunteers/:id', roles: VOLUNTEER_PAGES, page: VolunteerPage },
];

export const nav = [
  { key: 'volunteers', path: '/volunteers', label: 'vol.nav', roles: LEADERS, order: 30 },
  { key: 'volunteer', path: '/volunteer', label: 'vol.nav_me', roles: ['volunteer'], order: 31 },
];

export const homeLinks = [
  { key: 'volunteer', path: '/volunteer', label: 'vol.link_me', roles: ['volunteer', 'resident'] },
  { key: 'volunteer-shifts', path: '/volunteers/shifts', label: 'vol.shifts.link', roles: ['volunteer'] },
  { key: 'volunteer-tasks', path: '/volunteers/tasks', label: 'vol.tasks.link', roles: ['volunteer'] },
  { key: 'volunteer-teams', path: '/volunteers/teams', label: 'vol.team.link', roles: ['volunteer'] },
  { key: 'volunteer-rosters', path: '/volunteers/rosters', label: 'vol.roster.link', roles: ['committee'] },
  { key: 'volunteers', path: '/volunteers', label: 'vol.nav', roles: LEADERS },
];
