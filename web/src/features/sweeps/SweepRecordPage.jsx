// /sweeps/:id/households/:household: one household's visit. The leader taps what
// happened (answered, not at home, refused), answers the questions when answered,
// saves, and goes straight on to the next household still to be reached.
import { useEffect, useState } from 'preact/hooks';
import { apiRequest } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link, navigate } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { FieldError, OUTCOMES, fetchAll, placeName, questionLabel } from './common.jsx';
import { visitOrder } from './SweepHouseholdsPage.jsx';

// Answers as the form keeps them (strings for typed fields) -> as the server takes them.
function answersBody(questions, answers) {
  const out = {};
  for (const q of questions) {
    const value = answers[q.key];
    if (value === undefined || value === null || value === '') continue;
    out[q.key] = q.type === 'number' ? Number(value) : value;
  }
  return out;
}

export function SweepRecordPage({ params }) {
  const { t, lang } = useI18n();
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
      // The next household still to be reached after this one, in the list's order.
      const order = visitOrder(await fetchAll(`/sweeps/${id}/households?state=remaining`));
      const next = order.find((h) => h.household_id > householdId) || order.find((h) => h.household_id !== householdId);
      if (next) navigate(`/sweeps/${id}/households/${next.household_id}`);
      else setFinished(true);
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
        <p class="message message-ok">{t('sweeps.all_done')}</p>
        <p><Link class="button button-primary button-block" href={`/sweeps/${id}/households`} data-testid="back-to-households">
          {t('sweeps.back_households')}</Link></p>
      </main>
    );
  }

  return (
    <main class="page page-narrow" data-testid="sweep-record-page" data-household={householdId}>
      <p class="no-print"><Link href={`/sweeps/${id}/households`}>{t('sweeps.back_households')}</Link></p>
      <h1 data-testid="record-room">{placeName(household)}</h1>
      <p class="lead">
        {household.contact || t('sweeps.no_contact')}
        {household.phone ? <> · <a href={`tel:${household.phone}`}>{household.phone}</a></> : null}
        <br />
        <span data-testid="record-current">{t('sweeps.current', { outcome: t(`sweeps.outcome.${household.outcome}`) })}</span>
      </p>
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
        <button type="submit" class="button button-primary button-block sweep-save" disabled={busy || sweep.state !== 'open'}
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
  if (question.type === 'yes_no' || question.type === 'choice') {
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
      {question.type === 'yes_no' || question.type === 'choice'
        ? <span class="field-label">{label}</span>
        : <label class="field-label" for={id}>{label}</label>}
      {input}
      <FieldError error={error} field={question.key} testId={`error-${question.key}`} />
    </div>
  );
}
