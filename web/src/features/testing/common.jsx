// Pieces the testing pages share: who may open them, the words they offer, the round's
// state as a badge, a coverage bar, and a resident picker for exemptions and visits.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import './testing.css';

export const COMMITTEE = ['committee'];
export const LEADERS = ['committee', 'zone_leader', 'block_leader'];
export const STAFF = [...LEADERS, 'volunteer'];
export const KINDS = ['pcr_pooled', 'pcr_single', 'antigen'];
export const DUTIES = ['registrar', 'queue', 'sampler', 'runner'];
export const EXEMPT_REASONS = ['recovered', 'away', 'other'];
export const DOOR_REASONS = ['bedridden', 'home_isolation', 'other'];
export const VISIT_STATES = ['to_visit', 'sampled', 'refused', 'not_home'];
export const CALL_OUTCOMES = ['coming', 'no_answer', 'away', 'refused', 'other'];

export function StateBadge({ state, text }) {
  return <span class={`testing-badge testing-badge-${state}`} data-testid="testing-state">{text}</span>;
}

// done of total as a bar and a percentage; the bar says the same in words for readers.
export function CoverageBar({ done, total, label }) {
  const { t } = useI18n();
  const percent = total > 0 ? Math.round((done / total) * 100) : 0;
  return (
    <div class="testing-bar" role="img" aria-label={t('testing.bar', { label, done, total, percent })}>
      <div class="testing-bar-fill" style={{ width: `${percent}%` }} />
      <span class="testing-bar-text">{percent}%</span>
    </div>
  );
}

// Finds a resident of the leader's scope by name or room; onPick(resident).
export function ResidentPicker({ onPick, testId = 'testing-resident-picker' }) {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const [found, setFound] = useState(null);
  const [error, setError] = useState(null);
  async function search(event) {
    event.preventDefault();
    setError(null);
    try {
      setFound((await api.get(`/residents?q=${encodeURIComponent(q)}&limit=10`)).items);
    } catch (e) {
      setError(e);
    }
  }
  return (
    <div class="testing-picker" data-testid={testId}>
      <form class="testing-search" onSubmit={search}>
        <label class="field"><span class="field-label">{t('testing.field.find')}</span>
          <input value={q} required onInput={(e) => setQ(e.currentTarget.value)} data-testid="testing-find" /></label>
        <button class="button" type="submit">{t('testing.find')}</button>
      </form>
      <ErrorMessage error={error} />
      {found && !found.length ? <p class="empty">{t('testing.none_found')}</p> : null}
      {found ? (
        <ul class="testing-picks">
          {found.map((r) => (
            <li key={r.id}>
              <span>{r.name} · {r.block_name || ''} {r.room || ''}</span>
              <button class="button" type="button" onClick={() => { onPick(r); setFound(null); setQ(''); }}
                data-testid="testing-pick">{t('testing.pick')}</button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

// A station's name, place and hours; set(field) gives the input handler of a field.
export function StationBasics({ station, set }) {
  const { t } = useI18n();
  return (
    <>
      <label class="field"><span class="field-label">{t('testing.field.station_name')}</span>
        <input required maxLength={100} value={station.name} onInput={set('name')} data-testid="testing-station-name" /></label>
      <label class="field"><span class="field-label">{t('testing.field.place')}</span>
        <input maxLength={200} value={station.place} onInput={set('place')} /></label>
      <div class="testing-times">
        <label class="field"><span class="field-label">{t('testing.field.opens_at')}</span>
          <input type="time" required value={station.opens_at} onInput={set('opens_at')} /></label>
        <label class="field"><span class="field-label">{t('testing.field.closes_at')}</span>
          <input type="time" required value={station.closes_at} onInput={set('closes_at')} /></label>
      </div>
    </>
  );
}

// Picks a resident, then a reason (words under `prefix`), and sends both.
export function ResidentReasonForm({ reasons, prefix, submitLabel, busy, onSubmit, testId }) {
  const { t } = useI18n();
  const [who, setWho] = useState(null);
  const [reason, setReason] = useState(reasons[0]);
  if (!who) return <ResidentPicker onPick={setWho} testId={testId} />;
  return (
    <form class="testing-row-actions" onSubmit={async (ev) => {
      ev.preventDefault();
      if (await onSubmit({ resident_id: who.id, reason })) setWho(null);
    }}>
      <span>{who.name}</span>
      <label class="field"><span class="field-label">{t('testing.field.reason')}</span>
        <select value={reason} onChange={(e) => setReason(e.currentTarget.value)}>
          {reasons.map((r) => <option key={r} value={r}>{t(`${prefix}${r}`)}</option>)}
        </select></label>
      <button class="button button-primary" type="submit" disabled={busy}>{submitLabel}</button>
      <button class="button button-quiet" type="button" onClick={() => setWho(null)}>{t('testing.cancel')}</button>
    </form>
  );
}
