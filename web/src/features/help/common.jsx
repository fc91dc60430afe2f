// Pieces the help pages share: who may open them, the kinds, one request as a card.
import { useI18n } from '../../i18n/index.js';
import { placeName } from '../../components/place.js';
import { Link } from '../../router.jsx';
import './help.css';

export const LEADERS = ['committee', 'zone_leader', 'block_leader'];
export const MEMBERS = [...LEADERS, 'volunteer', 'resident'];
export const ASKERS = [...LEADERS, 'resident'];
export const KINDS = ['medicine', 'medical_visit', 'exit', 'supplies', 'care', 'repair', 'psych', 'other'];
// The details each kind asks for beside the summary.
export const KIND_DETAILS = {
  medicine: ['medicine', 'pharmacy'],
  medical_visit: ['hospital'],
  exit: ['destination'],
};

export function StateBadges({ request }) {
  const { t } = useI18n();
  return (
    <span class="help-badges">
      {request.urgency === 'urgent' ? <span class="help-badge help-badge-urgent">{request.urgency_text}</span> : null}
      {request.overdue ? <span class="help-badge help-badge-urgent" data-testid="help-overdue">{t('help.overdue')}</span> : null}
      <span class={`help-badge help-state-${request.state}`} data-testid="help-state">{request.state_text}</span>
    </span>
  );
}

export function RequestCard({ request }) {
  const { t } = useI18n();
  return (
    <li class="help-card" data-testid="help-item" data-id={request.id}>
      <Link class="help-card-link" href={`/help/${request.id}`}>
        <span class="help-card-title">{request.kind_text}<StateBadges request={request} /></span>
        <span class="help-card-summary">{request.summary}</span>
        <span class="help-card-meta">{[placeName(request), request.resident_name].filter(Boolean).join(' · ')}</span>
        <span class="help-card-meta">{request.created_at} · {t('help.with', { level: request.level_text })}</span>
      </Link>
    </li>
  );
}
