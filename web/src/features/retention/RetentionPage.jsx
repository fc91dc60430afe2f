import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import './retention.css';

const KINDS = ['isolation_flags', 'health_history', 'health_details', 'travel', 'sweep_answers'];

// The committee decides how long isolation, travel and health data are kept after the
// emergency, sees what a purge would remove (dry run) and purges now after confirming.
export function RetentionPage() {
  const { t, lang } = useI18n();
  const { data, error, loading, reload } = useApiData('/community/retention', [lang]);
  if (loading && !data) return <main class="page page-narrow"><Loading /></main>;
  if (error) return <main class="page page-narrow"><ErrorMessage error={error} /></main>;
  return <RetentionForm setting={data.retention} reload={reload} t={t} />;
}

function RetentionForm({ setting, reload, t }) {
  const [ongoing, setOngoing] = useState(setting.ongoing);
  const [endedOn, setEndedOn] = useState(setting.emergency_ended_on || setting.today);
  const [keepDays, setKeepDays] = useState(String(setting.keep_days));
  const [maxDays, setMaxDays] = useState(String(setting.max_days));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  const [report, setReport] = useState(null);
  const [confirming, setConfirming] = useState(false);

  const save = async (event) => {
    event.preventDefault();
    setBusy(true); setError(null); setSaved(false); setReport(null);
    try {
      await api.patch('/community/retention', { emergency_ended_on: ongoing ? null : endedOn,
        keep_days: Number(keepDays), max_days: Number(maxDays) });
      setSaved(true);
      reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const purge = async (dryRun) => {
    setBusy(true); setError(null); setConfirming(false);
    try {
      const r = await api.post('/community/retention/purge', { dry_run: dryRun });
      setReport(r.purge);
      if (!dryRun) reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="page page-narrow" data-testid="retention-page">
      <h1>{t('retention.title')}</h1>
      <p class="lead">{t('retention.lead')}</p>
      <dl class="facts" data-testid="retention-state">
        <dt>{t('retention.today')}</dt><dd>{setting.today}</dd>
        <dt>{t('retention.kept_until')}</dt>
        <dd data-testid="retention-kept-until">{setting.kept_until || t('retention.ongoing')}</dd>
        <dt>{t('retention.last_purge')}</dt><dd>{setting.last_purge_on || t('retention.never')}</dd>
      </dl>
      <form class="form section" onSubmit={save}>
        <label class="field">
          <span>
            <input type="checkbox" id="ongoing" checked={ongoing} data-testid="retention-ongoing"
              onChange={(event) => { setOngoing(event.currentTarget.checked); setSaved(false); }} />
            {' '}{t('retention.ongoing_label')}
          </span>
        </label>
        {ongoing ? null : (
          <label class="field">
            <span class="field-label">{t('retention.ended_on')}</span>
            <input type="date" id="emergency_ended_on" value={endedOn} max={setting.today} required
              data-testid="retention-ended-on" aria-invalid={error?.field === 'emergency_ended_on' ? 'true' : undefined}
              onInput={(event) => { setEndedOn(event.currentTarget.value); setSaved(false); }} />
          </label>
        )}
        <label class="field">
          <span class="field-label">{t('retention.keep_days')}</span>
          <input type="number" id="keep_days" min="1" max="3650" value={keepDays} required data-testid="retention-keep-days"
            aria-invalid={error?.field === 'keep_days' ? 'true' : undefined}
            onInput={(event) => { setKeepDays(event.currentTarget.value); setSaved(false); }} />
        </label>
        <label class="field">
          <span class="field-label">{t('retention.max_days')}</span>
          <input type="number" id="max_days" min="7" max="3650" value={maxDays} required data-testid="retention-max-days"
            aria-invalid={error?.field === 'max_days' ? 'true' : undefined}
            onInput={(event) => { setMaxDays(event.currentTarget.value); setSaved(false); }} />
        </label>
        <ErrorMessage error={error} testId="retention-error" />
        {saved ? <p class="message message-ok" role="status" data-testid="retention-saved">{t('retention.saved')}</p> : null}
        <button type="submit" class="button button-primary button-block" disabled={busy} data-testid="retention-save">
          {t('common.save')}
        </button>
      </form>
      <section class="section no-print">
        <h2>{t('retention.purge_title')}</h2>
        <p>{t('retention.purge_help')}</p>
        <div class="retention-actions">
          <button type="button" class="button" disabled={busy} data-testid="retention-dry-run" onClick={() => purge(true)}>
            {t('retention.dry_run')}
          </button>
          <button type="button" class="button button-danger" disabled={busy} data-testid="retention-purge"
            onClick={() => setConfirming(true)}>
            {t('retention.purge_now')}
          </button>
        </div>
        {confirming ? (
          <div class="message message-error" role="alertdialog" data-testid="retention-confirm">
            <p>{t('retention.confirm')}</p>
            <div class="retention-actions">
              <button type="button" class="button button-danger" data-testid="retention-confirm-yes" onClick={() => purge(false)}>
                {t('retention.confirm_yes')}
              </button>
              <button type="button" class="button" data-testid="retention-confirm-no" onClick={() => setConfirming(false)}>
                {t('retention.confirm_no')}
              </button>
            </div>
          </div>
        ) : null}
        {report ? (
          <div data-testid="retention-report" data-dry-run={String(report.dry_run)}>
            <h3>{report.dry_run ? t('retention.report_dry') : t('retention.report_done')}</h3>
            <dl class="retention-counts">
              {KINDS.flatMap((kind) => [
                <dt key={`${kind}-label`}>{t(`retention.kind.${kind}`)}</dt>,
                <dd key={kind} data-testid={`retention-count-${kind}`}>{report.counts[kind]}</dd>,
              ])}
              <dt>{t('retention.total')}</dt>
              <dd data-testid="retention-count-total">{report.total}</dd>
            </dl>
          </div>
        ) : null}
      </section>
    </main>
  );
}
