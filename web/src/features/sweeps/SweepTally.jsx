// The tally of a sweep on screen: for each question answered from a list, how many
// households gave each answer ("降压药: 23 户"), over the whole sweep or one block; a
// count opens the households behind it. Printable and exportable like every list (the
// server counts within the reader's scope, so a block leader sees their blocks).
import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../../i18n/index.js';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { fetchAll, placeName, plural, questionLabel } from './common.jsx';

export function SweepTally({ sweep }) {
  const { t, lang } = useI18n();
  const id = encodeURIComponent(sweep.id);
  // The blocks of the reader's scope that the sweep reaches, to count one at a time.
  const blockList = useApiData(`/sweeps/${id}/progress?by=block&limit=500`, [lang]);
  const blocks = blockList.data?.items || [];
  const [block, setBlock] = useState('');
  const [open, setOpen] = useState(null);   // "key\u0000answer" of the count whose households show
  const query = block ? `?block_id=${encodeURIComponent(block)}` : '';
  const tally = useApiData(`/sweeps/${id}/tally${query}`, [lang]);
  const questions = tally.data?.questions || [];
  const items = tally.data?.items || [];
  const base = `/api/v1/sweeps/${id}/tally`;
  const join = query ? '&' : '?';

  if (!tally.loading && !tally.error && questions.length === 0) return null;

  return (
    <section class="section" data-testid="sweep-tally">
      <h2>{t('sweeps.tally')}</h2>
      {blocks.length > 1 ? (
        <div class="field no-print">
          <label class="field-label" for="tally-block">{t('sweeps.field.block')}</label>
          <select id="tally-block" data-testid="tally-block" value={block}
            onChange={(e) => { setBlock(e.currentTarget.value); setOpen(null); }}>
            <option value="">{t('sweeps.all_blocks')}</option>
            {blocks.map((b) => <option key={b.block_id} value={String(b.block_id)}>{b.block_name}</option>)}
          </select>
        </div>
      ) : null}
      {tally.loading && !tally.data ? <Loading /> : null}
      <ErrorMessage error={tally.error} />
      {tally.data ? (
        <p class="sweep-hint" data-testid="tally-answered">{plural(t, 'sweeps.tally_answered', tally.data.answered)}</p>
      ) : null}
      {questions.map((q) => (
        <div class="sweep-tally-question" key={q.key} data-testid="tally-question" data-key={q.key}>
          <h3>{questionLabel(q, lang)}</h3>
          <ul class="sweep-tally-list">
            {items.filter((row) => row.question_key === q.key).map((row) => {
              const key = `${q.key}\u0000${row.answer}`;
              const shown = open === key;
              return (
                <li key={key} data-testid="tally-row" data-answer={row.answer} data-households={row.households}>
                  <button type="button" class="sweep-tally-count" aria-expanded={shown ? 'true' : 'false'}
                    disabled={row.households === 0} data-testid="tally-count"
                    onClick={() => setOpen(shown ? null : key)}>
                    <span class="sweep-tally-answer">{row.answer_label}</span>
                    <span class="sweep-tally-n">{plural(t, 'sweeps.households_n', row.households)}</span>
                  </button>
                  {shown ? <TallyHouseholds sweepId={id} question={q.key} answer={row.answer} block={block} /> : null}
                </li>
              );
            })}
          </ul>
        </div>
      ))}
      <p class="sweep-links no-print">
        <a href={`${base}${query}${join}print=1`} target="_blank" rel="noopener" data-testid="tally-print">{t('sweeps.print')}</a>
        <a href={`${base}?by=block&print=1`} target="_blank" rel="noopener" data-testid="tally-print-blocks">{t('sweeps.print_by_block')}</a>
        <a href={`${base}${query}${join}format=csv`} data-testid="tally-csv">{t('sweeps.export_csv')}</a>
        <a href={`${base}${query}${join}format=xlsx`} data-testid="tally-xlsx">{t('sweeps.export_xlsx')}</a>
      </p>
    </section>
  );
}

// The households behind one count, loaded when the count is tapped.
function TallyHouseholds({ sweepId, question, answer, block }) {
  const { t } = useI18n();
  const [state, setState] = useState({ items: null, error: null });
  useEffect(() => {
    let live = true;
    const path = `/sweeps/${sweepId}/households?question=${encodeURIComponent(question)}&answer=${encodeURIComponent(answer)}`
      + (block ? `&block_id=${encodeURIComponent(block)}` : '');
    fetchAll(path).then(
      (items) => { if (live) setState({ items, error: null }); },
      (error) => { if (live) setState({ items: null, error }); },
    );
    return () => { live = false; };
  }, [sweepId, question, answer, block]);
  if (state.error) return <ErrorMessage error={state.error} />;
  if (!state.items) return <Loading />;
  return (
    <ul class="card-list sweep-tally-households" data-testid="tally-households">
      {state.items.map((h) => (
        <li key={h.household_id} data-testid="tally-household" data-household={h.household_id}>
          <span class="card-title">{placeName(h)}</span>
          <span class="card-meta">
            {h.contact || t('sweeps.no_contact')}
            {h.phone ? <> · <a href={`tel:${h.phone}`}>{h.phone}</a></> : null}
          </span>
        </li>
      ))}
    </ul>
  );
}
