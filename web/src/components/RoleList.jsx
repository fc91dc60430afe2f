// The roles a user holds, each with its scope, and a link to that role's home when the
// user holds more than one (a resident who also volunteers can reach both pages).
import { useI18n } from '../i18n/index.js';
import { Link } from '../router.jsx';
import { roleNames } from '../roles.js';

export function scopeText(t, assignment, community) {
  const kind = assignment.scope_kind;
  if (kind === 'global') return t('scope.global');
  if (kind === 'community' && community && community.id === assignment.scope_id) {
    return t('scope.community_named', { name: community.name });
  }
  if (assignment.scope_name) return assignment.scope_name;
  return t(`scope.${kind}`, { id: assignment.scope_id });
}

export function RoleList({ user, community }) {
  const { t } = useI18n();
  const assignments = user?.roles || [];
  const several = roleNames(user).length > 1;
  if (assignments.length === 0) return <p class="empty">{t('roles.none')}</p>;
  return (
    <ul class="role-list" data-testid="role-list">
      {assignments.map((assignment) => (
        <li key={`${assignment.role}:${assignment.scope_kind}:${assignment.scope_id}`} data-role={assignment.role}>
          <span class="role-name">{t(`role.${assignment.role}`)}</span>
          <span class="role-scope">{scopeText(t, assignment, community)}</span>
          {several ? (
            <Link
              class="role-home-link"
              href={`/home/${assignment.role}`}
              aria-label={t('roles.open_home_of', { role: t(`role.${assignment.role}`) })}
            >
              {t('roles.open_home')}
            </Link>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
