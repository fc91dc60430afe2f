import { useI18n } from '../i18n/index.js';
import { useSession } from '../session.js';
import { DashboardTiles } from '../components/DashboardTiles.jsx';

export function DashboardPage() {
  const { t } = useI18n();
  const { session } = useSession();
  return (
    <main class="page" data-testid="dashboard-page">
      <h1>{t('dashboard.title')}</h1>
      {session?.community ? <p class="lead">{session.community.name}</p> : null}
      <DashboardTiles />
      <p class="no-print">
        <button type="button" class="button" onClick={() => window.print()}>
          {t('common.print')}
        </button>
      </p>
    </main>
  );
}
