// /sweeps/new and /sweeps/:id/edit (committee): title, the question set and the target;
// the sweep is saved as a draft and opened from its own page, when the target
// households are fixed. A new sweep may start from a template (returnees, medicine
// needs, vaccination). Questions are named by their labels only: the field name the
// answers are stored under is the server's business (kept, unseen, when editing).
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link, navigate } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { FLAGS, FieldError, QUESTION_TYPES } from './common.jsx';

const STATUSES = ['occupied', 'away', 'vacant', 'rented_out'];

function blankQuestion() {
  return { key: '', label_zh: '', label_en: '', type: 'yes_no', choices: '', required: false };
}

// A question as the server gives it -> as the form keeps it (choices one per line).
function formQuestion(q) {
  return { key: q.key || '', label_zh: q.label_zh || '', label_en: q.label_en && q.label_en !== q.label_zh ? q.label_en : '',
    type: q.type, choices: (q.choices || []).join('\n'), required: Boolean(q.required) };
}

// /sweeps/:id/edit: the draft loaded first, then the same form.
export function SweepEditPage({ params }) {
  const { data, error, loading } = useApiData(`/sweeps/${encodeURIComponent(params.id)}`);
  const sweep = data?.sweep;
  if (loading && !sweep) return <main class="page"><Loading /></main>;
  if (!sweep) return <main class="page"><ErrorMessage error={error} /></main>;
  return <SweepNewPage draft={sweep} />;
}

export function SweepNewPage({ draft = null }) {
  const { t } = useI18n();
  const draftFilter = draft?.target_kind === 'filter' ? draft.target_filter : {};
  const [title, setTitle] = useState(draft?.title || '');
  const [description, setDescription] = useState(draft?.description || '');
  const [questions, setQuestions] = useState(draft ? draft.questions.map(formQuestion) : [blankQuestion()]);
  const [targetKind, setTargetKind] = useState(draft?.target_kind || 'all');
  const [filter, setFilter] = useState({
    zone_id: draftFilter.zone_id ? String(draftFilter.zone_id) : '', block_id: draftFilter.block_id ? String(draftFilter.block_id) : '',
    status: draftFilter.status || '', flag: draftFilter.flag || '',
  });
  const [picked, setPicked] = useState(() => new Set(draft?.target_filter?.household_ids || []));
  const [listBlock, setListBlock] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const zones = useApiData('/zones?limit=500');
  const blocks = useApiData('/blocks?limit=500');
  const templates = useApiData('/sweeps/templates');

  const applyTemplate = (tpl) => {
    setTitle(tpl.title);
    setDescription(tpl.description || '');
    setQuestions(tpl.questions.map(formQuestion));
    setError(null);
  };

  const setQuestion = (index, change) => setQuestions(questions.map((q, i) => (i === index ? { ...q, ...change } : q)));

  const body = () => {
    const out = {
      title: title.trim(),
      description,
      questions: questions.map((q) => {
        const question = { label_zh: q.label_zh.trim(), type: q.type, required: q.required };
        if (q.key) question.key = q.key;
        if (q.label_en.trim()) question.label_en = q.label_en.trim();
        if (q.type === 'choice' || q.type === 'multi') question.choices = q.choices.split('\n').map((c) => c.trim()).filter(Boolean);
        return question;
      }),
      target_kind: targetKind,
    };
    if (targetKind === 'filter') {
      out.target_filter = {};
      if (filter.zone_id) out.target_filter.zone_id = Number(filter.zone_id);
      if (filter.block_id) out.target_filter.block_id = Number(filter.block_id);
      if (filter.status) out.target_filter.status = filter.status;
      if (filter.flag) out.target_filter.flag = filter.flag;
    }
    if (targetKind === 'list') out.household_ids = [...picked];
    return out;
  };

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = draft ? await api.put(`/sweeps/${draft.id}`, body()) : await api.post('/sweeps', body());
      navigate(`/sweeps/${answer.sweep.id}`);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  const zoneList = zones.data?.items || [];
  const blockList = (blocks.data?.items || []).filter((b) => !filter.zone_id || String(b.zone_id) === filter.zone_id);
  // A general error is one the form has no field for.
  const placed = error?.field && /^(title|description|questions|target_kind|target_filter|household_ids)/.test(error.field);

  return (
    <main class="page" data-testid="sweep-new-page">
      <p class="no-print">
        {draft ? <Link href={`/sweeps/${draft.id}`}>{t('sweeps.back_sweep')}</Link> : <Link href="/sweeps">{t('sweeps.back_list')}</Link>}
      </p>
      <h1>{draft ? t('sweeps.edit_title') : t('sweeps.new')}</h1>
      {!draft && templates.data?.items?.length ? (
        <section class="section" data-testid="sweep-templates">
          <h2>{t('sweeps.templates')}</h2>
          <p class="sweep-hint">{t('sweeps.templates_hint')}</p>
          <div class="sweep-template-list">
            {templates.data.items.map((tpl) => (
              <button key={tpl.key} type="button" class="button" data-testid={`template-${tpl.key}`}
                onClick={() => applyTemplate(tpl)}>{tpl.title}</button>
            ))}
          </div>
        </section>
      ) : null}
      <form class="form" onSubmit={submit}>
        <section class="section form">
          <div class="field">
            <label class="field-label" for="sweep-title">{t('sweeps.field.title')}</label>
            <input id="sweep-title" data-testid="sweep-title" value={title} maxLength={100}
              aria-invalid={error?.field === 'title' ? 'true' : undefined}
              onInput={(e) => setTitle(e.currentTarget.value)} />
            <FieldError error={error} field="title" />
          </div>
          <div class="field">
            <label class="field-label" for="sweep-description">{t('sweeps.field.description')}</label>
            <textarea id="sweep-description" data-testid="sweep-description" rows={3} value={description}
              onInput={(e) => setDescription(e.currentTarget.value)} />
            <FieldError error={error} field="description" />
          </div>
        </section>

        <section class="section form" data-testid="sweep-questions">
          <h2>{t('sweeps.questions')}</h2>
          {error?.field === 'questions' ? <FieldError error={error} field="questions" /> : null}
          {questions.map((q, index) => (
            <fieldset class="sweep-question-edit" key={index} data-testid={`question-${index}`}>
              <legend>{t('sweeps.question_n', { n: index + 1 })}</legend>
              <div class="field">
                <label class="field-label" for={`q-${index}-label_zh`}>{t('sweeps.field.label_zh')}</label>
                <input id={`q-${index}-label_zh`} data-testid={`question-${index}-label_zh`} value={q.label_zh}
                  onInput={(e) => setQuestion(index, { label_zh: e.currentTarget.value })} />
              </div>
              <div class="field">
                <label class="field-label" for={`q-${index}-label_en`}>{t('sweeps.field.label_en')}</label>
                <input id={`q-${index}-label_en`} data-testid={`question-${index}-label_en`} value={q.label_en}
                  onInput={(e) => setQuestion(index, { label_en: e.currentTarget.value })} />
              </div>
              <div class="field">
                <label class="field-label" for={`q-${index}-type`}>{t('sweeps.field.type')}</label>
                <select id={`q-${index}-type`} data-testid={`question-${index}-type`} value={q.type}
                  onChange={(e) => setQuestion(index, { type: e.currentTarget.value })}>
                  {QUESTION_TYPES.map((type) => <option key={type} value={type}>{t(`sweeps.type.${type}`)}</option>)}
                </select>
              </div>
              {q.type === 'choice' || q.type === 'multi' ? (
                <div class="field">
                  <label class="field-label" for={`q-${index}-choices`}>{t('sweeps.field.choices')}</label>
                  <textarea id={`q-${index}-choices`} data-testid={`question-${index}-choices`}
                    rows={Math.min(8, Math.max(3, q.choices.split('\n').length + 1))} value={q.choices}
                    onInput={(e) => setQuestion(index, { choices: e.currentTarget.value })} />
                </div>
              ) : null}
              <label class="sweep-check">
                <input type="checkbox" checked={q.required} data-testid={`question-${index}-required`}
                  onChange={(e) => setQuestion(index, { required: e.currentTarget.checked })} />
                {t('sweeps.field.required')}
              </label>
              <FieldError error={error} field={`questions[${index}]`} prefix testId={`error-question-${index}`} />
              {questions.length > 1 ? (
                <button type="button" class="button button-quiet" data-testid={`question-${index}-remove`}
                  onClick={() => setQuestions(questions.filter((_, i) => i !== index))}>
                  {t('sweeps.remove_question')}
                </button>
              ) : null}
            </fieldset>
          ))}
          <button type="button" class="button button-block" data-testid="question-add"
            onClick={() => setQuestions([...questions, blankQuestion()])}>
            {t('sweeps.add_question')}
          </button>
        </section>

        <section class="section form" data-testid="sweep-target">
          <h2>{t('sweeps.target')}</h2>
          <div class="sweep-choices" role="radiogroup">
            {['all', 'filter', 'list'].map((kind) => (
              <label class="sweep-check" key={kind}>
                <input type="radio" name="target_kind" value={kind} checked={targetKind === kind}
                  data-testid={`target-${kind}`} onChange={() => setTargetKind(kind)} />
                {t(`sweeps.target.${kind}`)}
              </label>
            ))}
          </div>
          <FieldError error={error} field="target_kind" />
          {targetKind === 'filter' ? (
            <>
              <div class="field">
                <label class="field-label" for="target-zone">{t('sweeps.field.zone')}</label>
                <select id="target-zone" data-testid="target-zone" value={filter.zone_id}
                  onChange={(e) => setFilter({ ...filter, zone_id: e.currentTarget.value, block_id: '' })}>
                  <option value="">{t('sweeps.any')}</option>
                  {zoneList.map((z) => <option key={z.id} value={String(z.id)}>{z.name}</option>)}
                </select>
                <FieldError error={error} field="target_filter.zone_id" />
              </div>
              <div class="field">
                <label class="field-label" for="target-block">{t('sweeps.field.block')}</label>
                <select id="target-block" data-testid="target-block" value={filter.block_id}
                  onChange={(e) => setFilter({ ...filter, block_id: e.currentTarget.value })}>
                  <option value="">{t('sweeps.any')}</option>
                  {blockList.map((b) => <option key={b.id} value={String(b.id)}>{b.name}</option>)}
                </select>
                <FieldError error={error} field="target_filter.block_id" />
              </div>
              <div class="field">
                <label class="field-label" for="target-status">{t('sweeps.field.status')}</label>
                <select id="target-status" data-testid="target-status" value={filter.status}
                  onChange={(e) => setFilter({ ...filter, status: e.currentTarget.value })}>
                  <option value="">{t('sweeps.any')}</option>
                  {STATUSES.map((s) => <option key={s} value={s}>{t(`sweeps.status.${s}`)}</option>)}
                </select>
                <FieldError error={error} field="target_filter.status" />
              </div>
              <div class="field">
                <label class="field-label" for="target-flag">{t('sweeps.field.flag')}</label>
                <select id="target-flag" data-testid="target-flag" value={filter.flag}
                  onChange={(e) => setFilter({ ...filter, flag: e.currentTarget.value })}>
                  <option value="">{t('sweeps.any')}</option>
                  {FLAGS.map((f) => <option key={f} value={f}>{t(`registry.flag.${f}`)}</option>)}
                </select>
                <span class="sweep-hint">{t('sweeps.flag_hint')}</span>
                <FieldError error={error} field="target_filter.flag" />
              </div>
              <FieldError error={error} field="target_filter" />
            </>
          ) : null}
          {targetKind === 'list' ? (
            <HouseholdPicker blocks={blocks.data?.items || []} block={listBlock} setBlock={setListBlock}
              picked={picked} setPicked={setPicked} error={error} />
          ) : null}
          <ErrorMessage error={zones.error || blocks.error} />
        </section>

        {error && !placed ? <ErrorMessage error={error} testId="sweep-new-error" /> : null}
        <button type="submit" class="button button-primary button-block" disabled={busy} data-testid="sweep-create">
          {draft ? t('sweeps.save_draft') : t('sweeps.create')}
        </button>
      </form>
    </main>
  );
}

// A list target: pick a block, tick its households; ticks in other blocks are kept.
function HouseholdPicker({ blocks, block, setBlock, picked, setPicked, error }) {
  const { t } = useI18n();
  const toggle = (id) => {
    const next = new Set(picked);
    if (next.has(id)) next.delete(id); else next.add(id);
    setPicked(next);
  };
  return (
    <div class="form">
      <div class="field">
        <label class="field-label" for="target-list-block">{t('sweeps.field.block')}</label>
        <select id="target-list-block" data-testid="target-list-block" value={block}
          onChange={(e) => setBlock(e.currentTarget.value)}>
          <option value="">{t('sweeps.pick_block')}</option>
          {blocks.map((b) => <option key={b.id} value={String(b.id)}>{b.name}</option>)}
        </select>
      </div>
      {block ? <BlockHouseholds key={block} block={block} picked={picked} toggle={toggle} /> : null}
      <p class="sweep-hint" data-testid="target-picked">{t('sweeps.picked', { count: picked.size })}</p>
      <FieldError error={error} field="household_ids" />
    </div>
  );
}

function BlockHouseholds({ block, picked, toggle }) {
  const { data, error } = useApiData(`/blocks/${encodeURIComponent(block)}/households?limit=500`);
  return (
    <>
      <ErrorMessage error={error} />
      <ul class="sweep-pick-list">
        {(data?.items || []).map((h) => (
          <li key={h.id}>
            <label class="sweep-check">
              <input type="checkbox" checked={picked.has(h.id)} data-testid="target-household"
                onChange={() => toggle(h.id)} />
              {h.room}
            </label>
          </li>
        ))}
      </ul>
    </>
  );
}
