// Sweeps (排摸): the committee drafts a door-to-door survey of a set of households, opens
// and closes it and follows its progress; zone and block leaders record each household
// of their scope on a phone, the ones not yet reached first.
import { SweepListPage } from './SweepListPage.jsx';
import { SweepEditPage, SweepNewPage } from './SweepNewPage.jsx';
import { SweepPage } from './SweepPage.jsx';
import { SweepHouseholdsPage } from './SweepHouseholdsPage.jsx';
import { SweepRecordPage } from './SweepRecordPage.jsx';
import { SWEEP_ROLES } from './common.jsx';

// The first match wins, so /sweeps/new stands before /sweeps/:id.
export const routes = [
  { path: '/sweeps', roles: SWEEP_ROLES, page: SweepListPage },
  { path: '/sweeps/new', roles: ['committee'], page: SweepNewPage },
  { path: '/sweeps/:id', roles: SWEEP_ROLES, page: SweepPage },
  { path: '/sweeps/:id/edit', roles: ['committee'], page: SweepEditPage },
  { path: '/sweeps/:id/households', roles: SWEEP_ROLES, page: SweepHouseholdsPage },
  { path: '/sweeps/:id/households/:household', roles: SWEEP_ROLES, page: SweepRecordPage },
];

export const nav = [
  { key: 'sweeps', path: '/sweeps', label: 'sweeps.nav', roles: SWEEP_ROLES, order: 25 },
];

export const homeLinks = [
  { key: 'sweeps', path: '/sweeps', label: 'sweeps.link', roles: SWEEP_ROLES },
];
