// /testing/tubes/:id: the tracing list of one tube — its up-to-ten people with room, block
// and follow-up. Phones show masked until the leader asks for them (an audited reveal);
// then each is a tap to call.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { Phone } from '../registry/common.jsx';
import { placeName } from '../../components/place.js';
import { FollowupButtons, ResultBadge } from './common.jsx';

export function TubePage({ params }) {
  const { t, lang } = useI18n();
  const id = encodeURIComponent(params.id);
  const { data, error, loading, reload } = useApiData(`/test-tubes/${id}/people`, [lang]);
  const [revealed, setRevealed] = useState(null);
  const [state, setState] = useState({ busy: false, error: null });
  async function reveal() {
    setState({ busy: true, error: null });
    try {
      setRevealed(await api.post(`/test-tubes/${id}/people/reveal`, {}));
      setState({ busy: false, error: null });
    } catch (err) {
      setState({ busy: false, error: err });
    }
  }
  if (loading && !data) return <main class="page page-narrow"><Loading /></main>;
  if (!data) return <main class="page page-narrow"><ErrorMessage error={error} /></main>;
  const shown = revealed || data;
  const tube = shown.tube;
  return (
    <main class="page page-narrow" data-testid="results-tube-page">
      <h1>{t('results.tube.title', { code: tube.code })} <ResultBadge result={tube.result} text={tube.result_text} /></h1>
      <p class="lead">{tube.station_name} · {t('results.samples', { n: tube.samples })}</p>
      {!revealed ? (
        <p><button type="button" class="button button-primary button-block" disabled={state.busy} onClick={reveal}
          data-testid="results-reveal">{t('results.tube.reveal')}</button></p>
      ) : <p class="results-meta">{t('results.tube.revealed')}</p>}
      <ErrorMessage error={state.error} />
      <ul class="results-cards" data-testid="results-people">
        {shown.people.map((p) => (
          <li key={p.sample_id} class="results-card" data-testid="results-person">
            <div class="results-card-head">
              <span class="results-card-name">{p.name}</span>
              {p.followup ? <span class="results-badge">{p.followup.state_text}</span> : null}
            </div>
            <span class="results-meta">{[p.zone_name, placeName(p)].filter(Boolean).join(' · ')}</span>
            {p.phone_full ? <span class="results-people-call"><Phone number={p.phone} testId="results-call" /></span>
              : <span class="results-meta">{p.phone}</span>}
            {p.followup ? <FollowupButtons followup={p.followup} onDone={() => { setRevealed(null); reload(); }} /> : null}
          </li>
        ))}
      </ul>
    </main>
  );
}
