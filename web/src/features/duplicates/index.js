// Duplicate residents (committee) and the change history of households and residents.
import { DuplicatesPage } from './DuplicatesPage.jsx';
import { HistoryPage } from './HistoryPage.jsx';
import { LEADER_ROLES } from '../../roles.js';

const LEADERS = LEADER_ROLES;

export const routes = [
  { path: '/registry/duplicates', roles: ['committee'], page: DuplicatesPage },
  { path: '/registry/history/:kind/:id', roles: LEADERS, page: HistoryPage },
];
export const homeLinks = [
  { key: 'duplicates', path: '/registry/duplicates', label: 'duplicates.link', roles: ['committee'] },
];
