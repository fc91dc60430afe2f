// Accounts for residents: joining with the household's invite code from the door
// plate, signing up for staff approval, resetting a password with a leader's code;
// staff approve sign-ups and leaders issue reset codes.
import { JoinPage } from './JoinPage.jsx';
import { SignupPage } from './SignupPage.jsx';
import { ResetPage } from './ResetPage.jsx';
import { SignupsPage } from './SignupsPage.jsx';
import { ResetCodesPage } from './ResetCodesPage.jsx';
import { LEADER_ROLES } from '../../roles.js';

const LEADERS = LEADER_ROLES;

export const publicRoutes = [
  { path: '/join', page: JoinPage },
  { path: '/signup', page: SignupPage },
  { path: '/reset', page: ResetPage },
];

export const routes = [
  { path: '/signups', roles: ['committee'], page: SignupsPage },
  { path: '/reset-codes', roles: LEADERS, page: ResetCodesPage },
];

export const homeLinks = [
  { key: 'join-signups', path: '/signups', label: 'join.link.signups', roles: ['committee'] },
  { key: 'join-reset-codes', path: '/reset-codes', label: 'join.link.reset_codes', roles: LEADERS },
];
