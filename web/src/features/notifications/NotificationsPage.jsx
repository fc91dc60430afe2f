// /notifications: what the app has to tell this person, newest first, unread ones marked;
// opening one marks it read and goes where it leads (the shift to confirm, the task).
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { navigate } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import './notifications.css';

// The day-before question answered right here: yes, or can't come (the place goes to
// the waitlist).
// A colleague's swap answered here: take the shift (or exchange), or not.
function SwapAnswer({ n, onDone }) {
  const { t } = useI18n();
  const [state, setState] = useState({ busy: false, message: '', error: null });
  async function answer(accept) {
    setState({ busy: true, message: '', error: null });
    try {
      const r = await api.post(`/swaps/${n.params.swap_id}/answer`, { accept });
      await api.post('/notifications/read', { ids: [n.id] }).catch(() => null);
      setState({ busy: false, message: '', error: null });
      onDone(r.message);
    } catch (error) {
      setState({ busy: false, message: '', error });
    }
  }
  return (
    <div class="vol-card-actions" style="margin: 0.4rem 0 0.8rem">
      <button class="button button-primary" disabled={state.busy} onClick={() => answer(true)} data-testid="swap-accept">{t('notify.swap_accept')}</button>
      <button class="button" disabled={state.busy} onClick={() => answer(false)} data-testid="swap-decline">{t('notify.swap_decline')}</button>
      {state.message ? <p class="message message-ok" role="status">{state.message}</p> : null}
      <ErrorMessage error={state.error} />
    </div>
  );
}

function ShiftAnswer({ n, onDone }) {
  const { t } = useI18n();
  const [state, setState] = useState({ busy: false, message: '', error: null });
  async function answer(value) {
    setState({ busy: true, message: '', error: null });
    try {
      const r = await api.post(`/shifts/${n.params.shift_id}/confirm`, { answer: value });
      await api.post('/notifications/read', { ids: [n.id] }).catch(() => null);
      setState({ busy: false, message: r.message, error: null });
      onDone();
    } catch (error) {
      setState({ busy: false, message: '', error });
    }
  }
  return (
    <div class="vol-card-actions" style="margin: 0.4rem 0 0.8rem">
      <button class="button button-primary" disabled={state.busy} onClick={() => answer('yes')} data-testid="notify-confirm">{t('notify.confirm')}</button>
      <button class="button" disabled={state.busy} onClick={() => answer('no')} data-testid="notify-decline">{t('notify.decline')}</button>
      {state.message ? <p class="message message-ok" role="status">{state.message}</p> : null}
      <ErrorMessage error={state.error} />
    </div>
  );
}


export function NotificationsPage() {
  const { t, lang } = useI18n();
  const { data, error, loading, reload } = useApiData('/notifications?limit=100', [lang]);
  // The answer to a swap, above the list: its notification is read now and loses its buttons.
  const [notice, setNotice] = useState('');
  async function open(n) {
    if (!n.read) await api.post('/notifications/read', { ids: [n.id] }).catch(() => null);
    if (n.link) navigate(n.link); else reload();
  }
  return (
    <main class="page page-narrow" data-testid="notifications-page">
      <h1>{t('notify.title')}</h1>
      {data && data.unread ? (
        <p><button class="button" data-testid="notify-read-all"
          onClick={() => api.post('/notifications/read', { all: true }).then(reload, reload)}>{t('notify.read_all')}</button></p>
      ) : null}
      {notice ? <p class="message message-ok" role="status" data-testid="notify-notice">{notice}</p> : null}
      {loading && !data ? <Loading /> : null}
      <ErrorMessage error={error} />
      {data && data.items.length === 0 ? <p class="empty">{t('notify.none')}</p> : null}
      <ul class="card-list">
        {(data?.items || []).map((n) => (
          <li key={n.id} data-testid="notification" data-kind={n.kind} data-read={n.read ? '1' : '0'}>
            <button type="button" class={`notify-item${n.read ? '' : ' notify-unread'}`} onClick={() => open(n)}>
              {n.read ? '' : '● '}{n.text}
              <span class="notify-when"> · {n.created_text.slice(5)}</span>
            </button>
            {n.kind === 'shift_tomorrow' && n.params.shift_id ? <ShiftAnswer n={n} onDone={reload} /> : null}
            {(n.kind === 'swap_asked' || n.kind === 'swap_exchange') && n.params.swap_id && !n.read
              ? <SwapAnswer n={n} onDone={(message) => { setNotice(message || ''); reload(); }} /> : null}
          </li>
        ))}
      </ul>
    </main>
  );
}
