import { useI18n } from '../i18n/index.js';

// The server's message is already in the UI language (sent as Accept-Language), so it
// is shown as it came; only errors without one get a message from the catalogue.
export function errorText(t, error) {
  if (!error) return '';
  if (error.hasServerMessage) return error.message;
  if (error.status === 0) return t('error.network');
  return t('error.generic', { status: error.status });
}

export function ErrorMessage({ error, testId = 'error' }) {
  const { t } = useI18n();
  if (!error) return null;
  return (
    <p class="message message-error" role="alert" data-testid={testId}>
      {errorText(t, error)}
    </p>
  );
}
