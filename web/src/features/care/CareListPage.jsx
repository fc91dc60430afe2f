// /care: the vulnerable residents of the leader's scope with their carer, or "who has
// nobody" (the default tab), by block and by flag; exportable and printable. A card
// opens the resident's care page, where the carer is named.
import { useState } from 'preact/hooks';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.jsx';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { ExportLinks, LoadMore, Tabs, useAllItems, usePagedList, withQuery } from '../registry/common.jsx';
import { CARE_FLAGS, PersonCard } from './common.jsx';

export function CareListPage() {
  const { t, lang } = useI18n();
  const search = new URLSearchParams(window.location.search);
  const [tab, setTab] = useState(search.get('carer') === 'assigned' ? 'assigned' : search.get('carer') === 'none' ? 'none' : 'all');
  const [block, setBlock] = useState(search.get('block_id') || '');
  const [flag, setFlag] = useState(CARE_FLAGS.includes(search.get('flag')) ? search.get('flag') : '');
  const blocks = useAllItems('/blocks', []);
  const params = { carer: tab === 'all' ? '' : tab, block_id: block, flag };
  const list = usePagedList(withQuery('/care/residents', params), [lang]);
  return (
    <main class="page page-narrow" data-testid="care-list-page">
      <h1>{t('care.list.title')}</h1>
      <p class="lead">{t('care.list.intro')}</p>
      <p class="care-links">
        <Link class="button" href="/care/due" data-testid="care-due-link">{t('care.link_due')}</Link>
        <Link class="button" href="/care/mine">{t('care.link_mine')}</Link>
      </p>
      <Tabs current={tab} onChange={setTab} tabs={[
        { key: 'all', label: t('care.tab.all') },
        { key: 'none', label: t('care.tab.none') },
        { key: 'assigned', label: t('care.tab.assigned') },
      ]} />
      <div class="care-filters">
        <label class="field"><span class="field-label">{t('care.field.block')}</span>
          <select value={block} onChange={(e) => setBlock(e.currentTarget.value)} data-testid="care-block-filter">
            <option value="">{t('care.all_blocks')}</option>
            {(blocks.items || []).map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
          </select></label>
        <label class="field"><span class="field-label">{t('care.field.flag')}</span>
          <select value={flag} onChange={(e) => setFlag(e.currentTarget.value)} data-testid="care-flag-filter">
            <option value="">{t('care.all_flags')}</option>
            {CARE_FLAGS.map((f) => <option key={f} value={f}>{t(`registry.flag.${f}`)}</option>)}
          </select></label>
      </div>
      <ErrorMessage error={blocks.error} />
      {!list.loading && !list.items.length && !list.error ? <p class="empty" data-testid="care-none">{t('care.none')}</p> : null}
      <ul class="care-cards">{list.items.map((p) => <PersonCard key={p.id} person={p} />)}</ul>
      <LoadMore list={list} />
      <ExportLinks path="/care/residents" params={params} testId="care-exports" />
    </main>
  );
}
