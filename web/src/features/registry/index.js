// The registry's pages (住户): search, blocks, one block's lists, households, residents,
// and a resident's own household. Roles here only choose what is offered; the server
// checks role and scope on every request.
import { RegistryPage } from './RegistryPage.jsx';
import { BlocksPage } from './BlocksPage.jsx';
import { BlockPage } from './BlockPage.jsx';
import { HouseholdPage } from './HouseholdPage.jsx';
import { ResidentPage } from './ResidentPage.jsx';
import { MyHouseholdPage } from './MyHouseholdPage.jsx';
import { LEADER_ROLES } from '../../roles.js';

const LEADERS = LEADER_ROLES;

export const routes = [
  { path: '/registry', roles: LEADERS, page: RegistryPage },
  { path: '/registry/blocks', roles: LEADERS, page: BlocksPage },
  { path: '/registry/blocks/:id', roles: LEADERS, page: BlockPage },
  { path: '/registry/households/:id', roles: LEADERS, page: HouseholdPage },
  { path: '/registry/residents/:id', roles: LEADERS, page: ResidentPage },
  { path: '/registry/my-household', roles: ['resident'], page: MyHouseholdPage },
];

export const nav = [
  { key: 'registry', path: '/registry', label: 'registry.nav', roles: LEADERS, order: 20 },
];

export const homeLinks = [
  { key: 'registry-search', path: '/registry', label: 'registry.home.find', roles: LEADERS },
  { key: 'registry-blocks', path: '/registry/blocks', label: 'registry.home.blocks', roles: LEADERS },
  { key: 'registry-my-household', path: '/registry/my-household', label: 'registry.home.my_household', roles: ['resident'] },
];
