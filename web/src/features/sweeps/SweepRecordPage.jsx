// /sweeps/:id/households/:household: one household's visit. The page names who lives
// there and what to mind at the door (独居老人, 卧床 …) and who recorded it last, when
// (on the community's clock). The leader taps what happened (answered, not at home,
// refused), answers the questions when answered, saves, sees "已保存 101", and goes on
// to the next household still to be reached, where the confirmation stays on top.
import { useEffect, useState } from 'preact/hooks';
import { apiRequest } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link, navigate } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { FieldError, OUTCOMES, fetchAll, formatLocal, placeName, questionLabel, useTimeZone } from './common.jsx';
import { visitOrder } from './SweepHouseholdsPage.jsx';

// Answers as the form keeps them (strings for typed fields) -> as the server takes them.
function answersBody(questions, answers) {
  const out = {};
  for (const q of questions) {
    const value = answers[q.key];
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value) && value.length === 0) continue;
    out[q.key] = q.type === 'number' ? Number(value) : value;
  }
  return out;
}

// The save just made, told on the next household's page (pages are remounted per path).
let lastSaved = null;
// How long "已保存 101" shows before the next household opens: long enough to read.
const SAVED_PAUSE_MS = 700;

export function SweepRecordPage({ params }) {
  const { t, lang } = useI18n();
  const timeZone = useTimeZone();
  const [saved, setSaved] = useState(() => {
    const told = lastSaved && lastSaved.sweep === params.id ? lastSaved.room : null;
    lastSaved = null;
    return told;
  });
  const id = encodeURIComponent(params.id);
  const householdId = Number(params.household);
  const sweepData = useApiData(`/sweeps/${id}`, [lang]);
  const householdData = useApiData(`/sweeps/${id}/households/${encodeURIComponent(params.household)}`, [lang]);
  const [outcome, setOutcome] = useState(null);
  const [answers, setAnswers] = useState({});
  const [method, setMethod] = useState('visit');
  const [note, setNote] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [finished, setFinished] = useState(false);

  // Start from what was recorded last, so a second visit corrects rather than retypes.
  const household = householdData.data?.household;
  useEffect(() => {
    if (!household) return;
    if (household.outcome !== 'pending') setOutcome(household.outcome);
    setAnswers(household.answers || {});
    if (household.method) setMethod(household.method);
    setNote(household.note || '');
  }, [household?.answer_id, household?.household_id]);

  const sweep = sweepData.data?.sweep;
  if ((sweepData.loading && !sweep) || (householdData.loading && !household)) return <main class="page"><Loading /></main>;
  if (!sweep || !household) {
    return <main class="page"><ErrorMessage error={sweepData.error || householdData.error} /></main>;
  }

  const save = async (event) => {
    event.preventDefault();
    if (!outcome) {
      setError({ field: 'outcome', message: t('sweeps.choose_outcome') });
      return;
    }
    setBusy(true);
    setError(null);
    const body = { outcome, method };
    if (note.trim()) body.note = note.trim();
    if (outcome === 'answered') body.answers = answersBody(sweep.questions, answers);
    try {
      await apiRequest('PUT', `/sweeps/${id}/households/${householdId}`, body);
      const room = placeName(household);
      setSaved(room);
      // The next household still to be reached after this one, in the list's order.
      const [order] = await Promise.all([
        fetchAll(`/sweeps/${id}/households?state=remaining`).then(visitOrder),
        new Promise((resolve) => setTimeout(resolve, SAVED_PAUSE_MS)),
      ]);
      const next = order.find((h) => h.household_id > householdId) || order.find((h) => h.household_id !== householdId);
      if (next) {
        lastSaved = { sweep: params.id, room };
        navigate(`/sweeps/${id}/households/${next.household_id}`);
      } else {
        setFinished(true);
      }
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const questionKeys = sweep.questions.map((q) => q.key);
  const placed = error?.field && (questionKeys.includes(error.field) || error.field === 'outcome');

  if (finished) {
    return (
      <main class="page page-narrow" data-testid="sweep-record-finished">
        <p class="message message-ok" role="status" data-testid="record-saved">{t('sweeps.saved', { room: saved })}</p>
        <p class="message message-ok">{t('sweeps.all_done')}</p>
        <p><Link class="button button-primary button-block" href={`/sweeps/${id}/households`} data-testid="back-to-households">
          {t('sweeps.back_households')}</Link></p>
      </main>
    );
  }

  return (
    <main class="page page-narrow" data-testid="sweep-record-page" data-household={householdId}>
      <p class="no-print"><Link href={`/sweeps/${id}/households`}>{t('sweeps.back_households')}</Link></p>
      <div aria-live="polite">
        {saved ? <p class="message message-ok sweep-saved" role="status" data-testid="record-saved">{t('sweeps.saved', { room: saved })}</p> : null}
      </div>
      <h1 data-testid="record-room">{placeName(household)}</h1>
      <p class="lead">
        {household.phone ? <><a href={`tel:${household.phone}`} data-testid="record-phone">{household.phone}</a><br /></> : null}
        <span data-testid="record-current">{t('sweeps.current', { outcome: t(`sweeps.outcome.${household.outcome}`) })}</span>
        {household.recorded_at ? (
          <>
            <br />
            <span class="sweep-last" data-testid="record-last">
              {t('sweeps.last_recorded', { who: household.recorded_by || '' })}{' '}
              <span class="sweep-when">{formatLocal(household.recorded_at, timeZone)}</span>
            </span>
          </>
        ) : null}
      </p>
      <ResidentList residents={household.residents || []} />
      {sweep.state !== 'open' ? <p class="message message-error" data-testid="sweep-not-open">{t('sweeps.not_open')}</p> : null}
      <form class="form" onSubmit={save}>
        <div class="sweep-outcomes" role="radiogroup" aria-label={t('sweeps.outcome_label')}>
          {OUTCOMES.map((value) => (
            <button key={value} type="button" role="radio" aria-checked={outcome === value ? 'true' : 'false'}
              class={`sweep-big sweep-big-${value}${outcome === value ? ' sweep-big-on' : ''}`}
              data-testid={`outcome-${value}`} onClick={() => setOutcome(value)}>
              {t(`sweeps.outcome.${value}`)}
            </button>
          ))}
        </div>
        <FieldError error={error} field="outcome" />
        {outcome === 'answered' ? (
          <section class="section form" data-testid="record-questions">
            {sweep.questions.map((q) => (
              <QuestionInput key={q.key} question={q} lang={lang} value={answers[q.key]}
                onChange={(value) => setAnswers({ ...answers, [q.key]: value })} error={error} />
            ))}
          </section>
        ) : null}
        <div class="field">
          <span class="field-label">{t('sweeps.method')}</span>
          <div class="sweep-pair">
            {['visit', 'phone'].map((value) => (
              <button key={value} type="button" aria-pressed={method === value ? 'true' : 'false'}
                class={`sweep-big${method === value ? ' sweep-big-on' : ''}`} data-testid={`method-${value}`}
                onClick={() => setMethod(value)}>{t(`sweeps.method.${value}`)}</button>
            ))}
          </div>
        </div>
        <div class="field">
          <label class="field-label" for="record-note">{t('sweeps.note')}</label>
          <textarea id="record-note" rows={2} maxLength={500} value={note} data-testid="record-note"
            onInput={(e) => setNote(e.currentTarget.value)} />
          <FieldError error={error} field="note" />
        </div>
        {error && !placed && error.field !== 'note' ? <ErrorMessage error={error} testId="record-error" /> : null}
        <button type="submit" class="button button-primary button-block sweep-save"
          disabled={busy || sweep.state !== 'open'}
          data-testid="record-save">{t('sweeps.save_next')}</button>
      </form>
    </main>
  );
}

// One question, with taps where a choice is enough (yes/no, a list) and a field where
// typing is needed; the server's error for this question's key shows under it.
function QuestionInput({ question, lang, value, onChange, error }) {
  const { t } = useI18n();
  const id = `answer-${question.key}`;
  const label = `${questionLabel(question, lang)}${question.required ? ' *' : ''}`;
  let input;
  if (question.type === 'multi') {
    // Several may apply (降压药 and 降糖药): each choice toggles on its own.
    const chosen = Array.isArray(value) ? value : [];
    input = (
      <div class="sweep-pair" role="group" aria-label={label}>
        {question.choices.map((choice) => {
          const on = chosen.includes(choice);
          return (
            <button key={choice} type="button" role="checkbox" aria-checked={on ? 'true' : 'false'}
              class={`sweep-big${on ? ' sweep-big-on' : ''}`} data-testid={`${id}-${choice}`}
              onClick={() => onChange(on ? chosen.filter((c) => c !== choice) : [...chosen, choice])}>{choice}</button>
          );
        })}
      </div>
    );
  } else if (question.type === 'yes_no' || question.type === 'choice') {
    const options = question.type === 'yes_no'
      ? [[true, t('sweeps.yes')], [false, t('sweeps.no')]]
      : question.choices.map((choice) => [choice, choice]);
    input = (
      <div class="sweep-pair" role="radiogroup" aria-label={label}>
        {options.map(([optionValue, text]) => (
          <button key={String(optionValue)} type="button" role="radio"
            aria-checked={value === optionValue ? 'true' : 'false'}
            class={`sweep-big${value === optionValue ? ' sweep-big-on' : ''}`}
            data-testid={`${id}-${String(optionValue)}`}
            onClick={() => onChange(value === optionValue ? undefined : optionValue)}>{text}</button>
        ))}
      </div>
    );
  } else {
    input = (
      <input id={id} data-testid={id} type={question.type === 'number' ? 'number' : 'text'}
        inputMode={question.type === 'number' ? 'decimal' : undefined} value={value ?? ''}
        aria-invalid={error?.field === question.key ? 'true' : undefined}
        onInput={(e) => onChange(e.currentTarget.value)} />
    );
  }
  return (
    <div class="field" data-testid={`question-${question.key}`}>
      {question.type === 'yes_no' || question.type === 'choice' || question.type === 'multi'
        ? <span class="field-label">{label}</span>
        : <label class="field-label" for={id}>{label}</label>}
      {input}
      <FieldError error={error} field={question.key} testId={`error-${question.key}`} />
    </div>
  );
}

// Who lives there: name, age and the flags that matter at the door, phones to tap.
function ResidentList({ residents }) {
  const { t } = useI18n();
  if (!residents.length) return <p class="sweep-hint" data-testid="record-no-residents">{t('sweeps.no_residents')}</p>;
  return (
    <section class="section sweep-residents" data-testid="record-residents">
      <h2>{t('sweeps.residents')}</h2>
      <ul class="card-list">
        {residents.map((p) => (
          <li key={p.id} data-testid="record-resident">
            <span class="card-title sweep-name">
              {p.name}
              {p.age !== null && p.age !== undefined ? <span class="sweep-hint"> · {t('sweeps.age', { age: p.age })}</span> : null}
            </span>
            {p.flags?.length ? (
              <span class="sweep-flags">
                {p.flags.map((f) => <span key={f} class="sweep-flag" data-testid="record-flag" data-flag={f}>{t(`registry.flag.${f}`)}</span>)}
              </span>
            ) : null}
            {p.phone ? <a class="card-meta" href={`tel:${p.phone}`}>{p.phone}</a> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
