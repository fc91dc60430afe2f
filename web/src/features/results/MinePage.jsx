// /testing/mine: a household's own testing record — every sample of its people, the
// round and day, and the result (the tube's for PCR, the reported one for antigen;
// "awaited" until the lab answers). What a resident is asked at a gate or by a doctor.
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.jsx';
import { ExportLinks, LoadMore, usePagedList } from '../registry/common.jsx';
import { ResultBadge } from './common.jsx';

export function MinePage() {
  const { t, lang } = useI18n();
  const list = usePagedList('/me/tests', [lang]);
  return (
    <main class="page page-narrow" data-testid="results-mine-page">
      <h1>{t('results.mine.title')}</h1>
      <p class="lead">{t('results.mine.intro')}</p>
      <p><Link href="/testing/antigen">{t('results.link_antigen')}</Link></p>
      {!list.loading && !list.items.length && !list.error
        ? <p class="empty" data-testid="results-mine-none">{t('results.mine.none')}</p> : null}
      <ul class="results-cards">
        {list.items.map((s) => (
          <li key={s.id} class="results-card" data-testid="results-mine-item">
            <div class="results-card-head">
              <span class="results-card-name">{s.name}</span>
              {s.result ? <ResultBadge result={s.result} text={s.result_text} />
                : <span class="results-badge">{t('results.mine.awaited')}</span>}
            </div>
            <span class="results-meta">{s.on_day} · {s.round_name} · {s.kind_text}</span>
          </li>
        ))}
      </ul>
      <LoadMore list={list} />
      <ExportLinks path="/me/tests" testId="results-mine-exports" />
    </main>
  );
}
