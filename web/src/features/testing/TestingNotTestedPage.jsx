// /testing/:id/not-tested: the people of the leader's scope the round still expects,
// by block, with a phone to tap and one button per call outcome (the last mark shows);
// printed per block, the sheet to tick off.
import { useRef, useState } from 'preact/hooks';
import { api, newIdempotencyKey } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.jsx';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { useAction } from '../../components/useAction.js';
import { placeName } from '../../components/place.js';
import { ExportLinks, LoadMore, Phone, Tabs, useAllItems, usePagedList, withQuery } from '../registry/common.jsx';
import { CALL_OUTCOMES } from './common.jsx';

function Person({ roundId, person, onDone }) {
  const { t } = useI18n();
  const key = useRef(newIdempotencyKey());
  const action = useAction(() => { key.current = newIdempotencyKey(); onDone(); });
  const call = (outcome) => action.run(() => api.post(`/test-rounds/${roundId}/calls`,
    { resident_id: person.resident_id, outcome }, { idempotencyKey: key.current }));
  return (
    <li class="testing-card" data-testid="testing-person" data-id={person.resident_id}>
      <div class="testing-card-head">
        <span class="testing-card-name">{person.name}</span>
        {person.door_to_door ? <span class="testing-badge">{person.door_text}</span> : null}
      </div>
      <span class="testing-meta">{placeName(person)}{person.phone ? ' · ' : ''}<Phone number={person.phone} testId="testing-phone" /></span>
      <span class="testing-meta" data-testid="testing-last-call">{person.called
        ? t('testing.call.last', { outcome: person.last_call_text, at: person.last_call_at, by: person.last_call_by })
        : t('testing.call.never')}</span>
      <div class="testing-calls" role="group" aria-label={t('testing.call.mark', { name: person.name })}>
        {CALL_OUTCOMES.map((o) => (
          <button key={o} type="button" class={o === 'coming' ? 'button button-primary' : 'button'} disabled={action.busy}
            onClick={() => call(o)} data-testid={`testing-call-${o}`}>{t(`testing.call.${o}`)}</button>
        ))}
      </div>
      <ErrorMessage error={action.error} />
    </li>
  );
}

export function TestingNotTestedPage({ params }) {
  const { t, lang } = useI18n();
  const search = new URLSearchParams(window.location.search);
  const [block, setBlock] = useState(search.get('block_id') || '');
  const [called, setCalled] = useState('');
  const blocks = useAllItems('/blocks', []);
  const filters = { block_id: block, called };
  const path = `/test-rounds/${encodeURIComponent(params.id)}/not-tested`;
  const list = usePagedList(withQuery(path, filters), [lang]);
  return (
    <main class="page page-narrow" data-testid="testing-not-tested-page">
      <h1>{t('testing.not_tested.title')}</h1>
      <p class="lead">{t('testing.not_tested.intro')}</p>
      <div class="testing-filters">
        <label class="field"><span class="field-label">{t('testing.field.block')}</span>
          <select value={block} onChange={(e) => setBlock(e.currentTarget.value)} data-testid="testing-block-filter">
            <option value="">{t('testing.all_blocks')}</option>
            {(blocks.items || []).map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
          </select></label>
      </div>
      <Tabs current={called} onChange={setCalled} tabs={[
        { key: '', label: t('testing.tab.all') },
        { key: '0', label: t('testing.tab.not_called') },
        { key: '1', label: t('testing.tab.called') },
      ]} />
      <ErrorMessage error={list.error || blocks.error} />
      {!list.loading && !list.items.length && !list.error ? <p class="empty" data-testid="testing-all-done">{t('testing.not_tested.none')}</p> : null}
      <ul class="testing-cards">
        {list.items.map((p) => <Person key={p.resident_id} roundId={params.id} person={p} onDone={list.reload} />)}
      </ul>
      <LoadMore list={list} />
      <ExportLinks path={path} params={filters} testId="testing-not-tested-exports" />
      <p class="testing-links">
        <Link class="button button-quiet" href={`/testing/${encodeURIComponent(params.id)}/coverage`}>{t('testing.link_coverage')}</Link>
      </p>
    </main>
  );
}
