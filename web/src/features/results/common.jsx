// Pieces the results pages share: who may open them, a result as a coloured badge, the
// follow-up states as one-tap buttons, and the lab file's upload (multipart, outside
// api.js, which speaks JSON only).
import { useRef, useState } from 'preact/hooks';
import { api, ApiError, newIdempotencyKey } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import './results.css';

export const LEADERS = ['committee', 'zone_leader', 'block_leader'];
export const RESULTS = ['negative', 'positive', 'invalid'];
export const FOLLOWUP_STATES = ['open', 'retest', 'cleared', 'isolated'];

export function ResultBadge({ result, text }) {
  return <span class={`results-badge results-badge-${result || 'none'}`} data-testid="results-badge">{text}</span>;
}

// open / retest / cleared / isolated: the current one pressed; a change is one PATCH.
export function FollowupButtons({ followup, onDone }) {
  const { t } = useI18n();
  const [state, setState] = useState({ busy: false, error: null });
  const key = useRef(newIdempotencyKey());
  async function set(next) {
    setState({ busy: true, error: null });
    try {
      const answer = await api.patch(`/test-followups/${followup.id}`, { state: next }, { idempotencyKey: key.current });
      key.current = newIdempotencyKey();
      setState({ busy: false, error: null });
      if (onDone) onDone(answer.followup);
    } catch (error) {
      setState({ busy: false, error });
    }
  }
  return (
    <div class="results-fu" role="group" aria-label={t('results.fu.label')} data-testid="results-fu">
      {FOLLOWUP_STATES.map((s) => (
        <button key={s} type="button" class="results-fu-button" aria-pressed={followup.state === s ? 'true' : 'false'}
          disabled={state.busy} onClick={() => set(s)} data-testid={`results-fu-${s}`}>{t(`results.fu.${s}`)}</button>
      ))}
      <ErrorMessage error={state.error} />
    </div>
  );
}

// POST a file as multipart/form-data with the CSRF token fetched fresh; a 422 refusal
// still carries the report (the rows to correct).
export async function uploadLabFile(roundId, file, { dryRun, language }) {
  const me = await api.get('/me');
  const form = new FormData();
  form.append('file', file, file.name);
  let response;
  try {
    response = await fetch(`/api/v1/test-rounds/${roundId}/results/import${dryRun ? '?dry_run=1' : ''}`, {
      method: 'POST', credentials: 'same-origin', body: form,
      headers: { Accept: 'application/json', 'Accept-Language': language, 'X-CSRF-Token': me.csrf_token || '',
        'Idempotency-Key': newIdempotencyKey() },
    });
  } catch {
    throw new ApiError({ status: 0, code: 'network' });
  }
  const body = await response.json().catch(() => null);
  if (response.ok) return body;
  const error = new ApiError({ status: response.status, ...(body?.error || {}) });
  error.report = body?.error?.report || null;
  throw error;
}
