// Follows a background job (imports, exports, bulk sends) until it ends. The server
// answers long work with 202 and a job id; this polls GET /jobs/{id} every 500 ms.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { ErrorMessage } from './ErrorMessage.jsx';

export const POLL_INTERVAL_MS = 500;
const FINAL_STATES = ['done', 'failed'];

export function ProgressBar({ jobId, onDone, onFailed }) {
  const { t } = useI18n();
  const [job, setJob] = useState(null);
  const [requestError, setRequestError] = useState(null);
  // The callbacks may change on every render; polling must not restart because of that.
  const callbacks = useRef({ onDone, onFailed });
  callbacks.current = { onDone, onFailed };

  useEffect(() => {
    let stopped = false;
    let timer = null;
    const poll = async () => {
      try {
        const answer = await api.get(`/jobs/${encodeURIComponent(jobId)}`);
        if (stopped) return;
        const current = answer.job;
        setJob(current);
        setRequestError(null);
        if (current.state === 'done') { callbacks.current.onDone?.(current); return; }
        if (current.state === 'failed') { callbacks.current.onFailed?.(current); return; }
      } catch (error) {
        if (stopped) return;
        setRequestError(error);
        // A job that does not exist (or is not ours) will not appear later.
        if (error.status === 404 || error.status === 403 || error.status === 401) return;
      }
      timer = setTimeout(poll, POLL_INTERVAL_MS);
    };
    poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [jobId]);

  const total = job?.total || 0;
  const done = job?.done || 0;
  const percent = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : null;
  const state = job?.state || 'queued';
  const finished = FINAL_STATES.includes(state);

  return (
    <div class={`progress progress-${state}`} data-testid="job-progress" data-state={state}>
      <div
        class="progress-track"
        role="progressbar"
        aria-valuemin="0"
        aria-valuemax={total || undefined}
        aria-valuenow={total ? done : undefined}
        aria-busy={finished ? 'false' : 'true'}
      >
        <div
          class={percent === null && !finished ? 'progress-fill progress-indeterminate' : 'progress-fill'}
          style={{ width: `${finished && state === 'done' ? 100 : percent ?? 0}%` }}
        />
      </div>
      <p class="progress-text" aria-live="polite">
        {t(`job.state.${state}`)}
        {total > 0 ? ` · ${t('job.count', { done, total })}` : ''}
        {percent !== null ? ` · ${percent}%` : ''}
      </p>
      {state === 'done' && job?.result?.url ? (
        <p>
          <a class="button" href={job.result.url} download={job.result.name || ''} data-testid="job-download">
            {t('job.download', { name: job.result.name || '' })}
          </a>
        </p>
      ) : null}
      {state === 'failed' && job?.error ? (
        <p class="message message-error" role="alert">{job.error}</p>
      ) : null}
      <ErrorMessage error={requestError} testId="job-error" />
    </div>
  );
}
