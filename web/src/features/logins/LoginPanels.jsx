// Making logins from the app: for the holders of the posts of a zone or block (on the
// structure page) and for a resident (on their record). A new login, or a new slip for
// a login that exists, opens its printable slip in a new window (opened at the click:
// a window opened after an await is blocked) and shows the login and one-time password
// here as well, to read out on the phone. The server decides who may (committee staff;
// a zone leader for the blocks of their zones) and answers 403/404 otherwise.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import './logins.css';

// Runs a write that answers {user, slip}; sends the window opened at the click to the
// slip, or closes it when there is none (an existing login linked) or on failure.
async function withSlipWindow(request) {
  const win = window.open('', '_blank');
  try {
    const answer = await request();
    if (answer.slip && win) win.location.href = answer.slip.url;
    else if (win) win.close();
    return answer;
  } catch (failure) {
    if (win) win.close();
    throw failure;
  }
}

function SlipMade({ answer }) {
  const { t } = useI18n();
  if (!answer.slip) {
    return <p class="message message-ok" role="status" data-testid="login-linked">{t('logins.linked', { username: answer.user.username })}</p>;
  }
  return (
    <div class="message message-ok logins-made" role="status" data-testid="login-made">
      <p>{t('logins.made', { name: answer.user.display_name })}</p>
      <dl class="logins-secret">
        <dt>{t('logins.username')}</dt><dd data-testid="login-made-username">{answer.slip.username}</dd>
        <dt>{t('logins.password')}</dt><dd data-testid="login-made-password">{answer.slip.password}</dd>
        <dt>{t('logins.valid_until')}</dt><dd>{answer.slip.expires_on}</dd>
      </dl>
      <p><a class="button" href={answer.slip.url} target="_blank" rel="noopener" data-testid="login-slip-link">{t('logins.print')}</a></p>
    </div>
  );
}

// A new slip for an account that exists: its password and sessions end.
function NewSlipButton({ userId, name, onMade, testId = 'login-new-slip' }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = async () => {
    if (!window.confirm(t('logins.new_slip_confirm', { name }))) return;
    setBusy(true);
    setError(null);
    try {
      onMade(await withSlipWindow(() => api.post(`/users/${userId}/login-slip`, {})));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" class="button button-quiet" disabled={busy} data-testid={testId} onClick={run}>{t('logins.new_slip')}</button>
      <ErrorMessage error={error} testId={`${testId}-error`} />
    </>
  );
}

// The login name to give: the person's mobile number when there is one.
function NewLoginForm({ path, suggested, withRole, onMade, testId }) {
  const { t } = useI18n();
  const [username, setUsername] = useState(suggested || '');
  const [role, setRole] = useState('resident');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const body = { username: username.trim() };
    if (withRole) body.role = role;
    try {
      onMade(await withSlipWindow(() => api.post(path, body)));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="logins-form" onSubmit={submit} data-testid={testId}>
      <label class="field">
        <span class="field-label">{t('logins.username')}</span>
        <input value={username} required maxLength={64} autocapitalize="none" spellcheck={false} data-testid={`${testId}-username`}
          onInput={(event) => setUsername(event.currentTarget.value)} />
        <span class="card-meta">{t('logins.username_hint')}</span>
      </label>
      {withRole ? (
        <label class="field">
          <span class="field-label">{t('logins.role')}</span>
          <select value={role} data-testid={`${testId}-role`} onChange={(event) => setRole(event.currentTarget.value)}>
            <option value="resident">{t('logins.role.resident')}</option>
            <option value="volunteer">{t('logins.role.volunteer')}</option>
          </select>
        </label>
      ) : null}
      <ErrorMessage error={error} testId={`${testId}-error`} />
      <button type="submit" class="button button-primary" disabled={busy} data-testid={`${testId}-submit`}>{t('logins.make')}</button>
    </form>
  );
}

function positionLabel(t, post, kind) {
  if (kind === 'zone') return t(post.position === 'deputy' ? 'structure.pos.zone_deputy' : 'structure.pos.zone_leader');
  if (kind === 'courtyard') return t(post.position === 'leader' ? 'logins.pos.chair' : 'logins.pos.member');
  return t('structure.pos.block_leader');
}

// The posts of a zone or block (kind: 'zone', 'building' or 'courtyard') with their logins.
export function PostLogins({ posts, kind, onChange }) {
  const { t } = useI18n();
  const [made, setMade] = useState({});
  if (!posts.length) return <p class="structure-count" data-testid="post-logins-empty">{t('logins.no_posts')}</p>;
  const done = (postId) => (answer) => { setMade((all) => ({ ...all, [postId]: answer })); onChange?.(); };
  return (
    <ul class="logins-posts" data-testid="post-logins">
      {posts.map((post) => (
        <li key={post.id} data-testid="post-login" data-post-id={post.id}>
          <p class="logins-who"><strong>{post.name}</strong> · {positionLabel(t, post, kind)}</p>
          {made[post.id] ? <SlipMade answer={made[post.id]} /> : post.user ? (
            <p class="logins-has" data-testid="post-login-has">
              {t('logins.has', { username: post.user.username || post.user.display_name })}{' '}
              <NewSlipButton userId={post.user.id} name={post.name} onMade={done(post.id)} />
            </p>
          ) : post.resident_user_id ? (
            <p class="logins-has">
              {t('logins.resident_has')}{' '}
              <LinkExisting postId={post.id} onMade={done(post.id)} />
            </p>
          ) : (
            <NewLoginForm path={`/posts/${post.id}/login`} suggested={post.resident?.phone || ''} onMade={done(post.id)}
              testId="post-login-form" />
          )}
        </li>
      ))}
    </ul>
  );
}

function LinkExisting({ postId, onMade }) {
  const { t } = useI18n();
  const [error, setError] = useState(null);
  const run = async () => {
    setError(null);
    try {
      onMade(await api.post(`/posts/${postId}/login`, {}));
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <>
      <button type="button" class="button button-quiet" data-testid="post-login-link" onClick={run}>{t('logins.use_existing')}</button>
      <ErrorMessage error={error} />
    </>
  );
}

// A resident's login, on their record: the login they have (and a new slip), or a form.
export function ResidentLogin({ resident, canMakeVolunteer, onChange }) {
  const { t } = useI18n();
  const [made, setMade] = useState(null);
  const done = (answer) => { setMade(answer); onChange?.(); };
  if (resident.moved_out) return null;
  return (
    <section class="section no-print" data-testid="resident-login">
      <h2>{t('logins.resident.title')}</h2>
      {made ? <SlipMade answer={made} /> : null}
      {resident.account ? (
        <p class="logins-has" data-testid="resident-login-has">
          {t('logins.has', { username: resident.account.username })}{' '}
          <NewSlipButton userId={resident.account.user_id} name={resident.name} onMade={done} />
        </p>
      ) : (
        <>
          <p class="card-meta">{t('logins.resident.explain')}</p>
          <NewLoginForm path={`/residents/${resident.id}/login`} suggested={resident.phone || ''} withRole={canMakeVolunteer}
            onMade={done} testId="resident-login-form" />
        </>
      )}
    </section>
  );
}
