// The top bar: the app's name and community, the pages this user's roles may use, the
// language switch and logout. Before login it shows only the name and the switch.
import { useI18n } from '../i18n/index.js';
import { Link, usePath } from '../router.jsx';
import { navItemsFor } from '../roles.js';
import { FEATURE_NAV } from '../features.js';
import { useSession } from '../session.js';
import { LanguageToggle } from './LanguageToggle.jsx';
import { NotificationBell } from './NotificationBell.jsx';

export function AppHeader() {
  const { t } = useI18n();
  const { session, logout } = useSession();
  const user = session?.user;
  return (
    <header class="app-header">
      <div class="app-bar">
        <div class="brand">
          <span class="brand-name">{t('app.name')}</span>
          {session?.community ? <span class="brand-community">{session.community.name}</span> : null}
        </div>
        <div class="app-bar-actions">
          {user ? <NotificationBell /> : null}
          <LanguageToggle />
          {user ? (
            <button type="button" class="button button-quiet" data-testid="logout" onClick={logout}>
              {t('nav.logout')}
            </button>
          ) : null}
        </div>
      </div>
      {user ? <MainNav user={user} /> : null}
    </header>
  );
}

function MainNav({ user }) {
  const { t } = useI18n();
  const path = usePath();
  return (
    <nav class="main-nav" aria-label={t('nav.label')} data-testid="main-nav">
      <ul>
        {navItemsFor(user, FEATURE_NAV).map((item) => {
          const current = path === item.path || path.startsWith(item.path + '/');
          return (
            <li key={item.key}>
              <Link
                href={item.path}
                data-testid={`nav-${item.key}`}
                aria-current={current ? 'page' : undefined}
              >
                {t(item.label)}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
