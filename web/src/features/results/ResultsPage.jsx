// /testing/:id/results: a round's tubes with their results. The committee types a result
// on a closed tube (a positive opens its people's follow-ups at once) or imports the
// lab's file: a preview first, then the whole file or nothing.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { ExportLinks, LoadMore, usePagedList, useRoles, withQuery } from '../registry/common.jsx';
import { RESULTS, ResultBadge, uploadLabFile } from './common.jsx';

function Summary({ roundId, version }) {
  const { t, lang } = useI18n();
  const { data } = useApiData(`/test-rounds/${roundId}/summary`, [lang, version]);
  if (!data) return null;
  const cells = [
    [data.tubes.total, t('results.sum.tubes')], [data.tubes.pending, t('results.sum.pending')],
    [data.tubes.positive, t('results.sum.positive')], [data.coverage.percent + '%', t('results.sum.coverage')],
    [data.sampled, t('results.sum.sampled')], [data.followups.open + data.followups.retest, t('results.sum.followups')],
  ];
  return (
    <>
      <p class="lead">{data.round.name} · {data.round.on_day}</p>
      <div class="results-summary" data-testid="results-summary">
        {cells.map(([n, label]) => <div key={label}><strong>{n}</strong><span>{label}</span></div>)}
      </div>
    </>
  );
}

function SetResult({ tube, onDone }) {
  const { t } = useI18n();
  const [state, setState] = useState({ busy: false, error: null });
  async function set(result) {
    if (result === 'positive' && !window.confirm(t('results.confirm_positive', { code: tube.code }))) return;
    setState({ busy: true, error: null });
    try {
      await api.put(`/test-tubes/${tube.id}/result`, { result });
      setState({ busy: false, error: null });
      onDone();
    } catch (error) {
      setState({ busy: false, error });
    }
  }
  return (
    <>
      <div class="results-set">
        {RESULTS.map((r) => (
          <button key={r} type="button" class="button" disabled={state.busy || tube.result === r}
            onClick={() => set(r)} data-testid={`results-set-${r}`}>{t(`results.result.${r}`)}</button>
        ))}
      </div>
      <ErrorMessage error={state.error} />
    </>
  );
}

function Report({ report }) {
  const { t } = useI18n();
  if (!report) return null;
  return (
    <div class="results-report" data-testid="results-report">
      <p>{t('results.import.counts', { rows: report.rows, ...report.counts, changes: report.changes })}</p>
      {report.bad_rows.length ? (
        <>
          <p>{t('results.import.bad')}</p>
          <ul data-testid="results-bad-rows">
            {report.bad_rows.map((r) => <li key={r.line}>{t('results.import.line', { line: r.line, code: r.code })}{r.message}</li>)}
          </ul>
        </>
      ) : null}
    </div>
  );
}

function Import({ roundId, onDone }) {
  const { t, lang } = useI18n();
  const [file, setFile] = useState(null);
  const [state, setState] = useState({ busy: false, error: null, preview: null, done: null });
  async function send(dryRun) {
    setState({ ...state, busy: true, error: null, done: null });
    try {
      const report = await uploadLabFile(roundId, file, { dryRun, language: lang });
      setState({ busy: false, error: null, preview: dryRun ? report : null, done: dryRun ? null : report });
      if (!dryRun) onDone();
    } catch (error) {
      setState({ busy: false, error, preview: error.report, done: null });
    }
  }
  const ready = state.preview && !state.preview.bad_rows.length;
  return (
    <section class="results-section" data-testid="results-import">
      <h2>{t('results.import.title')}</h2>
      <p class="results-meta">{t('results.import.hint')}</p>
      <label class="field"><span class="field-label">{t('results.import.file')}</span>
        <input type="file" accept=".csv,.xlsx,text/csv" data-testid="results-file"
          onChange={(e) => { setFile(e.currentTarget.files?.[0] || null); setState({ busy: false, error: null, preview: null, done: null }); }} />
      </label>
      <div class="results-set">
        <button type="button" class="button" disabled={!file || state.busy} onClick={() => send(true)}
          data-testid="results-preview">{t('results.import.preview')}</button>
        <button type="button" class="button button-primary" disabled={!ready || state.busy} onClick={() => send(false)}
          data-testid="results-confirm">{t('results.import.confirm')}</button>
      </div>
      <ErrorMessage error={state.error} />
      <Report report={state.preview} />
      {state.done ? <p class="message message-ok" role="status" data-testid="results-imported">
        {t('results.import.done', { rows: state.done.rows, opened: state.done.followups_opened })}</p> : null}
    </section>
  );
}

export function ResultsPage({ params }) {
  const { t, lang } = useI18n();
  const { isCommittee } = useRoles();
  const id = encodeURIComponent(params.id);
  const [result, setResult] = useState('');
  const [version, setVersion] = useState(0);
  const path = `/test-rounds/${id}/tubes`;
  const list = usePagedList(withQuery(path, { result }), [lang, version]);
  const changed = () => setVersion(version + 1);
  return (
    <main class="page page-narrow" data-testid="results-page">
      <h1>{t('results.title')}</h1>
      <Summary roundId={id} version={version} />
      <p><Link href="/testing/followups">{t('results.link_followups')}</Link></p>
      <div class="results-filters">
        <label class="field"><span class="field-label">{t('results.field.result')}</span>
          <select value={result} onChange={(e) => setResult(e.currentTarget.value)} data-testid="results-filter">
            <option value="">{t('results.all')}</option>
            <option value="none">{t('results.result.none')}</option>
            {RESULTS.map((r) => <option key={r} value={r}>{t(`results.result.${r}`)}</option>)}
          </select></label>
      </div>
      {!list.loading && !list.items.length && !list.error ? <p class="empty">{t('results.none')}</p> : null}
      <ul class="results-cards">
        {list.items.map((tube) => (
          <li key={tube.id} class="results-card" data-testid="results-tube" data-code={tube.code}>
            <div class="results-card-head">
              <Link class="results-card-name" href={`/testing/tubes/${tube.id}`}>{tube.code}</Link>
              <ResultBadge result={tube.result} text={tube.result_text} />
            </div>
            <span class="results-meta">{tube.station_name} · {t('results.samples', { n: tube.samples })} · {tube.state_text}</span>
            {isCommittee && tube.state === 'closed' ? <SetResult tube={tube} onDone={changed} /> : null}
          </li>
        ))}
      </ul>
      <LoadMore list={list} />
      <ExportLinks path={path} params={{ result }} testId="results-exports" />
      {isCommittee ? <Import roundId={id} onDone={changed} /> : null}
    </main>
  );
}
