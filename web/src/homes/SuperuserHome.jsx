// Instance administration: the communities this installation serves.
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
      <section class="section">
        <h2>{t('communities.title')}</h2>
        <CommunityList />
      </section>
      <section class="section">
        <h2>{t('roles.title')}</h2>
        <RoleList user={session.user} community={session.community} />
      </section>
    </main>
  );
}

const PAGE_SIZE = 100;

function CommunityList() {
  const { t } = useI18n();
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
              </span>
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
