// Instance administration: the communities this installation serves — add one with its
// first committee account (one write: a community is never left without someone to
// run it), and keep each one's name and time zone.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { useSession } from '../session.js';
import { ErrorMessage } from '../components/ErrorMessage.jsx';
import { Loading } from '../components/Loading.jsx';
import { RoleList } from '../components/RoleList.jsx';

export function SuperuserHome() {
  const { t } = useI18n();
  const { session } = useSession();
  return (
    <main class="page" data-testid="home-superuser">
      <h1>{t('home.superuser.title')}</h1>
      <p class="lead">{t('home.superuser.intro')}</p>
      <CommunitySection />
      <section class="section">
        <h2>{t('roles.title')}</h2>
        <RoleList user={session.user} community={session.community} />
      </section>
    </main>
  );
}

const PAGE_SIZE = 100;

const TIMEZONES = ['Asia/Shanghai', 'Asia/Urumqi', 'Asia/Hong_Kong', 'Asia/Macau', 'Asia/Taipei'];

function CommunitySection() {
  const { t } = useI18n();
  const [version, setVersion] = useState(0);
  const [adding, setAdding] = useState(false);
  const [made, setMade] = useState(null);
  return (
    <section class="section">
      <h2>{t('communities.title')}</h2>
      {made ? <p class="message message-ok" role="status" data-testid="community-made">
        {t('communities.made', { name: made.community.name, username: made.committee?.username || '—' })}</p> : null}
      {adding ? (
        <CommunityForm onCancel={() => setAdding(false)}
          onDone={(answer) => { setAdding(false); setMade(answer); setVersion(version + 1); }} />
      ) : (
        <button type="button" class="button" data-testid="community-add" onClick={() => { setMade(null); setAdding(true); }}>
          {t('communities.add')}
        </button>
      )}
      <CommunityList key={version} />
    </section>
  );
}

// Add (no `editing`): name, time zone and the first committee account; edit: name and zone.
function CommunityForm({ editing, onDone, onCancel }) {
  const { t } = useI18n();
  const [form, setForm] = useState({ name: editing?.name || '', timezone: editing?.timezone || 'Asia/Shanghai',
    username: '', display_name: '', password: '' });
  const [state, setState] = useState({ busy: false, error: null });
  const set = (name, value) => setForm({ ...form, [name]: value });
  const invalid = (name) => (state.error?.field === name ? 'true' : undefined);
  const submit = async (e) => {
    e.preventDefault();
    setState({ busy: true, error: null });
    try {
      const answer = editing
        ? await api.patch(`/communities/${editing.id}`, { name: form.name, timezone: form.timezone })
        : await api.post('/communities', { name: form.name, timezone: form.timezone, committee: {
          username: form.username, display_name: form.display_name, password: form.password } });
      setState({ busy: false, error: null });
      onDone(answer);
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  const zones = TIMEZONES.includes(form.timezone) ? TIMEZONES : [form.timezone, ...TIMEZONES];
  return (
    <form class="form" onSubmit={submit} data-testid={editing ? 'community-edit-form' : 'community-form'}>
      <label class="field"><span class="field-label">{t('communities.field.name')}</span>
        <input value={form.name} maxLength={64} required aria-invalid={invalid('name')} data-testid="community-name"
          onInput={(e) => set('name', e.currentTarget.value)} /></label>
      <label class="field"><span class="field-label">{t('communities.field.timezone')}</span>
        <select value={form.timezone} aria-invalid={invalid('timezone')} data-testid="community-timezone"
          onChange={(e) => set('timezone', e.currentTarget.value)}>
          {zones.map((z) => <option key={z} value={z}>{z}</option>)}
        </select></label>
      {editing ? null : (
        <fieldset class="form">
          <legend class="field-label">{t('communities.first_committee')}</legend>
          <label class="field"><span class="field-label">{t('communities.field.username')}</span>
            <input value={form.username} maxLength={64} required autoComplete="off" autoCapitalize="none"
              aria-invalid={invalid('committee.username')} data-testid="community-username"
              onInput={(e) => set('username', e.currentTarget.value)} /></label>
          <label class="field"><span class="field-label">{t('communities.field.display_name')}</span>
            <input value={form.display_name} maxLength={64} required aria-invalid={invalid('committee.display_name')}
              data-testid="community-display-name" onInput={(e) => set('display_name', e.currentTarget.value)} /></label>
          <label class="field"><span class="field-label">{t('communities.field.password')}</span>
            <input type="password" value={form.password} minLength={8} required autoComplete="new-password"
              aria-invalid={invalid('committee.password')} data-testid="community-password"
              onInput={(e) => set('password', e.currentTarget.value)} /></label>
          <p class="card-meta">{t('communities.password_hint')}</p>
        </fieldset>
      )}
      <ErrorMessage error={state.error} testId="community-error" />
      <div class="card-meta">
        <button type="submit" class="button button-primary" disabled={state.busy} data-testid="community-save">{t('common.save')}</button>
        <button type="button" class="button button-quiet" onClick={onCancel}>{t('communities.cancel')}</button>
      </div>
    </form>
  );
}

function CommunityList() {
  const { t } = useI18n();
  const [editing, setEditing] = useState(null);
  const [items, setItems] = useState([]);
  const [nextCursor, setNextCursor] = useState(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState(null);

  const loadPage = async (cursor, replace) => {
    setLoading(true);
    setError(null);
    try {
      const query = `?limit=${PAGE_SIZE}` + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : '');
      const page = await api.get('/communities' + query);
      setItems((previous) => (replace ? page.items : previous.concat(page.items)));
      setNextCursor(page.next_cursor || null);
    } catch (failure) {
      setError(failure);
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => { loadPage(null, true); }, []);

  if (loading && items.length === 0) return <Loading />;
  return (
    <>
      <ErrorMessage error={error} />
      {items.length === 0 && !error ? <p class="empty" data-testid="communities-empty">{t('communities.empty')}</p> : null}
      {items.length > 0 ? (
        <ul class="card-list" data-testid="community-list">
          {items.map((community) => (
            <li key={community.id} class="card" data-testid="community-item">
              <span class="card-title">{community.name}</span>
              <span class="card-meta">
                {t('communities.id', { id: community.id })} · {t('communities.timezone', { timezone: community.timezone })}
                {' · '}{community.committee_accounts
                  ? t('communities.committee_accounts', { n: community.committee_accounts })
                  : <strong>{t('communities.no_committee')}</strong>}
              </span>
              {editing === community.id ? (
                <CommunityForm editing={community} onCancel={() => setEditing(null)}
                  onDone={(answer) => {
                    setItems(items.map((c) => (c.id === community.id ? answer.community : c)));
                    setEditing(null);
                  }} />
              ) : (
                <button type="button" class="button button-quiet" data-testid="community-edit"
                  aria-label={t('communities.edit_named', { name: community.name })} onClick={() => setEditing(community.id)}>
                  {t('communities.edit')}
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      {nextCursor ? (
        <button type="button" class="button button-block" disabled={loading} onClick={() => loadPage(nextCursor, false)}>
          {t('common.load_more')}
        </button>
      ) : null}
    </>
  );
}
