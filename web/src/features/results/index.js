// Testing results and tracing (核酸结果与追踪): the committee enters or imports the lab's
// tube results, a leader opens a positive tube's people to call them and follows each
// up; a household reports its antigen results on a phone.
import { ResultsPage } from './ResultsPage.jsx';
import { TubePage } from './TubePage.jsx';
import { FollowupsPage } from './FollowupsPage.jsx';
import { AntigenPage } from './AntigenPage.jsx';
import { MinePage } from './MinePage.jsx';
import { LEADERS } from './common.jsx';

// Literal paths first: /testing/followups and /testing/antigen before /testing/:id/….
export const routes = [
  { path: '/testing/followups', roles: LEADERS, page: FollowupsPage },
  { path: '/testing/antigen', roles: [...LEADERS, 'resident'], page: AntigenPage },
  { path: '/testing/mine', roles: ['resident'], page: MinePage },
  { path: '/testing/tubes/:id', roles: LEADERS, page: TubePage },
  { path: '/testing/:id/results', roles: LEADERS, page: ResultsPage },
];

export const homeLinks = [
  { key: 'testing-mine', path: '/testing/mine', label: 'results.link_mine', roles: ['resident'] },
  { key: 'testing-antigen', path: '/testing/antigen', label: 'results.link_antigen', roles: ['resident'] },
  { key: 'testing-followups', path: '/testing/followups', label: 'results.link_followups',
    roles: ['block_leader', 'zone_leader', 'committee'] },
];
