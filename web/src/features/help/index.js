// Help requests (求助): a resident asks (or a leader for someone without a smartphone),
// the block leader acknowledges, and nothing asked is lost: overdue ones climb to the
// zone leader and the committee on the server's clock.
import { HelpListPage } from './HelpListPage.jsx';
import { HelpNewPage } from './HelpNewPage.jsx';
import { HelpRequestPage } from './HelpRequestPage.jsx';
import { GatePage } from './GatePage.jsx';
import { MedicineRunPage, MedicineRunsPage } from './MedicinePage.jsx';
import { ASKERS, LEADERS, MEMBERS } from './common.jsx';

// The first match wins: /help/new before /help/:id.
export const routes = [
  { path: '/help', roles: MEMBERS, page: HelpListPage },
  { path: '/help/new', roles: ASKERS, page: HelpNewPage },
  { path: '/help/medicine', roles: [...LEADERS, 'volunteer'], page: MedicineRunsPage },
  { path: '/help/medicine/:id', roles: [...LEADERS, 'volunteer'], page: MedicineRunPage },
  { path: '/help/gate', roles: [...LEADERS, 'volunteer'], page: GatePage },
  { path: '/help/:id', roles: MEMBERS, page: HelpRequestPage },
];

export const nav = [
  { key: 'help', path: '/help', label: 'help.nav', roles: LEADERS, order: 25 },
];

export const homeLinks = [
  { key: 'help-new', path: '/help/new', label: 'help.link_new', roles: ['resident', 'block_leader', 'zone_leader', 'committee'] },
  { key: 'help-medicine', path: '/help/medicine', label: 'med.link', roles: ['block_leader', 'zone_leader', 'committee'] },
  { key: 'help-gate', path: '/help/gate', label: 'help.gate.link', roles: ['volunteer', 'block_leader', 'zone_leader', 'committee'] },
  { key: 'help', path: '/help', label: 'help.link_list', roles: ['resident', 'volunteer', 'block_leader', 'zone_leader', 'committee'] },
];
