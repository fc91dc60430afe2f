// Roles from the highest to the lowest: a user who holds several sees the home of the
// highest one first, and may open the home of any other role they hold. The server's
// list (`shouwang roles --json`, from src/http/roles.h) must be the same: a test compares.
export const ROLE_ORDER = ['superuser', 'committee', 'zone_leader', 'block_leader', 'volunteer', 'resident'];

export function roleNames(user) {
  const held = new Set((user?.roles || []).map((assignment) => assignment.role));
  return ROLE_ORDER.filter((role) => held.has(role));
}

export function highestRole(user) {
  return roleNames(user)[0] || null;
}

export function hasAnyRole(user, roles) {
  const held = roleNames(user);
  return roles.some((role) => held.includes(role));
}

// Community roles: everyone except the instance-wide superuser.
export const COMMUNITY_ROLES = ROLE_ORDER.filter((role) => role !== 'superuser');

// The people who run the community and its zones and blocks: the registry, the sweeps,
// the structure and the codes pages are theirs.
export const LEADER_ROLES = ['committee', 'zone_leader', 'block_leader'];

// The full figures page is for the leaders; volunteers and residents see the figures
// meant for them on their home page.
export const DASHBOARD_ROLES = LEADER_ROLES;

// Shown whenever the page uses any part of the navigation; `roles` says who may use it.
// Features add their own entries (order: a number; home 0, dashboard 10, me 100).
export const NAV_ITEMS = [
  { key: 'home', path: '/home', label: 'nav.home', roles: ROLE_ORDER, order: 0 },
  { key: 'dashboard', path: '/dashboard', label: 'nav.dashboard', roles: DASHBOARD_ROLES, order: 10 },
  { key: 'me', path: '/me', label: 'nav.me', roles: ROLE_ORDER, order: 100 },
];

export function navItemsFor(user, extra = []) {
  return [...NAV_ITEMS, ...extra]
    .filter((item) => hasAnyRole(user, item.roles))
    .sort((a, b) => (a.order ?? 50) - (b.order ?? 50));
}
