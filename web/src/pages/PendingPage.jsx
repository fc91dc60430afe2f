import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { useSession } from '../session.js';
import { Link, navigate } from '../router.jsx';
import { ErrorMessage } from '../components/ErrorMessage.jsx';
import { Loading } from '../components/Loading.jsx';
import { roleNames } from '../roles.js';
import './pending.css';

// Shown for every path to an account that holds no role yet: a resident who signed up
// and waits until the committee links the account to a household. The server answers
// such an account only "me", logout and the own password, so this page is all the app
// has for it: what was sent and when, a refresh that lets the app in once approved,
// and the way out. The sign-up itself comes from GET /me (the login answer lacks it).
export function PendingPage() {
  const { t, lang } = useI18n();
  const { session, updateSession, logout } = useSession();
  const [signup, setSignup] = useState(undefined);
  const [busy, setBusy] = useState(false);
  const [checked, setChecked] = useState(false);
  const [error, setError] = useState(null);

  const refresh = useCallback(async (byHand) => {
    setBusy(true);
    setError(null);
    try {
      const me = await api.get('/me');
      if (roleNames(me.user).length) {
        // Approved: the app takes the new roles and opens the home of the highest.
        updateSession(me);
        navigate('/home', { replace: true });
        return;
      }
      setSignup(me.pending_signup || null);
      setChecked(byHand);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }, [updateSession]);

  useEffect(() => { refresh(false); }, [refresh]);

  const timezone = session?.community?.timezone;
  const when = (value) => formatWhen(value, lang, timezone);

  let body;
  if (signup === undefined) body = error ? null : <Loading />;
  else if (signup && signup.status === 'rejected') body = <Rejected signup={signup} when={when} />;
  else if (signup) body = <Waiting signup={signup} when={when} />;
  else body = <NoSignup />;

  return (
    <main class="page page-narrow pending" data-testid="pending-page" data-status={signup ? signup.status : signup === null ? 'none' : ''}>
      {body}
      <ErrorMessage error={error} testId="pending-error" />
      {checked && signup && signup.status === 'pending' ? (
        <p class="message message-ok" role="status" data-testid="pending-still">{t('pending.still_waiting')}</p>
      ) : null}
      <div class="pending-actions">
        <button type="button" class="button button-primary button-block" disabled={busy}
          onClick={() => refresh(true)} data-testid="pending-refresh">
          {busy ? t('pending.refreshing') : t('pending.refresh')}
        </button>
        <button type="button" class="button button-block" onClick={logout} data-testid="pending-logout">
          {t('pending.logout')}
        </button>
      </div>
    </main>
  );
}

function Waiting({ signup, when }) {
  const { t } = useI18n();
  return (
    <>
      <h1>{t('pending.title')}</h1>
      <p class="lead" data-testid="pending-intro">{t('pending.intro', { community: signup.community_name })}</p>
      <Submitted signup={signup} when={when} />
      <p>{t('pending.next')}</p>
    </>
  );
}

function Rejected({ signup, when }) {
  const { t } = useI18n();
  return (
    <>
      <h1>{t('pending.rejected.title')}</h1>
      <p class="message message-error" data-testid="pending-rejected">{t('pending.rejected.text')}</p>
      {signup.reason ? (
        <p data-testid="pending-reason"><strong>{t('pending.rejected.reason')}</strong> {signup.reason}</p>
      ) : null}
      <Submitted signup={signup} when={when} />
      <p>{t('pending.rejected.join')}</p>
      <p><Link href="/join" class="button button-block" data-testid="pending-join">{t('pending.rejected.join_link')}</Link></p>
    </>
  );
}

// The person's own sign-up, read back to them: they can see at once whether the
// address they gave is the one the committee will look for.
function Submitted({ signup, when }) {
  const { t } = useI18n();
  return (
    <section class="section">
      <h2 class="pending-subtitle">{t('pending.submitted')}</h2>
      <dl class="facts pending-facts">
        <dt>{t('pending.submitted_at')}</dt>
        <dd data-testid="pending-submitted-at">{when(signup.submitted_at)}</dd>
        <dt>{t('pending.community')}</dt>
        <dd data-testid="pending-community">{signup.community_name}</dd>
        <dt>{t('pending.name')}</dt>
        <dd data-testid="pending-name">{signup.name}</dd>
        <dt>{t('pending.phone')}</dt>
        <dd data-testid="pending-phone">{signup.phone}</dd>
        <dt>{t('pending.address')}</dt>
        <dd data-testid="pending-address">{signup.claimed_address}</dd>
        {signup.decided_at ? (
          <>
            <dt>{t('pending.decided_at')}</dt>
            <dd data-testid="pending-decided-at">{when(signup.decided_at)}</dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

// An account made by staff without a role, or whose roles were taken away.
function NoSignup() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t('pending.none.title')}</h1>
      <p class="lead" data-testid="pending-none">{t('pending.none.text')}</p>
    </>
  );
}

// In the community's time zone: the committee speaks of times on its own clock.
function formatWhen(value, lang, timeZone) {
  const date = new Date(value);
  if (!value || Number.isNaN(date.getTime())) return value || '';
  const options = { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' };
  try {
    return date.toLocaleString(lang, timeZone ? { ...options, timeZone } : options);
  } catch {
    return date.toLocaleString(lang, options);
  }
}
