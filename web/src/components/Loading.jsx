import { useI18n } from '../i18n/index.js';

export function Loading() {
  const { t } = useI18n();
  return (
    <p class="loading" aria-live="polite">
      {t('common.loading')}
    </p>
  );
}
