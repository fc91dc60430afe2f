// /volunteer/checkin: check in or out at a post by scanning its QR code. The live camera
// needs a secure origin (HTTPS); a photo of the code works everywhere (the phone's own
// camera app through the file picker), and the code can be typed as a last resort.
// Decoding is jsQR's, in the browser: the picture never leaves the phone.
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.jsx';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { QrReader } from '../../components/QrReader.jsx';
import { Message, useAction } from './common.jsx';

export function CheckinPage() {
  const { t } = useI18n();
  const action = useAction();
  const labels = {
    noCode: t('vol.checkin.no_code'), camera: t('vol.checkin.camera'), stop: t('vol.checkin.stop'),
    photo: t('vol.checkin.photo'), type: t('vol.checkin.type'), send: t('vol.checkin.send'),
  };
  return (
    <main class="page page-narrow" data-testid="checkin-page">
      <h1>{t('vol.checkin.title')}</h1>
      <p class="lead">{t('vol.checkin.intro')}</p>
      <Message text={action.message} testId="checkin-message" />
      <ErrorMessage error={action.error} testId="checkin-error" />
      <QrReader onCode={(text) => action.run(() => api.post('/checkin', { code: text }))} busy={action.busy} testId="checkin" labels={labels} />
      <p><Link href="/volunteer">{t('vol.back_home')}</Link></p>
    </main>
  );
}
