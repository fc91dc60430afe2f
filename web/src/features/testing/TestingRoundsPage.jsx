// /testing: the rounds of the community (a volunteer: those they staff), newest day
// first on the page, with their state; committee staff start a new round or copy the
// last one (its scope, stations, staff and lasting exemptions).
import { useState } from 'preact/hooks';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.jsx';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { ExportLinks, LoadMore, Tabs, useRoles, usePagedList, withQuery } from '../registry/common.jsx';
import { StateBadge } from './common.jsx';

export function TestingRoundsPage() {
  const { t, lang } = useI18n();
  const { isCommittee, isLeader } = useRoles();
  const [state, setState] = useState('');
  const params = { state };
  const list = usePagedList(withQuery('/test-rounds', params), [lang]);
  const rounds = [...list.items].sort((a, b) => (b.on_day.localeCompare(a.on_day) || b.id - a.id));
  const last = list.items.length ? list.items[list.items.length - 1] : null;
  return (
    <main class="page page-narrow" data-testid="testing-rounds-page">
      <h1>{t('testing.rounds.title')}</h1>
      <p class="lead">{t('testing.rounds.intro')}</p>
      {isCommittee ? (
        <p class="testing-links">
          <Link class="button button-primary" href="/testing/new" data-testid="testing-new">{t('testing.new')}</Link>
          {last && !state ? (
            <Link class="button" href={`/testing/new?copy=${last.id}`} data-testid="testing-copy-last">
              {t('testing.copy_last')}</Link>
          ) : null}
        </p>
      ) : null}
      <Tabs current={state} onChange={setState} tabs={[
        { key: '', label: t('testing.tab.all') },
        { key: 'planned', label: t('testing.state.planned') },
        { key: 'open', label: t('testing.state.open') },
        { key: 'closed', label: t('testing.state.closed') },
      ]} />
      <ErrorMessage error={list.error} />
      {!list.loading && !list.items.length && !list.error ? <p class="empty" data-testid="testing-none">{t('testing.rounds.none')}</p> : null}
      <ul class="testing-cards">
        {rounds.map((r) => (
          <li key={r.id} class="testing-card" data-testid="testing-round" data-id={r.id}>
            <div class="testing-card-head">
              <Link class="testing-card-name" href={`/testing/${r.id}`}>{r.name}</Link>
              <StateBadge state={r.state} text={r.state_text} />
            </div>
            <span class="testing-meta">{r.on_day} · {r.kind_text}{r.kind === 'pcr_pooled' ? ` · ${t('testing.pool', { n: r.pool_size })}` : ''}
              {' · '}{t('testing.station_count', { n: r.station_count })}</span>
            {isLeader ? (
              <span class="testing-links">
                <Link href={`/testing/${r.id}/coverage`}>{t('testing.link_coverage')}</Link>
                <Link href={`/testing/${r.id}/not-tested`}>{t('testing.link_not_tested')}</Link>
              </span>
            ) : null}
          </li>
        ))}
      </ul>
      <LoadMore list={list} />
      <ExportLinks path="/test-rounds" params={params} testId="testing-exports" />
    </main>
  );
}
