// /help/new: asking for help in a few taps on a phone — what kind, how urgent, what is
// needed. A leader first picks the resident (someone without a smartphone, or a phone
// call taken) and the request is recorded as on their behalf.
import { useRef, useState } from 'preact/hooks';
import { api, newIdempotencyKey } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { hasAnyRole } from '../../roles.js';
import { navigate } from '../../router.jsx';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { PeoplePicker } from '../volunteers/PeoplePicker.jsx';
import { KINDS, KIND_DETAILS, LEADERS } from './common.jsx';

export function HelpNewPage() {
  const { t } = useI18n();
  const { session } = useSession();
  const leader = hasAnyRole(session.user, LEADERS);
  const ownHousehold = hasAnyRole(session.user, ['resident']);
  const [form, setForm] = useState({ kind: '', urgency: 'normal', summary: '', details: {}, contact_phone: '', channel: 'in_person' });
  const [forWhom, setForWhom] = useState(null);
  const [state, setState] = useState({ busy: false, error: null });
  // One key per request being written: pressing again after a lost answer is safe.
  const key = useRef(newIdempotencyKey());
  const set = (field) => (e) => setForm({ ...form, [field]: e.currentTarget.value });
  const setDetail = (field) => (e) => setForm({ ...form, details: { ...form.details, [field]: e.currentTarget.value } });

  async function submit(event) {
    event.preventDefault();
    if (!form.kind) {
      setState({ busy: false, error: { message: t('help.new.pick_kind'), hasServerMessage: true } });
      return;
    }
    const details = {};
    for (const k of KIND_DETAILS[form.kind] || []) if (form.details[k]) details[k] = form.details[k];
    const body = { kind: form.kind, urgency: form.urgency, summary: form.summary, details };
    if (form.contact_phone) body.contact_phone = form.contact_phone;
    if (forWhom) { body.resident_id = forWhom.id; body.channel = form.channel; }
    setState({ busy: true, error: null });
    try {
      const answer = await api.post('/help-requests', body, { idempotencyKey: key.current });
      navigate(`/help/${answer.request.id}`);
    } catch (error) {
      setState({ busy: false, error });
    }
  }

  const needsPerson = leader && !ownHousehold && !forWhom;
  return (
    <main class="page page-narrow" data-testid="help-new-page">
      <h1>{t('help.new.title')}</h1>
      {leader ? (
        <section data-testid="help-for">
          <h2>{t('help.new.for_whom')}</h2>
          {forWhom ? (
            <p data-testid="help-for-picked">{t('help.new.for_resident', { name: forWhom.name, room: forWhom.room || '' })}{' '}
              <button class="button" type="button" onClick={() => setForWhom(null)}>{t('help.new.change')}</button></p>
          ) : (
            <>
              {ownHousehold ? <p class="lead">{t('help.new.own_or_other')}</p> : null}
              <PeoplePicker source="residents" label={t('help.new.find_resident')} action={t('help.new.pick')} onPick={setForWhom} testId="help-resident" />
            </>
          )}
          {forWhom ? (
            <fieldset class="help-urgency">
              <legend>{t('help.field.channel')}</legend>
              {['in_person', 'phone'].map((c) => (
                <label key={c}><input type="radio" name="channel" value={c} checked={form.channel === c} onChange={set('channel')} />{t(`help.channel.${c}`)}</label>
              ))}
            </fieldset>
          ) : null}
        </section>
      ) : null}
      {needsPerson ? null : (
        <form class="form" onSubmit={submit} data-testid="help-form">
          <fieldset>
            <legend>{t('help.field.kind')}</legend>
            <div class="help-kinds">
              {KINDS.map((k) => (
                <button key={k} type="button" class="help-kind" aria-pressed={form.kind === k} onClick={() => setForm({ ...form, kind: k })}
                  data-testid={`help-kind-${k}`}>{t(`help.kind.${k}`)}</button>
              ))}
            </div>
          </fieldset>
          <fieldset class="help-urgency">
            <legend>{t('help.field.urgency')}</legend>
            <label><input type="radio" name="urgency" value="normal" checked={form.urgency === 'normal'} onChange={set('urgency')} />{t('help.urgency.normal')}</label>
            <label><input type="radio" name="urgency" value="urgent" checked={form.urgency === 'urgent'} onChange={set('urgency')} data-testid="help-urgent" />
              <span>{t('help.urgency.urgent')}<br /><small>{t('help.urgency.urgent_hint')}</small></span></label>
          </fieldset>
          {(KIND_DETAILS[form.kind] || []).map((d) => (
            <label key={d} class="field"><span class="field-label">{t(`help.detail.${d}`)}</span>
              <input value={form.details[d] || ''} onInput={setDetail(d)} maxLength={200} data-testid={`help-detail-${d}`} /></label>
          ))}
          <label class="field"><span class="field-label">{t('help.field.summary')}</span>
            <textarea rows="4" value={form.summary} onInput={set('summary')} required maxLength={1000} placeholder={t('help.field.summary_hint')} data-testid="help-summary" /></label>
          <label class="field"><span class="field-label">{t('help.field.contact_phone')}</span>
            <input type="tel" value={form.contact_phone} onInput={set('contact_phone')} placeholder={t('help.field.contact_phone_hint')} /></label>
          <ErrorMessage error={state.error} />
          <button class="button button-primary button-block" type="submit" disabled={state.busy} data-testid="help-submit">{t('help.new.submit')}</button>
        </form>
      )}
    </main>
  );
}
