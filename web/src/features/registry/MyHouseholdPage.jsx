// 我家: a resident's own household and its people. The households are the scopes of
// the user's resident role; someone who is also a leader would otherwise get every
// household they lead from GET /households.
import { useI18n } from '../../i18n/index.js';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { Phone } from './common.jsx';
import { useSession } from '../../session.js';
import { HouseholdView } from './HouseholdPage.jsx';

export function MyHouseholdPage() {
  const { t } = useI18n();
  const { session } = useSession();
  const ids = (session?.user?.roles || [])
    .filter((role) => role.role === 'resident' && role.scope_kind === 'household' && role.scope_id)
    .map((role) => role.scope_id);
  return (
    <main class="page" data-testid="my-household-page">
      {ids.length === 0 ? <p class="empty" data-testid="my-household-none">{t('registry.my.none')}</p> : null}
      {ids.map((id) => <OneHousehold key={id} id={id} />)}
    </main>
  );
}

function OneHousehold({ id }) {
  const { t } = useI18n();
  const { data, error, loading } = useApiData(`/households/${id}`);
  if (loading && !data) return <Loading />;
  if (error) return <ErrorMessage error={error} />;
  return (
    <div data-testid="my-household" data-id={id}>
      <HouseholdView household={data.household} title={t('registry.my.title', { room: data.household.room })} />
      <section class="section" data-testid="my-block-leaders">
        <h2>{t('registry.my.leaders')}</h2>
        {(data.household.block_leaders || []).length === 0 ? <p class="empty">{t('registry.my.no_leader')}</p> : (
          <ul class="card-list">
            {data.household.block_leaders.map((l) => (
              <li key={`${l.position}:${l.name}`} class="card">
                <strong>{l.name}</strong> <span class="card-meta">{t(`registry.my.position.${l.position}`)}</span>
                {l.phone ? <div><Phone number={l.phone} testId="leader-phone" /></div> : null}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
