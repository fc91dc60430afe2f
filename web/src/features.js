// Capabilities add pages without editing the shell: each web/src/features/<name>/index.js
// exports any of
//   routes:    [{ path: '/registry/households/:id', roles: [...], page: Component }]
//   nav:       [{ key, path, label, roles, order }]   entries of the main navigation
//   homeLinks: [{ key, path, label, roles }]          shortcuts on the role homes
//   publicRoutes: [{ path, page }]                    pages shown without a session
// and its strings in web/src/features/<name>/i18n/{zh-CN,en}.json.
import { hasAnyRole } from './roles.js';

const modules = import.meta.glob('./features/*/index.js', { eager: true });
const features = Object.keys(modules).sort().map((file) => modules[file]);

function compile(path) {
  const names = [];
  const source = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\?:(\w+)/g, (whole, name) => {
    names.push(name);
    return '([^/]+)';
  });
  return { regex: new RegExp('^' + source + '$'), names };
}

function compiled(list) {
  return list.map((route) => ({ ...route, ...compile(route.path) }));
}

const ROUTES = compiled(features.flatMap((feature) => feature.routes || []));
const PUBLIC_ROUTES = compiled(features.flatMap((feature) => feature.publicRoutes || []));

function match(list, path) {
  for (const route of list) {
    const found = route.regex.exec(path);
    if (!found) continue;
    const params = {};
    route.names.forEach((name, index) => { params[name] = decodeURIComponent(found[index + 1]); });
    return { route, params };
  }
  return null;
}

// The feature page for a path that this user's roles may open, or null.
export function matchFeatureRoute(path, user) {
  const found = match(ROUTES, path);
  if (!found || !hasAnyRole(user, found.route.roles)) return null;
  return found;
}

export function matchPublicRoute(path) {
  return match(PUBLIC_ROUTES, path);
}

export const FEATURE_NAV = features.flatMap((feature) => feature.nav || []);

export function featureHomeLinks(role) {
  return features.flatMap((feature) => feature.homeLinks || []).filter((link) => link.roles.includes(role));
}
