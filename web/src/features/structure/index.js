// The community's structure (片区与楼组): zones, blocks and who leads them. Committee staff
// lay the community out and name its leaders; zone and block leaders read their part.
// The server checks role and scope on every request; roles here only choose what is shown.
import { StructurePage } from './StructurePage.jsx';
import { LEADER_ROLES } from '../../roles.js';

const LEADERS = LEADER_ROLES;

export const routes = [
  { path: '/registry/structure', roles: LEADERS, page: StructurePage },
];

// Reached from the home of each leader role, like the registry's other pages: the
// main navigation keeps its few entries, which fit one line on a phone.
export const nav = [];

export const homeLinks = [
  { key: 'structure', path: '/registry/structure', label: 'structure.home.link', roles: LEADERS },
];
