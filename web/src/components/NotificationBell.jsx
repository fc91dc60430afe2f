// The bell in the top bar: how many notifications wait unread (any capability's: a
// task that fits, a shift tomorrow, a place from a waitlist), read again on every page
// change and once a minute; it opens the notification centre.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { Link, usePath } from '../router.jsx';

const REFRESH_MS = 60000;

export function NotificationBell() {
  const { t } = useI18n();
  const path = usePath();
  const [unread, setUnread] = useState(0);
  useEffect(() => {
    let live = true;
    const load = () => api.get('/notifications?unread=1&limit=1', { quietUnauthenticated: true })
      .then((r) => live && setUnread(r.unread || 0), () => {});
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => { live = false; clearInterval(timer); };
  }, [path]);
  const label = unread ? t('notify.bell_n', { n: unread }) : t('notify.bell');
  return (
    <Link href="/notifications" class="button button-quiet notify-bell" aria-label={label} title={label} data-testid="notify-bell">
      <svg aria-hidden="true" width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2"
        stroke-linecap="round" stroke-linejoin="round" style="vertical-align: middle">
        <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
        <path d="M13.73 21a2 2 0 0 1-3.46 0" />
      </svg>
      {unread ? <span class="notify-count" data-testid="notify-count">{unread > 99 ? '99+' : unread}</span> : null}
    </Link>
  );
}
