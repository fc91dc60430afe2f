// The roles on a member's home, each scope by its name: a block leader reads
// "1号楼1单元", not "楼组 #1"; a resident reads the block and room of the household. The
// names come from the registry (one small read per scope, the few a person holds);
// until they arrive, or when the role may not read that record, the numbered text of
// RoleList stands in.
import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../i18n/index.js';
import { Link } from '../router.jsx';
import { roleNames } from '../roles.js';
import { api } from '../api.js';
import { scopeText } from '../components/RoleList.jsx';
import { placeName } from '../components/place.js';

// GET path and how to name the record it answers, per scope kind.
const READERS = {
  zone: { path: (id) => `/zones/${id}`, name: (json) => json.zone?.name },
  block: { path: (id) => `/blocks/${id}`, name: (json) => json.block?.name },
  household: {
    path: (id) => `/households/${id}`,
    name: (json) => {
      const h = json.household;
      return h ? placeName(h) : null;
    },
  },
};

export function useScopeNames(assignments) {
  const [names, setNames] = useState({});
  const wanted = (assignments || []).filter((a) => READERS[a.scope_kind] && a.scope_id != null)
    .map((a) => `${a.scope_kind}:${a.scope_id}`);
  const key = [...new Set(wanted)].sort().join(',');
  useEffect(() => {
    let live = true;
    for (const scope of key ? key.split(',') : []) {
      const [kind, id] = scope.split(':');
      api.get(READERS[kind].path(id)).then((json) => {
        const name = READERS[kind].name(json || {});
        if (live && name) setNames((previous) => ({ ...previous, [scope]: name }));
      }).catch(() => { /* not readable by this role: the numbered text stays */ });
    }
    return () => { live = false; };
  }, [key]);
  return names;
}

export function HomeRoles({ user, community }) {
  const { t } = useI18n();
  const assignments = user?.roles || [];
  const names = useScopeNames(assignments);
  const several = roleNames(user).length > 1;
  if (assignments.length === 0) return <p class="empty">{t('roles.none')}</p>;
  return (
    <ul class="role-list" data-testid="role-list">
      {assignments.map((assignment) => {
        const scope = `${assignment.scope_kind}:${assignment.scope_id}`;
        return (
          <li key={`${assignment.role}:${scope}`} data-role={assignment.role}>
            <span class="role-name">{t(`role.${assignment.role}`)}</span>
            <span class="role-scope" data-testid="role-scope" data-scope={scope}>
              {names[scope] || scopeText(t, assignment, community)}
            </span>
            {several ? (
              <Link class="role-home-link" href={`/home/${assignment.role}`}
                aria-label={t('roles.open_home_of', { role: t(`role.${assignment.role}`) })}>
                {t('roles.open_home')}
              </Link>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
