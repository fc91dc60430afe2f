// 我家: a resident's own household and its people. The server scopes a resident to
// their household, so the list of households holds exactly theirs.
import { useI18n } from '../../i18n/index.js';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { useAllItems } from './common.jsx';
import { HouseholdView } from './HouseholdPage.jsx';

export function MyHouseholdPage() {
  const { t } = useI18n();
  const households = useAllItems('/households');
  if (households.items === null) return <main class="page"><Loading /></main>;
  return (
    <main class="page" data-testid="my-household-page">
      <ErrorMessage error={households.error} />
      {households.items.length === 0 && !households.error ? <p class="empty" data-testid="my-household-none">{t('registry.my.none')}</p> : null}
      {households.items.map((household) => <OneHousehold key={household.id} id={household.id} />)}
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
    </div>
  );
}
