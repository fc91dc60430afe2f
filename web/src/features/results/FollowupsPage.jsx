// /testing/followups: the people of positive tubes (and positive antigen reports) in the
// leader's scope and where each stands; open and in re-test first, printable to hand out.
import { useState } from 'preact/hooks';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.jsx';
import { ExportLinks, LoadMore, usePagedList, withQuery } from '../registry/common.jsx';
import { placeName } from '../../components/place.js';
import { FOLLOWUP_STATES, FollowupButtons } from './common.jsx';

export function FollowupsPage() {
  const { t, lang } = useI18n();
  const [state, setState] = useState('active');
  const [version, setVersion] = useState(0);
  const params = { state };
  const list = usePagedList(withQuery('/test-followups', params), [lang, version]);
  return (
    <main class="page page-narrow" data-testid="results-followups-page">
      <h1>{t('results.fu.title')}</h1>
      <p class="lead">{t('results.fu.intro')}</p>
      <div class="results-filters">
        <label class="field"><span class="field-label">{t('results.field.state')}</span>
          <select value={state} onChange={(e) => setState(e.currentTarget.value)} data-testid="results-fu-filter">
            <option value="active">{t('results.fu.active')}</option>
            <option value="">{t('results.all')}</option>
            {FOLLOWUP_STATES.map((s) => <option key={s} value={s}>{t(`results.fu.${s}`)}</option>)}
          </select></label>
      </div>
      {!list.loading && !list.items.length && !list.error ? <p class="empty" data-testid="results-fu-none">{t('results.fu.none')}</p> : null}
      <ul class="results-cards">
        {list.items.map((f) => (
          <li key={f.id} class="results-card" data-testid="results-fu-item">
            <div class="results-card-head">
              <span class="results-card-name">{f.name}</span>
              <span class="results-badge">{f.state_text}</span>
            </div>
            <span class="results-meta">{placeName(f)} · {f.phone}</span>
            <span class="results-meta">{f.round_name}{f.tube_id ? <> · <Link href={`/testing/tubes/${f.tube_id}`}>
              {t('results.fu.tube', { code: f.tube_code })}</Link></> : null}</span>
            {f.note ? <span class="results-meta">{f.note}</span> : null}
            <FollowupButtons followup={f} onDone={() => setVersion(version + 1)} />
          </li>
        ))}
      </ul>
      <LoadMore list={list} />
      <ExportLinks path="/test-followups" params={params} testId="results-fu-exports" />
    </main>
  );
}
