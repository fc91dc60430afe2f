// Registry import for the committee: choose a file, check it (a dry run that writes
// nothing), confirm or change which column feeds which field, read every bad row with its
// line and column, then import in a background job and see the counts. The real import
// is offered only when the check found no bad row, because the server imports all or
// nothing and would refuse the file anyway.
import { useState } from 'preact/hooks';
import { useI18n } from '../../i18n/index.js';
import { ErrorMessage, errorText } from '../../components/ErrorMessage.jsx';
import { ProgressBar } from '../../components/ProgressBar.jsx';
import { Link } from '../../router.jsx';
import { uploadImport, fetchJobReport } from './upload.js';
import './import.css';

// The canonical fields, in the order the mapping table shows them (docs/api.md): the
// household and the person, then the person type and household head, then one column
// per vulnerability flag.
export const IMPORT_FIELDS = ['block', 'zone', 'room', 'household_status', 'household_phone', 'name', 'gender',
  'birth', 'phone', 'id_kind', 'id_number', 'party_member', 'floating', 'owner', 'person_type', 'household_head',
  'relation', 'alone_elderly', 'disabled', 'pregnant', 'chronic_illness', 'bedridden', 'no_smartphone',
  'home_isolation'];
const REQUIRED = ['block', 'room', 'name'];
const SUMMARY_KEYS = ['rows', 'zones_new', 'blocks_new', 'households_new', 'households_changed', 'residents_new',
  'residents_changed', 'unchanged', 'errors', 'warnings'];
const BAD_ROWS_PER_PAGE = 20;

export function ImportPage() {
  const { t, lang } = useI18n();
  const [file, setFile] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [report, setReport] = useState(null);
  // Headers the file has, learnt from the server's answer (mapped, unmapped, ignored).
  const [headers, setHeaders] = useState([]);
  // field -> header text, or '' for "not imported"; null until the server proposed one.
  const [mapping, setMapping] = useState(null);
  const [missing, setMissing] = useState([]);
  const [jobId, setJobId] = useState(null);
  const [result, setResult] = useState(null);
  const [resultError, setResultError] = useState(null);
  // Blocks the import makes are buildings or courtyards; warnings need the user's yes.
  const [blockKind, setBlockKind] = useState('building');
  const [accepted, setAccepted] = useState(false);

  const chooseFile = (event) => {
    setFile(event.currentTarget.files?.[0] || null);
    setReport(null);
    setHeaders([]);
    setMapping(null);
    setMissing([]);
    setError(null);
    setJobId(null);
    setResult(null);
    setResultError(null);
    setAccepted(false);
  };

  // The mapping as the server takes it: every field named, null for "not imported".
  const confirmedMapping = () => {
    if (!mapping) return null;
    const out = {};
    for (const field of IMPORT_FIELDS) out[field] = mapping[field] ? mapping[field] : null;
    return out;
  };

  const learnHeaders = (answer) => {
    const seen = new Set([...Object.values(answer.mapping || {}), ...(answer.unmapped_headers || []),
      ...(answer.ignored_headers || [])]);
    setHeaders((previous) => [...new Set([...previous, ...seen])]);
    const next = {};
    for (const field of IMPORT_FIELDS) next[field] = answer.mapping?.[field] || '';
    setMapping(next);
  };

  const check = async (event) => {
    event?.preventDefault();
    if (!file) {
      setError({ field: 'file', text: t('import.choose_first') });
      return;
    }
    setBusy(true);
    setError(null);
    setReport(null);
    setResult(null);
    setJobId(null);
    setAccepted(false);
    try {
      const { json } = await uploadImport(file, { dryRun: true, mapping: confirmedMapping(), language: lang, blockKind });
      setMissing([]);
      learnHeaders(json);
      setReport(json);
    } catch (failure) {
      if (failure.field === 'mapping' && failure.body) {
        // The file lacks a required column under a known header: let the user pick it.
        setMissing(failure.body.missing || []);
        learnHeaders(failure.body);
      }
      setError({ field: failure.field || 'file', text: errorText(t, failure) });
    } finally {
      setBusy(false);
    }
  };

  const runImport = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    setResultError(null);
    try {
      const { json } = await uploadImport(file, { async: true, mapping: confirmedMapping(), language: lang, blockKind,
        acceptWarnings: accepted });
      setJobId(json.job.id);
    } catch (failure) {
      setError({ field: failure.field || 'file', text: errorText(t, failure) });
      setBusy(false);
    }
  };

  const jobDone = async (job) => {
    setBusy(false);
    try {
      setResult(await fetchJobReport(job.result.url));
    } catch (failure) {
      setResultError(failure);
    }
    if (job.error) setError({ field: 'file', text: job.error });
  };

  const fieldError = (field) => (error && error.field === field ? error.text : null);

  return (
    <main class="page" data-testid="import-page">
      <p class="no-print"><Link href="/home">{t('import.back_home')}</Link></p>
      <h1>{t('import.title')}</h1>
      <p class="lead">{t('import.intro')}</p>

      <form class="section form" onSubmit={check} data-testid="import-form">
        <div class="field">
          <label class="field-label" for="import-file">{t('import.file')}</label>
          <input id="import-file" type="file" accept=".csv,.txt,.xlsx,text/csv"
            data-testid="import-file" onChange={chooseFile}
            aria-invalid={fieldError('file') ? 'true' : undefined} />
          <span class="import-hint">{t('import.file_hint')}</span>
          {fieldError('file') ? <p class="message message-error" role="alert" data-testid="import-error">{fieldError('file')}</p> : null}
        </div>
        <button type="submit" class="button button-primary button-block" disabled={busy} data-testid="import-check">
          {t('import.check')}
        </button>
      </form>

      {error && error.field !== 'file' && error.field !== 'mapping' ? (
        <p class="message message-error" role="alert" data-testid="import-error">{error.text}</p>
      ) : null}

      {report ? <Report report={report} testId="import-report" /> : null}

      {mapping ? (
        <MappingEditor headers={headers} mapping={mapping} missing={missing} error={fieldError('mapping')}
          busy={busy} onChange={(field, header) => { setMapping({ ...mapping, [field]: header }); setReport(null); }}
          onRecheck={check} />
      ) : null}


      {report && !jobId && report.new_blocks?.length > 0 ? (
        <section class="section no-print" data-testid="import-block-kind">
          <div class="field">
            <label class="field-label" for="import-block-kind">{t('import.block_kind')}</label>
            <select id="import-block-kind" data-testid="import-block-kind-select" value={blockKind}
              onChange={(event) => { setBlockKind(event.currentTarget.value); setReport({ ...report,
                new_blocks: report.new_blocks.map((b) => ({ ...b, kind: event.currentTarget.value })) }); }}>
              <option value="building">{t('import.block_kind.building')}</option>
              <option value="courtyard">{t('import.block_kind.courtyard')}</option>
            </select>
          </div>
        </section>
      ) : null}

      {report && !jobId ? (
        <section class="section no-print">
          {report.summary.errors > 0 ? (
            <p class="message message-error" data-testid="import-fix-first">{t('import.fix_first', { count: report.summary.errors })}</p>
          ) : report.summary.warnings > 0 ? (
            <label class="import-accept" data-testid="import-accept">
              <input type="checkbox" checked={accepted} data-testid="import-accept-box"
                onChange={(event) => setAccepted(event.currentTarget.checked)} />
              <span>{t('import.accept_warnings', { count: report.summary.warnings })}</span>
            </label>
          ) : (
            <p class="message message-ok">{t('import.ready')}</p>
          )}
          <p>
            <button type="button" class="button button-primary button-block" data-testid="import-run"
              disabled={busy || report.summary.errors > 0 || (report.summary.warnings > 0 && !accepted)} onClick={runImport}>
              {t('import.run')}
            </button>
          </p>
        </section>
      ) : null}

      {jobId ? (
        <section class="section" data-testid="import-job">
          <h2>{t('import.running')}</h2>
          <ProgressBar jobId={jobId} onDone={jobDone} onFailed={() => setBusy(false)} />
        </section>
      ) : null}
      <ErrorMessage error={resultError} testId="import-result-error" />
      {result ? <Report report={result} final testId="import-result" /> : null}
    </main>
  );
}

// One row per canonical field: which header feeds it. Required fields the server could
// not find are marked; the user's choice is sent as ?mapping= on the next check.
function MappingEditor({ headers, mapping, missing, error, busy, onChange, onRecheck }) {
  const { t } = useI18n();
  const mapped = IMPORT_FIELDS.filter((field) => mapping[field]);
  const [editing, setEditing] = useState(false);
  const open = editing || missing.length > 0 || Boolean(error);
  return (
    <section class="section" data-testid="import-mapping">
      <h2>{t('import.mapping_title')}</h2>
      {error ? <p class="message message-error" role="alert" data-testid="import-mapping-error">{error}</p> : null}
      <ul class="import-mapped" data-testid="import-mapped">
        {mapped.map((field) => (
          <li key={field} data-field={field}>
            <span class="import-mapped-header">{mapping[field]}</span>
            <span aria-hidden="true"> → </span>
            <span>{t(`import.field.${field}`)}</span>
          </li>
        ))}
      </ul>
      {/* Folded away when the server found every required column: most files need no change. */}
      {!open ? (
        <button type="button" class="button button-block" data-testid="import-mapping-toggle" onClick={() => setEditing(true)}>
          {t('import.mapping_change')}
        </button>
      ) : null}
      {open ? (
        <>
        <p class="import-hint">{t('import.mapping_intro')}</p>
        <div class="import-mapping-grid">
          {IMPORT_FIELDS.map((field) => {
            const id = `import-map-${field}`;
            const lacking = missing.includes(field);
            return (
              <div class="field" key={field}>
                <label class="field-label" for={id}>
                  {t(`import.field.${field}`)}{REQUIRED.includes(field) ? ' *' : ''}
                </label>
                <select id={id} data-testid={id} value={mapping[field] || ''}
                  aria-invalid={lacking ? 'true' : undefined}
                  onChange={(event) => onChange(field, event.currentTarget.value)}>
                  <option value="">{t('import.not_imported')}</option>
                  {headers.map((header) => <option key={header} value={header}>{header}</option>)}
                </select>
                {lacking ? <span class="import-field-error">{t('import.missing_column')}</span> : null}
              </div>
            );
          })}
        </div>
        <p>
          <button type="button" class="button button-block" disabled={busy} onClick={onRecheck} data-testid="import-recheck">
            {t('import.recheck')}
          </button>
        </p>
        </>
      ) : null}
    </section>
  );
}

// The counts and every bad row (line, column, reason), 20 to a page so a phone can page
// through thousands without a very long screen.
function Report({ report, final = false, testId }) {
  const { t } = useI18n();
  const [page, setPage] = useState(0);
  const problems = (report.rows || []).filter((row) => row.action === 'error')
    .flatMap((row) => row.errors.map((problem, index) => ({ ...problem, line: row.line, key: `${row.line}:${index}` })));
  const warnings = (report.rows || []).filter((row) => row.warnings?.length > 0)
    .flatMap((row) => row.warnings.map((problem, index) => ({ ...problem, line: row.line, key: `${row.line}:w${index}` })));
  const pages = Math.max(1, Math.ceil(problems.length / BAD_ROWS_PER_PAGE));
  const shown = problems.slice(page * BAD_ROWS_PER_PAGE, (page + 1) * BAD_ROWS_PER_PAGE);
  return (
    <section class="section" data-testid={testId} data-dry-run={report.dry_run ? 'true' : 'false'}>
      <h2>{final ? t('import.result_title') : t('import.report_title')}</h2>
      <p class="import-hint">
        {t('import.file_facts', { format: String(report.format || '').toUpperCase(), encoding: report.encoding || '–' })}
      </p>
      <dl class="import-summary">
        {SUMMARY_KEYS.map((key) => (
          <div key={key} class={key === 'errors' && report.summary[key] > 0 ? 'import-summary-bad' : ''}>
            <dt>{t(`import.summary.${key}`)}</dt>
            <dd data-testid={`${testId}-${key}`}>{report.summary[key] ?? 0}</dd>
          </div>
        ))}
      </dl>
      {report.new_blocks?.length > 0 ? (
        <>
          <h3 class="import-subtitle">{final ? t('import.made_blocks') : t('import.new_blocks')}</h3>
          <ul class="import-new" data-testid={`${testId}-new-blocks`}>
            {(report.new_zones || []).map((zone) => (
              <li key={`z:${zone.name}`} data-testid="import-new-zone" data-name={zone.name}>
                <span class="import-new-name">{zone.name}</span>
                <span class="import-hint">{t('import.new_zone_facts', { blocks: zone.blocks, households: zone.households })}</span>
              </li>
            ))}
            {report.new_blocks.map((block) => (
              <li key={`b:${block.zone || ''}:${block.name}`} data-testid="import-new-block" data-name={block.name}
                data-zone={block.zone || ''}>
                <span class="import-new-name">{block.zone ? `${block.zone} · ${block.name}` : block.name}</span>
                <span class="import-hint">
                  {t(`import.block_kind.${block.kind}`)} · {t('import.new_block_facts', { households: block.households })}
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {warnings.length > 0 ? (
        <>
          <h3 class="import-subtitle">{t('import.warnings')}</h3>
          <ul class="import-problems import-warnings" data-testid={`${testId}-warning-rows`}>
            {warnings.map((problem) => (
              <li key={problem.key} data-testid="import-warning-row" data-line={problem.line} data-column={problem.column || ''}>
                <span class="import-problem-where">
                  {t('import.line', { line: problem.line })}
                  {problem.column ? ` · ${t('import.column', { column: problem.column })}` : ''}
                </span>
                <span class="import-warning-why">{problem.message}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {problems.length > 0 ? (
        <>
          <h3 class="import-subtitle">{t('import.bad_rows')}</h3>
          <ul class="import-problems" data-testid={`${testId}-bad-rows`}>
            {shown.map((problem) => (
              <li key={problem.key} data-testid="import-bad-row" data-line={problem.line} data-column={problem.column || ''}
                data-field={problem.field || ''}>
                <span class="import-problem-where">
                  {t('import.line', { line: problem.line })}
                  {problem.column ? ` · ${t('import.column', { column: problem.column })}` : ''}
                </span>
                <span class="import-problem-why">{problem.message}</span>
              </li>
            ))}
          </ul>
          {pages > 1 ? (
            <div class="import-pager no-print">
              <button type="button" class="button" disabled={page === 0} onClick={() => setPage(page - 1)}
                data-testid="import-bad-prev">{t('import.previous')}</button>
              <span>{t('import.page', { page: page + 1, pages })}</span>
              <button type="button" class="button" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}
                data-testid="import-bad-next">{t('import.next')}</button>
            </div>
          ) : null}
          {report.rows_truncated ? <p class="import-hint">{t('import.truncated')}</p> : null}
        </>
      ) : null}
    </section>
  );
}
