// The home of a zone leader, block leader, volunteer or resident: what the role is
// about, the scopes held, and the figures the server lets this role see.
import { useI18n } from '../i18n/index.js';
import { useSession } from '../session.js';
import { DashboardTiles } from '../components/DashboardTiles.jsx';
import { HomeRoles } from './HomeRoles.jsx';
import { FeatureLinks } from '../components/FeatureLinks.jsx';
import { NextWork } from './NextWork.jsx';

export function MemberHome({ role }) {
  const { t } = useI18n();
  const { session } = useSession();
  return (
    <main class="page" data-testid={`home-${role}`}>
      <h1>{t(`home.${role}.title`)}</h1>
      <p class="lead">{t(`home.${role}.intro`)}</p>
      {role === 'block_leader' || role === 'zone_leader' ? <NextWork role={role} /> : null}
      <FeatureLinks role={role} />
      <section class="section">
        <h2>{t('roles.title')}</h2>
        <HomeRoles user={session.user} community={session.community} />
      </section>
      <section class="section">
        <h2>{t('home.figures')}</h2>
        <DashboardTiles />
      </section>
    </main>
  );
}
