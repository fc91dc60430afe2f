// Pieces the care pages share: who may open them, the words they offer, one resident as
// a card, and the one-tap check-in (with "needs something" becoming a help request).
import { useRef, useState } from 'preact/hooks';
import { api, newIdempotencyKey } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.jsx';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { FlagChips, Phone } from '../registry/common.jsx';
import './care.css';

export const LEADERS = ['committee', 'zone_leader', 'block_leader'];
export const MEMBERS = [...LEADERS, 'volunteer'];
export const RHYTHMS = ['daily_call', 'daily_visit', 'twice_weekly_visit', 'weekly_call'];
export const CARE_FLAGS = ['alone_elderly', 'disabled', 'bedridden', 'pregnant', 'chronic_illness'];
export const HELP_KINDS = ['medicine', 'medical_visit', 'supplies', 'care', 'repair', 'psych', 'other'];

export function StateBadge({ person }) {
  const cls = !person.assignment ? 'care-badge-nobody' : person.missed ? 'care-badge-missed' : person.due ? 'care-badge-due' : 'care-badge-ok';
  return <span class={`care-badge ${cls}`} data-testid="care-state">{person.state_text}</span>;
}

// One resident: name, room, flags, carer and rhythm, last contact; the name opens
// their care page.
export function PersonCard({ person, children }) {
  const { t } = useI18n();
  return (
    <li class="care-card" data-testid="care-item" data-id={person.id}>
      <div class="care-card-head">
        <Link class="care-card-name" href={`/care/residents/${person.id}`}>{person.name}</Link>
        <StateBadge person={person} />
      </div>
      <span class="care-card-meta">{person.room}{person.phone ? ' · ' : ''}<Phone number={person.phone} testId="care-phone" /></span>
      <FlagChips flags={person.flags} />
      <span class="care-card-meta">
        {person.assignment ? t('care.card.carer', { name: person.carer_name, rhythm: person.rhythm_text }) : t('care.card.nobody')}
      </span>
      <span class="care-card-meta">
        {person.last_contact_on ? t('care.card.last', { day: person.last_contact_on }) : t('care.card.never')}
      </span>
      {children}
    </li>
  );
}

// Call or visit, how it went, in one tap; "needs something" asks what, and may go to
// the block leader as a help request in the same write.
export function CheckinButtons({ residentId, defaultKind, onDone }) {
  const { t } = useI18n();
  const [kind, setKind] = useState(defaultKind || 'call');
  const [needs, setNeeds] = useState(null);
  const [state, setState] = useState({ busy: false, error: null, done: null });
  const key = useRef(newIdempotencyKey());
  async function send(body) {
    setState({ busy: true, error: null, done: null });
    try {
      const answer = await api.post(`/care/residents/${residentId}/checkins`, { kind, ...body }, { idempotencyKey: key.current });
      key.current = newIdempotencyKey();
      setNeeds(null);
      setState({ busy: false, error: null, done: answer });
      if (onDone) onDone(answer);
    } catch (error) {
      setState({ busy: false, error, done: null });
    }
  }
  function sendNeeds(event) {
    event.preventDefault();
    const body = { outcome: 'needs', needs: needs.text };
    if (needs.help) body.help = { kind: needs.kind, urgency: needs.urgency, summary: needs.text };
    send(body);
  }
  return (
    <div class="care-checkin" data-testid="care-checkin">
      <div class="care-kind" role="radiogroup" aria-label={t('care.field.kind')}>
        {['call', 'visit'].map((k) => (
          <button key={k} type="button" role="radio" aria-checked={kind === k ? 'true' : 'false'} class="care-kind-button"
            onClick={() => setKind(k)} data-testid={`care-kind-${k}`}>{t(`care.kind.${k}`)}</button>
        ))}
      </div>
      <div class="care-outcomes">
        <button type="button" class="button button-primary" disabled={state.busy} onClick={() => send({ outcome: 'fine' })}
          data-testid="care-fine">{t('care.outcome.fine')}</button>
        <button type="button" class="button" disabled={state.busy} onClick={() => send({ outcome: 'not_reached' })}
          data-testid="care-not-reached">{t('care.outcome.not_reached')}</button>
        <button type="button" class="button" disabled={state.busy} aria-expanded={needs ? 'true' : 'false'}
          onClick={() => setNeeds(needs ? null : { text: '', help: true, kind: 'medicine', urgency: 'normal' })}
          data-testid="care-needs">{t('care.outcome.needs')}</button>
      </div>
      {needs ? (
        <form class="form care-needs" onSubmit={sendNeeds} data-testid="care-needs-form">
          <label class="field"><span class="field-label">{t('care.field.needs')}</span>
            <textarea rows="3" required maxLength={1000} value={needs.text} data-testid="care-needs-text"
              onInput={(e) => setNeeds({ ...needs, text: e.currentTarget.value })} /></label>
          <label class="care-inline"><input type="checkbox" checked={needs.help} data-testid="care-needs-help"
            onChange={(e) => setNeeds({ ...needs, help: e.currentTarget.checked })} />{t('care.field.as_help')}</label>
          {needs.help ? (
            <>
              <label class="field"><span class="field-label">{t('care.field.help_kind')}</span>
                <select value={needs.kind} onChange={(e) => setNeeds({ ...needs, kind: e.currentTarget.value })} data-testid="care-help-kind">
                  {HELP_KINDS.map((k) => <option key={k} value={k}>{t(`care.help_kind.${k}`)}</option>)}
                </select></label>
              <label class="care-inline"><input type="checkbox" checked={needs.urgency === 'urgent'}
                onChange={(e) => setNeeds({ ...needs, urgency: e.currentTarget.checked ? 'urgent' : 'normal' })} />{t('care.field.urgent')}</label>
            </>
          ) : null}
          <button class="button button-primary button-block" type="submit" disabled={state.busy} data-testid="care-needs-submit">
            {t('care.needs.submit')}</button>
        </form>
      ) : null}
      <ErrorMessage error={state.error} />
      {state.done ? (
        <p class="message message-ok" role="status" data-testid="care-recorded">
          {t('care.recorded', { outcome: t(`care.outcome.${state.done.checkin.outcome}`) })}
          {state.done.help_request_id ? <> {t('care.help_made', { id: state.done.help_request_id })}</> : null}
        </p>
      ) : null}
    </div>
  );
}
