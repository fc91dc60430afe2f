// Testing rounds (核酸 / 抗原), set-up and coverage: the committee sets a round up (day,
// kind, scope, stations with staff), copies the last one, opens and closes it; leaders
// keep who is exempt and the door-to-door list, watch coverage per block live and call
// the people of their block who have not come.
import { TestingRoundsPage } from './TestingRoundsPage.jsx';
import { TestingNewPage } from './TestingNewPage.jsx';
import { TestingRoundPage } from './TestingRoundPage.jsx';
import { TestingCoveragePage } from './TestingCoveragePage.jsx';
import { TestingNotTestedPage } from './TestingNotTestedPage.jsx';
import { COMMITTEE, LEADERS, STAFF } from './common.jsx';

// The first match wins: /testing/new before /testing/:id.
export const routes = [
  { path: '/testing', roles: STAFF, page: TestingRoundsPage },
  { path: '/testing/new', roles: COMMITTEE, page: TestingNewPage },
  { path: '/testing/:id/coverage', roles: LEADERS, page: TestingCoveragePage },
  { path: '/testing/:id/not-tested', roles: LEADERS, page: TestingNotTestedPage },
  { path: '/testing/:id', roles: STAFF, page: TestingRoundPage },
];

export const nav = [
  { key: 'testing', path: '/testing', label: 'testing.nav', roles: LEADERS, order: 26.5 },
];

export const homeLinks = [
  { key: 'testing', path: '/testing', label: 'testing.link_rounds', roles: ['block_leader', 'zone_leader', 'committee'] },
];
