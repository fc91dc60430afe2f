// One household (户): address, state, phone, notes and its people; leaders edit it and
// add residents, committee staff may also move it to another block.
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link, navigate } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { NotFoundPage } from '../../pages/NotFoundPage.jsx';
import {
  Field, FlagChips, FormError, changedFields, numberOrNull, statusOptions, useAllItems, useForm, useRoles,
  Phone,
} from './common.jsx';

export function HouseholdPage({ params }) {
  const { t } = useI18n();
  const { isLeader, isCommittee } = useRoles();
  const { data, error, loading, reload } = useApiData(`/households/${encodeURIComponent(params.id)}`);

  if (loading && !data) return <main class="page"><Loading /></main>;
  if (error && (error.status === 404 || error.status === 400)) return <NotFoundPage />;
  if (error) return <main class="page"><ErrorMessage error={error} /></main>;
  const household = data.household;

  return (
    <main class="page" data-testid="household-page" data-id={household.id}>
      {isLeader ? <p class="no-print"><Link href={`/registry/blocks/${household.block_id}`}>← {household.block_name}</Link></p> : null}
      <HouseholdView household={household} title={t('registry.household.title', { room: household.room })} />
      {isLeader ? <EditHousehold key={`edit-${household.id}`} household={household} canMove={isCommittee} onSaved={reload} /> : null}
      {isLeader ? <AddResident household={household} /> : null}
    </main>
  );
}

// The household and its people, as shown to leaders and to the household itself.
export function HouseholdView({ household, title }) {
  const { t } = useI18n();
  const people = household.residents_list || [];
  return (
    <>
      <h1 data-testid="household-room">{title}</h1>
      <dl class="facts registry-facts" data-testid="household-facts">
        <dt>{t('registry.col.block')}</dt><dd>{household.block_name}</dd>
        <dt>{t('registry.col.status')}</dt><dd data-testid="household-status">{t(`registry.status.${household.status}`)}</dd>
        <dt>{t('registry.col.phone')}</dt><dd data-testid="household-phone">{household.phone ? <Phone number={household.phone} /> : '—'}</dd>
        {household.notes ? <><dt>{t('registry.col.notes')}</dt><dd>{household.notes}</dd></> : null}
      </dl>
      <section class="section" data-testid="household-residents">
        <h2>{t('registry.household.residents', { count: people.length })}</h2>
        <ul class="card-list">
          {people.map((resident) => (
            <li key={resident.id} class="card" data-testid="household-resident" data-id={resident.id}>
              <ResidentName resident={resident} />
              <span class="card-meta">
                {[resident.age !== null && resident.age !== undefined ? t('registry.age_years', { age: resident.age }) : '',
                  resident.id_masked].filter(Boolean).join(' · ')}
              </span>
              {resident.phone ? <span class="card-meta"><Phone number={resident.phone} /></span> : null}
              <FlagChips flags={resident.flags} />
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

function ResidentName({ resident }) {
  const { isLeader } = useRoles();
  if (!isLeader) return <span class="card-title">{resident.name}</span>;
  return <Link class="card-title" href={`/registry/residents/${resident.id}`}>{resident.name}</Link>;
}

const HOUSEHOLD_FIELDS = ['room', 'status', 'phone', 'notes', 'block_id'];

function EditHousehold({ household, canMove, onSaved }) {
  const { t } = useI18n();
  const original = { room: household.room, status: household.status, phone: household.phone || '', notes: household.notes || '', block_id: String(household.block_id) };
  const form = useForm(original);
  const blocks = useAllItems(canMove ? '/blocks' : null);
  const save = form.submit(async (values) => {
    const body = changedFields(values, original, canMove ? HOUSEHOLD_FIELDS : HOUSEHOLD_FIELDS.filter((name) => name !== 'block_id'));
    if ('block_id' in body) body.block_id = numberOrNull(body.block_id);
    if (Object.keys(body).length === 0) return;
    await api.patch(`/households/${household.id}`, body);
    onSaved();
  });
  return (
    <section class="section no-print">
      <details class="registry-edit" data-testid="edit-household">
        <summary>{t('registry.household.edit')}</summary>
        <form class="form" data-testid="household-form" onSubmit={save}>
          <Field form={form} name="room" label={t('registry.col.room')} maxlength={64} />
          <Field form={form} name="status" type="select" label={t('registry.col.status')} options={statusOptions(t, false)} />
          <Field form={form} name="phone" type="tel" label={t('registry.col.phone')} />
          <Field form={form} name="notes" type="textarea" label={t('registry.col.notes')} rows={2} />
          {canMove ? (
            <Field form={form} name="block_id" type="select" label={t('registry.household.move_block')}
              options={(blocks.items || [{ id: household.block_id, name: household.block_name }]).map((block) => ({ value: String(block.id), label: block.name }))} />
          ) : null}
          <FormError form={form} fields={HOUSEHOLD_FIELDS} />
          {form.done ? <p class="message message-ok" data-testid="household-saved">{t('registry.saved')}</p> : null}
          <button type="submit" class="button button-primary" disabled={form.busy} data-testid="household-save">{t('common.save')}</button>
        </form>
      </details>
    </section>
  );
}

export const RESIDENT_FIELDS = ['name', 'gender', 'birth_year', 'birth_date', 'phone', 'id_kind', 'id_number', 'languages', 'owner', 'floating', 'party_member'];

// The inputs of a resident record, shared by "add" here and "edit" on the resident page.
export function ResidentFields({ form, withIdNumber = true }) {
  const { t } = useI18n();
  return (
    <>
      <Field form={form} name="name" label={t('registry.col.name')} maxlength={64} required />
      <div class="registry-grid">
        <Field form={form} name="gender" type="select" label={t('registry.col.gender')} options={[
          { value: '', label: '—' }, { value: 'f', label: t('registry.gender.f') }, { value: 'm', label: t('registry.gender.m') }]} />
        <Field form={form} name="birth_year" type="number" inputmode="numeric" label={t('registry.col.birth_year')} />
        <Field form={form} name="birth_date" type="date" label={t('registry.col.birth_date')} />
        <Field form={form} name="phone" type="tel" label={t('registry.col.phone')} />
        <Field form={form} name="id_kind" type="select" label={t('registry.col.id_kind')} options={[
          { value: 'cn_id', label: t('registry.id_kind.cn_id') }, { value: 'passport', label: t('registry.id_kind.passport') },
          { value: 'other', label: t('registry.id_kind.other') }]} />
        {withIdNumber ? <Field form={form} name="id_number" label={t('registry.col.id_number')} autocomplete="off" /> : null}
        <Field form={form} name="languages" label={t('registry.col.languages')} placeholder="zh,en" />
      </div>
      <div class="registry-checks">
        <Field form={form} name="owner" type="checkbox" label={t('registry.col.owner')} />
        <Field form={form} name="floating" type="checkbox" label={t('registry.col.floating')} />
        <Field form={form} name="party_member" type="checkbox" label={t('registry.col.party_member')} />
      </div>
    </>
  );
}

// Empty boxes are not sent: the server then keeps its defaults (or derives them).
export function residentBody(values, names) {
  const body = {};
  for (const name of names) {
    const value = values[name];
    if (typeof value === 'boolean') body[name] = value;
    else if (name === 'birth_year') { if (value !== '' && value !== undefined) body[name] = numberOrNull(value); }
    else if (value !== '' && value !== undefined && value !== null) body[name] = typeof value === 'string' ? value.trim() : value;
  }
  return body;
}

const EMPTY_RESIDENT = { name: '', gender: '', birth_year: '', birth_date: '', phone: '', id_kind: 'cn_id', id_number: '', languages: '', owner: false, floating: false, party_member: false };

function AddResident({ household }) {
  const { t } = useI18n();
  const form = useForm(EMPTY_RESIDENT);
  const add = form.submit(async (values) => {
    const body = { household_id: household.id, ...residentBody(values, RESIDENT_FIELDS) };
    if (!body.id_number) delete body.id_kind;
    const answer = await api.post('/residents', body);
    navigate(`/registry/residents/${answer.resident.id}`);
  });
  return (
    <section class="section no-print">
      <details class="registry-edit" data-testid="add-resident">
        <summary>{t('registry.household.add_resident')}</summary>
        <form class="form" data-testid="add-resident-form" onSubmit={add}>
          <ResidentFields form={form} />
          <FormError form={form} fields={RESIDENT_FIELDS} />
          <button type="submit" class="button button-primary" disabled={form.busy} data-testid="add-resident-submit">{t('registry.household.add_resident')}</button>
        </form>
      </details>
    </section>
  );
}
