// Point-to-point care (点对点关爱): leaders give each vulnerable resident a named carer and
// a rhythm, see who has nobody and who was not checked today; a carer sees their people
// of today on a phone and records each call or visit in one tap.
import { CareListPage } from './CareListPage.jsx';
import { CareDuePage } from './CareDuePage.jsx';
import { CareMinePage } from './CareMinePage.jsx';
import { CareResidentPage } from './CareResidentPage.jsx';
import { LEADERS, MEMBERS } from './common.jsx';

// The first match wins: /care/due and /care/mine before /care/residents/:id.
export const routes = [
  { path: '/care', roles: LEADERS, page: CareListPage },
  { path: '/care/due', roles: LEADERS, page: CareDuePage },
  { path: '/care/mine', roles: MEMBERS, page: CareMinePage },
  { path: '/care/residents/:id', roles: MEMBERS, page: CareResidentPage },
];

export const nav = [
  { key: 'care', path: '/care', label: 'care.nav', roles: LEADERS, order: 26 },
];

export const homeLinks = [
  { key: 'care-mine', path: '/care/mine', label: 'care.link_mine', roles: ['volunteer', 'block_leader', 'zone_leader', 'committee'] },
  { key: 'care', path: '/care', label: 'care.link_list', roles: ['block_leader', 'zone_leader', 'committee'] },
  { key: 'care-due', path: '/care/due', label: 'care.link_due', roles: ['block_leader', 'zone_leader', 'committee'] },
];
