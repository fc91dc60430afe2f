// Rotation (轮值): the households of a courtyard keep its gate one a day in a fixed
// order. The committee starts a rotation; leaders record each day on a phone (done and
// the key handed on, or skipped) and call on skipped households; residents see their
// own household's days. The schedule prints for the notice board.
import { RotationListPage } from './RotationListPage.jsx';
import { RotationPage } from './RotationPage.jsx';

export const ROTATION_ROLES = ['committee', 'zone_leader', 'block_leader', 'resident'];
const LEADERS = ['committee', 'zone_leader', 'block_leader'];

export const routes = [
  { path: '/rotations', roles: ROTATION_ROLES, page: RotationListPage },
  { path: '/rotations/:id', roles: ROTATION_ROLES, page: RotationPage },
];

export const nav = [
  { key: 'rotations', path: '/rotations', label: 'rotation.nav', roles: LEADERS, order: 27 },
];

export const homeLinks = [
  { key: 'rotations', path: '/rotations', label: 'rotation.link', roles: ROTATION_ROLES },
];
