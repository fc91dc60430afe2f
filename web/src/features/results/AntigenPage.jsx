// /testing/antigen: a household reports each person's antigen result for the open
// antigen round, one tap a person; once reported it shows who reported and when. A
// leader finds a household of their scope and reports on its behalf.
import { useRef, useState } from 'preact/hooks';
import { api, ApiError, newIdempotencyKey } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { useRoles, withQuery } from '../registry/common.jsx';
import { RESULTS, ResultBadge } from './common.jsx';

// Sends the photo as the raw body (api.js speaks JSON only), with the CSRF token fetched
// fresh and an Idempotency-Key, like every write.
async function uploadPhoto(sampleId, file, language) {
  const me = await api.get('/me');
  let response;
  try {
    response = await fetch(`/api/v1/test-samples/${sampleId}/photo`, {
      method: 'POST', credentials: 'same-origin', body: file,
      headers: { Accept: 'application/json', 'Accept-Language': language, 'Content-Type': 'application/octet-stream',
        'X-CSRF-Token': me.csrf_token || '', 'Idempotency-Key': newIdempotencyKey() },
    });
  } catch {
    throw new ApiError({ status: 0, code: 'network' });
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError({ status: response.status, ...(body?.error || {}) });
  return body;
}

function Photo({ reported, onDone }) {
  const { t, lang } = useI18n();
  const [state, setState] = useState({ busy: false, error: null });
  if (reported.photo) {
    return <a href={`/api/v1/test-samples/${reported.sample_id}/photo`} target="_blank" rel="noopener">{t('results.antigen.photo_open')}</a>;
  }
  async function pick(event) {
    const file = event.currentTarget.files?.[0];
    event.currentTarget.value = '';
    if (!file) return;
    setState({ busy: true, error: null });
    try {
      await uploadPhoto(reported.sample_id, file, lang);
      setState({ busy: false, error: null });
      onDone();
    } catch (error) {
      setState({ busy: false, error });
    }
  }
  return (
    <label class="field"><span class="field-label">{t('results.antigen.photo')}</span>
      <input type="file" accept="image/jpeg,image/png,image/webp" disabled={state.busy} onChange={pick}
        data-testid="results-antigen-photo" />
      <ErrorMessage error={state.error} />
    </label>
  );
}

function Person({ roundId, person, onDone }) {
  const { t } = useI18n();
  const [state, setState] = useState({ busy: false, error: null });
  const key = useRef(newIdempotencyKey());
  async function report(result) {
    setState({ busy: true, error: null });
    try {
      await api.post(`/test-rounds/${roundId}/antigen`, { resident_id: person.resident_id, result },
        { idempotencyKey: key.current });
      key.current = newIdempotencyKey();
      setState({ busy: false, error: null });
      onDone();
    } catch (error) {
      setState({ busy: false, error });
    }
  }
  const r = person.reported;
  return (
    <li class="results-card" data-testid="results-antigen-person">
      <div class="results-card-head">
        <span class="results-card-name">{person.name}</span>
        {r ? <ResultBadge result={r.result} text={r.result_text} /> : null}
      </div>
      {r ? <span class="results-meta" data-testid="results-antigen-reported">{t('results.antigen.reported', { by: r.by, at: r.at })}</span> : null}
      {r ? <Photo reported={r} onDone={onDone} /> : (
        <div class="results-set">
          {RESULTS.map((x) => (
            <button key={x} type="button" class={x === 'negative' ? 'button button-primary' : 'button'} disabled={state.busy}
              onClick={() => report(x)} data-testid={`results-antigen-${x}`}>{t(`results.result.${x}`)}</button>
          ))}
        </div>
      )}
      <ErrorMessage error={state.error} />
    </li>
  );
}

function HouseholdFinder({ onPick }) {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const [found, setFound] = useState(null);
  const [error, setError] = useState(null);
  async function find(event) {
    event.preventDefault();
    setError(null);
    try {
      setFound((await api.get(withQuery('/residents', { q, limit: 10 }))).items);
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form class="form results-section" onSubmit={find} data-testid="results-antigen-find">
      <label class="field"><span class="field-label">{t('results.antigen.find')}</span>
        <input value={q} required onInput={(e) => setQ(e.currentTarget.value)} data-testid="results-antigen-q" /></label>
      <button class="button" type="submit">{t('results.antigen.search')}</button>
      <ErrorMessage error={error} />
      <ul class="results-cards">
        {(found || []).map((r) => (
          <li key={r.id} class="results-card">
            <span>{r.name} · {r.room}</span>
            <button class="button" type="button" onClick={() => onPick(r.household_id)}>{t('results.antigen.pick')}</button>
          </li>
        ))}
      </ul>
    </form>
  );
}

export function AntigenPage() {
  const { t, lang } = useI18n();
  const { isLeader } = useRoles();
  const [household, setHousehold] = useState('');
  const [version, setVersion] = useState(0);
  const { data, error, loading } = useApiData(withQuery('/me/antigen', { household_id: household }), [lang, version]);
  return (
    <main class="page page-narrow" data-testid="results-antigen-page">
      <h1>{t('results.antigen.title')}</h1>
      <p class="lead">{t('results.antigen.intro')}</p>
      {isLeader ? <HouseholdFinder onPick={(h) => setHousehold(String(h))} /> : null}
      {loading && !data ? <Loading /> : null}
      <ErrorMessage error={error} />
      {data && !data.rounds.length ? <p class="empty" data-testid="results-antigen-none">{t('results.antigen.none')}</p> : null}
      {(data?.rounds || []).map((round) => (
        <section key={round.id} class="results-section">
          <h2>{round.name} · {round.on_day}</h2>
          {!round.people.length ? <p class="empty">{t('results.antigen.nobody')}</p> : null}
          <ul class="results-cards">
            {round.people.map((p) => <Person key={p.resident_id} roundId={round.id} person={p} onDone={() => setVersion(version + 1)} />)}
          </ul>
        </section>
      ))}
    </main>
  );
}
