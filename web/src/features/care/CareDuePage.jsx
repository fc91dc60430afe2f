// /care/due: "not checked today" — the residents of the leader's scope whose rhythm says
// a contact was due and none is recorded, per block or for all; printable to hand out.
import { useState } from 'preact/hooks';
import { useI18n } from '../../i18n/index.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { ExportLinks, LoadMore, useAllItems, usePagedList, withQuery } from '../registry/common.jsx';
import { PersonCard } from './common.jsx';

export function CareDuePage() {
  const { t, lang } = useI18n();
  const [block, setBlock] = useState(new URLSearchParams(window.location.search).get('block_id') || '');
  const blocks = useAllItems('/blocks', []);
  const params = { block_id: block };
  const list = usePagedList(withQuery('/care/due', params), [lang]);
  return (
    <main class="page page-narrow" data-testid="care-due-page">
      <h1>{t('care.due.title')}</h1>
      <p class="lead">{t('care.due.intro')}</p>
      <div class="care-filters">
        <label class="field"><span class="field-label">{t('care.field.block')}</span>
          <select value={block} onChange={(e) => setBlock(e.currentTarget.value)} data-testid="care-block-filter">
            <option value="">{t('care.all_blocks')}</option>
            {(blocks.items || []).map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
          </select></label>
      </div>
      <ErrorMessage error={blocks.error} />
      {!list.loading && !list.items.length && !list.error ? <p class="empty" data-testid="care-none">{t('care.due.none')}</p> : null}
      <ul class="care-cards">{list.items.map((p) => <PersonCard key={p.id} person={p} />)}</ul>
      <LoadMore list={list} />
      <ExportLinks path="/care/due" params={params} testId="care-exports" />
    </main>
  );
}
