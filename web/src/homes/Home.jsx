// Picks the home page for a role: the highest role the user holds unless the path
// names another one they hold (/home/volunteer for a resident who also volunteers).
import { useI18n } from '../i18n/index.js';
import { useSession } from '../session.js';
import { highestRole, roleNames } from '../roles.js';
import { NotFoundPage } from '../pages/NotFoundPage.jsx';
import { SuperuserHome } from './SuperuserHome.jsx';
import { CommitteeHome } from './CommitteeHome.jsx';
import { MemberHome } from './MemberHome.jsx';

export function Home({ role: requestedRole }) {
  const { session } = useSession();
  const user = session.user;
  const role = requestedRole || highestRole(user);
  if (!role) return <NoRoleHome />;
  if (!roleNames(user).includes(role)) return <NotFoundPage />;
  if (role === 'superuser') return <SuperuserHome />;
  if (role === 'committee') return <CommitteeHome />;
  return <MemberHome key={role} role={role} />;
}

// An account without any role yet: it can log in, but there is nothing to show.
function NoRoleHome() {
  const { t } = useI18n();
  return (
    <main class="page" data-testid="home-none">
      <h1>{t('home.none.title')}</h1>
      <p>{t('home.none.text')}</p>
    </main>
  );
}
