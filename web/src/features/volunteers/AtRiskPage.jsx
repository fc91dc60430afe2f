// /volunteers/at-risk: the shifts of the next two days a leader must look at — short of
// people, or held by people who have not confirmed or have declined — with the waitlist
// count and each person's phone to call.
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { shiftTime } from './common.jsx';

export function AtRiskPage() {
  const { t, lang } = useI18n();
  const { data, error, loading } = useApiData('/shifts/at-risk?days=2', [lang]);
  return (
    <main class="page page-narrow" data-testid="at-risk-page">
      <p><Link href="/volunteers/shifts">{t('vol.shifts.link')}</Link></p>
      <h1>{t('vol.risk.title')}</h1>
      <p class="lead">{t('vol.risk.intro')}</p>
      {loading && !data ? <Loading /> : null}
      <ErrorMessage error={error} />
      {data && data.items.length === 0 ? <p class="empty">{t('vol.risk.none')}</p> : null}
      <ul class="vol-cards">
        {(data?.items || []).map((s) => (
          <li key={s.id} class="vol-card" data-testid="risk-item">
            <span class="vol-card-title">{s.post_name}</span>
            <span class="vol-card-meta">{shiftTime(lang, s)}</span>
            <span class="vol-card-meta">
              {s.open > 0 ? <span class="vol-badge vol-badge-bad">{t('vol.shift.short', { n: s.open })}</span> : null}
              {s.unconfirmed ? <span class="vol-badge vol-badge-warn">{t('vol.risk.unconfirmed', { n: s.unconfirmed })}</span> : null}
              {s.declined ? <span class="vol-badge vol-badge-warn">{t('vol.risk.declined', { n: s.declined })}</span> : null}
              {s.waitlist ? <span class="vol-badge">{t('vol.shift.waiting_n', { n: s.waitlist })}</span> : null}
            </span>
            <ul>{s.people.filter((p) => p.state === 'assigned').map((p) => (
              <li key={p.volunteer_id}>{p.name} {p.phone ? <a href={`tel:${p.phone}`}>{p.phone}</a> : null} · {t(`vol.confirmation.${p.confirmation}`)}</li>))}</ul>
          </li>
        ))}
      </ul>
    </main>
  );
}
