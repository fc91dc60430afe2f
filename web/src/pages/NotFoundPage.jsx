import { useI18n } from '../i18n/index.js';
import { Link } from '../router.jsx';

// Also shown for pages the user's roles may not use: the server answers such records
// with 404 too, so the two cases look the same.
export function NotFoundPage() {
  const { t } = useI18n();
  return (
    <main class="page" data-testid="not-found">
      <h1>{t('not_found.title')}</h1>
      <p>{t('not_found.text')}</p>
      <p>
        <Link class="button" href="/home">{t('not_found.go_home')}</Link>
      </p>
    </main>
  );
}
