// /care/mine: "my people today" on the carer's phone — who is due first, each with the
// room, a number to tap and call, and the one-tap check-in.
import { useState } from 'preact/hooks';
import { useI18n } from '../../i18n/index.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { useApiData } from '../../components/useApiData.js';
import { CheckinButtons, PersonCard } from './common.jsx';

export function CareMinePage() {
  const { t, lang } = useI18n();
  const { data, error, loading, reload } = useApiData('/care/mine?limit=500', [lang]);
  const [last, setLast] = useState(null);
  const items = data ? [...data.items].sort((a, b) => Number(b.due) - Number(a.due) || a.id - b.id) : [];
  const due = items.filter((p) => p.due).length;
  return (
    <main class="page page-narrow" data-testid="care-mine-page">
      <h1>{t('care.mine.title')}</h1>
      {loading && !data ? <Loading /> : null}
      <ErrorMessage error={error} />
      {data ? <p class="lead" data-testid="care-mine-summary">{items.length ? t('care.mine.summary', { due, all: items.length }) : t('care.mine.none')}</p> : null}
      {last ? (
        <p class="message message-ok" role="status" data-testid="care-mine-recorded">
          {t('care.recorded_for', { name: last.name, outcome: t(`care.outcome.${last.answer.checkin.outcome}`) })}
          {last.answer.help_request_id ? <> {t('care.help_made', { id: last.answer.help_request_id })}</> : null}
        </p>
      ) : null}
      <ul class="care-cards">
        {items.map((p) => (
          <PersonCard key={p.id} person={p}>
            {p.due ? <CheckinButtons residentId={p.id} defaultKind={/visit/.test(p.assignment?.rhythm || '') ? 'visit' : 'call'} onDone={(answer) => { setLast({ name: p.name, answer }); reload(); }} /> : null}
          </PersonCard>
        ))}
      </ul>
    </main>
  );
}
