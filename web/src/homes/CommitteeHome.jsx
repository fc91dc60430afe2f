// The committee's desk (居委工作台): every current figure of the community first, then
// the pages the staff use most.
import { useI18n } from '../i18n/index.js';
import { Link } from '../router.jsx';
import { useSession } from '../session.js';
import { DashboardTiles } from '../components/DashboardTiles.jsx';
import { RoleList } from '../components/RoleList.jsx';
import { FeatureLinks } from '../components/FeatureLinks.jsx';

export function CommitteeHome() {
  const { t } = useI18n();
  const { session } = useSession();
  return (
    <main class="page" data-testid="home-committee">
      <h1>{t('home.committee.title')}</h1>
      {session.community ? <p class="lead">{session.community.name}</p> : null}
      <section class="section">
        <h2>{t('home.figures')}</h2>
        <DashboardTiles />
      </section>
      <section class="section no-print">
        <h2>{t('home.committee.links')}</h2>
        <ul class="link-list">
          <li><Link href="/dashboard" data-testid="link-dashboard">{t('home.committee.link_dashboard')}</Link></li>
          <li><Link href="/me" data-testid="link-me">{t('home.committee.link_me')}</Link></li>
        </ul>
        <FeatureLinks role="committee" />
      </section>
      <section class="section">
        <h2>{t('roles.title')}</h2>
        <RoleList user={session.user} community={session.community} />
      </section>
    </main>
  );
}
