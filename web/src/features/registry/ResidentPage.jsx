// One resident (居民): the record with the ID number masked, vulnerability flags with
// their history, home isolation, travel, editing, moving; committee staff may reveal
// the ID number once (every reveal is audited).
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { ResidentLogin } from '../logins/LoginPanels.jsx';
import { NotFoundPage } from '../../pages/NotFoundPage.jsx';
import {
  ExportLinks, Field, FlagChips, FormError, LoadMore, changedFields, flagOptions, formatTime, useForm, usePagedList, useRoles,
} from './common.jsx';
import { RESIDENT_FIELDS, ResidentFields, residentBody } from './HouseholdPage.jsx';

// The languages a resident speaks are stored as codes ("zh,en"); people read names.
const LANGUAGE_CODES = ['zh', 'en', 'yue', 'wuu', 'ja', 'ko', 'fr', 'de', 'ru', 'es'];
function languageNames(codes, t) {
  return (codes || '').split(/[,\s]+/).filter(Boolean)
    .map((code) => (LANGUAGE_CODES.includes(code) ? t(`registry.language.${code}`) : code)).join('、');
}

export function ResidentPage({ params }) {
  const { t } = useI18n();
  const { isLeader, isCommittee } = useRoles();
  // Bumped after every write, so the record, the flags and their history reload together.
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((value) => value + 1);
  const { data, error, loading } = useApiData(`/residents/${encodeURIComponent(params.id)}`, [version]);

  if (loading && !data) return <main class="page"><Loading /></main>;
  if (error && (error.status === 404 || error.status === 400)) return <NotFoundPage />;
  if (error && !data) return <main class="page"><ErrorMessage error={error} /></main>;
  const resident = data.resident;

  return (
    <main class="page" data-testid="resident-page" data-id={resident.id}>
      <p class="no-print"><Link href={`/registry/households/${resident.household_id}`}>← {resident.room}</Link></p>
      <h1 data-testid="resident-name">{resident.name}</h1>
      <ResidentFacts resident={resident} />
      <FlagsSection key={`flags-${version}`} resident={resident} canWrite={isLeader && !resident.moved_out} onChange={changed} />
      <IsolationSection key={`iso-${version}`} resident={resident} canWrite={isLeader && !resident.moved_out} onChange={changed} />
      <TravelSection resident={resident} canWrite={isLeader} />
      {isLeader ? <EditResident resident={resident} onSaved={changed} /> : null}
      {isLeader ? <MoveResident resident={resident} onMoved={changed} /> : null}
      {'account' in resident ? <ResidentLogin resident={resident} canMakeVolunteer={isCommittee} onChange={changed} /> : null}
    </main>
  );
}

function ResidentFacts({ resident }) {
  const { t } = useI18n();
  const { isCommittee } = useRoles();
  const yes = (value) => (value ? t('registry.yes') : t('registry.no'));
  return (
    <section class="section">
      {resident.moved_out ? <p class="message message-error" data-testid="moved-out">{t('registry.resident.moved_out')}</p> : null}
      <dl class="facts registry-facts" data-testid="resident-facts">
        <dt>{t('registry.col.room')}</dt><dd><Link href={`/registry/households/${resident.household_id}`}>{resident.room}</Link></dd>
        <dt>{t('registry.col.block')}</dt><dd>{resident.block_name}</dd>
        <dt>{t('registry.col.gender')}</dt><dd>{resident.gender ? t(`registry.gender.${resident.gender}`) : '—'}</dd>
        <dt>{t('registry.col.birth')}</dt>
        <dd>{resident.birth_date || resident.birth_year || '—'}{resident.age !== null && resident.age !== undefined ? ` (${t('registry.age_years', { age: resident.age })})` : ''}</dd>
        <dt>{t('registry.col.phone')}</dt><dd data-testid="resident-phone">{resident.phone || '—'}</dd>
        <dt>{t('registry.col.id_number')}</dt>
        <dd data-testid="resident-id-masked">{resident.id_masked ? `${t(`registry.id_kind.${resident.id_kind || 'other'}`)} ${resident.id_masked}` : '—'}</dd>
        <dt>{t('registry.col.languages')}</dt><dd>{languageNames(resident.languages, t) || '—'}</dd>
        <dt>{t('registry.col.owner')}</dt><dd>{yes(resident.owner)}</dd>
        <dt>{t('registry.col.floating')}</dt><dd>{yes(resident.floating)}</dd>
        <dt>{t('registry.col.party_member')}</dt><dd>{yes(resident.party_member)}</dd>
      </dl>
      <FlagChips flags={resident.flags} />
      {isCommittee && resident.id_masked ? <RevealId resident={resident} /> : null}
    </section>
  );
}

// The clear number is shown once, in this component's state only, and never cached.
function RevealId({ resident }) {
  const { t } = useI18n();
  const [number, setNumber] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const reveal = async () => {
    setBusy(true);
    setError(null);
    try {
      setNumber((await api.post(`/residents/${resident.id}/reveal-id`, {})).id_number);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="registry-reveal no-print" data-testid="reveal-id">
      <p class="card-meta">{t('registry.reveal.explain')}</p>
      {number ? (
        <p class="registry-revealed">
          <span data-testid="revealed-id">{number}</span> <button type="button" class="button button-quiet" onClick={() => setNumber(null)}>{t('registry.reveal.hide')}</button>
        </p>
      ) : (
        <button type="button" class="button" disabled={busy} onClick={reveal} data-testid="reveal-id-button">{t('registry.reveal.button')}</button>
      )}
      <ErrorMessage error={error} testId="reveal-error" />
    </div>
  );
}

// The detail inputs each flag takes (docs/api.md, POST /residents/{id}/flags).
const FLAG_DETAILS = {
  pregnant: [['due_date', 'date'], ['hospital', 'text']],
  chronic_illness: [['condition', 'text'], ['medicine', 'text']],
  no_smartphone: [['relay_name', 'text'], ['relay_user_id', 'number']],
  home_isolation: [['start', 'date'], ['planned_end', 'date'], ['reason', 'text']],
  alone_elderly: [['caregiver', 'text']],
  disabled: [['kind', 'text'], ['grade', 'text']],
  bedridden: [['caregiver', 'text']],
};
const DETAIL_FIELDS = [...new Set(Object.values(FLAG_DETAILS).flat().map(([name]) => name))];

function detailBody(flag, values) {
  const detail = {};
  for (const [name, type] of FLAG_DETAILS[flag] || []) {
    const value = (values[`detail.${name}`] ?? '').trim();
    if (value === '') continue;
    detail[name] = type === 'number' && /^\d+$/.test(value) ? Number(value) : value;
  }
  return detail;
}

// The account behind a change: its display name from the server, else its number (an
// account that no longer exists), else "not recorded" (clears from before that was kept).
function whoText(t, userId, name) {
  if (name) return name;
  if (userId === null || userId === undefined) return t('registry.flaghist.unknown');
  return t('registry.flaghist.user', { id: userId });
}

function detailText(t, detail) {
  return Object.entries(detail || {}).map(([key, value]) => `${t(`registry.detail.${key}`)}: ${value}`).join(' · ');
}

function FlagsSection({ resident, canWrite, onChange }) {
  const { t, lang } = useI18n();
  const history = usePagedList(`/residents/${resident.id}/flags?history=1`, [lang]);
  // Entries that a newer entry replaced: the newer one is a change, not a first setting.
  const replacing = new Set(history.items.map((entry) => entry.replaced_by).filter(Boolean));
  const [clearError, setClearError] = useState(null);
  const emptyDetails = Object.fromEntries(DETAIL_FIELDS.map((name) => [`detail.${name}`, '']));
  const form = useForm({ flag: 'alone_elderly', ...emptyDetails });
  const flag = form.values.flag;
  const current = history.items.filter((entry) => entry.current);

  const setFlag = form.submit(async (values) => {
    await api.post(`/residents/${resident.id}/flags`, { flag: values.flag, detail: detailBody(values.flag, values) });
    onChange();
  });
  const clear = async (name) => {
    setClearError(null);
    try {
      await api.del(`/residents/${resident.id}/flags/${encodeURIComponent(name)}`);
      onChange();
    } catch (failure) {
      setClearError(failure);
    }
  };

  return (
    <section class="section" data-testid="flags-section">
      <h2>{t('registry.flags.title')}</h2>
      {current.length === 0 && !history.loading ? <p class="card-meta" data-testid="flags-none">{t('registry.flags.none')}</p> : null}
      <ul class="card-list" data-testid="current-flags">
        {current.map((entry) => (
          <li key={entry.id} class="card" data-testid="current-flag" data-flag={entry.flag}>
            <span class="card-title">{t(`registry.flag.${entry.flag}`)}</span>
            {detailText(t, entry.detail) ? <span class="card-meta">{detailText(t, entry.detail)}</span> : null}
            <span class="card-meta">{t('registry.flags.set_at', { when: formatTime(entry.set_at, lang), who: whoText(t, entry.set_by, entry.set_by_label || entry.set_by_name) })}</span>
            {canWrite ? (
              <button type="button" class="button button-quiet no-print" data-testid={`clear-flag-${entry.flag}`} onClick={() => clear(entry.flag)}>
                {t('registry.flags.clear')}
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      <ErrorMessage error={clearError} testId="clear-flag-error" />
      {canWrite ? (
        <form class="form registry-subform no-print" data-testid="flag-form" onSubmit={setFlag}>
          <h3>{t('registry.flags.set')}</h3>
          <Field form={form} name="flag" type="select" label={t('registry.flags.flag')} options={flagOptions(t, false)} />
          {(FLAG_DETAILS[flag] || []).map(([name, type]) => (
            <Field key={`${flag}-${name}`} form={form} name={`detail.${name}`} type={type} label={t(`registry.detail.${name}`)} />
          ))}
          <FormError form={form} fields={['flag', ...DETAIL_FIELDS.map((name) => `detail.${name}`)]} />
          <button type="submit" class="button button-primary" disabled={form.busy} data-testid="flag-submit">{t('registry.flags.set')}</button>
        </form>
      ) : null}
      <details class="registry-history" data-testid="flag-history" open>
        <summary>{t('registry.flags.history')}</summary>
        {history.items.length === 0 && !history.loading ? <p class="card-meta">{t('registry.flags.no_history')}</p> : null}
        <ul class="card-list">
          {history.items.map((entry) => (
            <FlagHistoryEntry key={entry.id} entry={entry} replacing={replacing.has(entry.id)} />
          ))}
        </ul>
        <LoadMore list={history} testId="flag-history-more" />
        <ExportLinks path={`/residents/${resident.id}/flag-history`} testId="flaghist-exports" />
      </details>
    </section>
  );
}

// One entry of a flag: what it said, who set it (or changed it to this) and when, and who
// ended it and when: cleared, or replaced by a newer entry.
function FlagHistoryEntry({ entry, replacing }) {
  const { t, lang } = useI18n();
  const setKey = replacing ? 'registry.flaghist.changed' : 'registry.flaghist.set';
  const closedKey = entry.replaced_by ? 'registry.flaghist.replaced' : 'registry.flaghist.cleared';
  return (
    <li class="card" data-testid="flag-history-item" data-flag={entry.flag} data-current={entry.current ? 'true' : 'false'}
      data-action={replacing ? 'changed' : 'set'}>
      <span class="card-title">{t(`registry.flag.${entry.flag}`)}</span>
      {detailText(t, entry.detail) ? <span class="card-meta">{detailText(t, entry.detail)}</span> : null}
      <span class="card-meta" data-testid="flaghist-set">
        {t(setKey, { who: whoText(t, entry.set_by, entry.set_by_label || entry.set_by_name), when: formatTime(entry.set_at, lang) })}
      </span>
      <span class="card-meta" data-testid="flag-history-state" data-closed={entry.current ? '' : entry.replaced_by ? 'changed' : 'cleared'}>
        {entry.current
          ? t('registry.flags.current')
          : t(closedKey, { who: whoText(t, entry.cleared_by, entry.cleared_by_label || entry.cleared_by_name), when: formatTime(entry.cleared_at, lang) })}
      </span>
    </li>
  );
}

// 居家隔离: the current isolation at a glance, and a short form to start or change it.
function IsolationSection({ resident, canWrite, onChange }) {
  const { t, lang } = useI18n();
  const current = useApiData(`/residents/${resident.id}/flags`, [lang]);
  const entry = (current.data?.items || []).find((item) => item.flag === 'home_isolation');
  const detail = entry?.detail || {};
  const today = new Date().toISOString().slice(0, 10);
  // Named like the server's error fields (detail.start, …) so errors land beside them.
  const form = useForm({
    'detail.start': detail.start || today,
    'detail.planned_end': detail.planned_end || detail.end || '',
    'detail.reason': detail.reason || '',
  });
  const save = form.submit(async (values) => {
    const body = { start: values['detail.start'] };
    if (values['detail.planned_end']) body.planned_end = values['detail.planned_end'];
    if (values['detail.reason'].trim()) body.reason = values['detail.reason'].trim();
    await api.post(`/residents/${resident.id}/flags`, { flag: 'home_isolation', detail: body });
    onChange();
  });
  return (
    <section class="section" data-testid="isolation-section">
      <h2>{t('registry.isolation.title')}</h2>
      {entry ? (
        <dl class="facts registry-facts" data-testid="isolation-current">
          <dt>{t('registry.detail.start')}</dt><dd>{detail.start || '—'}</dd>
          <dt>{t('registry.detail.planned_end')}</dt><dd>{detail.planned_end || detail.end || '—'}</dd>
          <dt>{t('registry.detail.reason')}</dt><dd>{detail.reason || '—'}</dd>
        </dl>
      ) : (
        <p class="card-meta" data-testid="isolation-none">{t('registry.isolation.none')}</p>
      )}
      {canWrite ? (
        <form class="form registry-subform no-print" data-testid="isolation-form" onSubmit={save}>
          <div class="registry-grid">
            <Field form={form} name="detail.start" type="date" label={t('registry.detail.start')} />
            <Field form={form} name="detail.planned_end" type="date" label={t('registry.detail.planned_end')} />
          </div>
          <Field form={form} name="detail.reason" label={t('registry.detail.reason')} maxlength={64} />
          <FormError form={form} fields={['detail.start', 'detail.planned_end', 'detail.reason']} />
          <button type="submit" class="button button-primary" disabled={form.busy} data-testid="isolation-submit">
            {entry ? t('registry.isolation.update') : t('registry.isolation.start')}
          </button>
        </form>
      ) : null}
    </section>
  );
}

function TravelSection({ resident, canWrite }) {
  const { t } = useI18n();
  const [version, setVersion] = useState(0);
  const list = usePagedList(`/residents/${resident.id}/travel`, [version]);
  const form = useForm({ place: '', from_date: '', to_date: '' });
  const add = form.submit(async (values) => {
    const body = { place: values.place.trim(), from_date: values.from_date };
    if (values.to_date) body.to_date = values.to_date;
    await api.post(`/residents/${resident.id}/travel`, body);
    form.setValues({ place: '', from_date: '', to_date: '' });
    setVersion((value) => value + 1);
  });
  return (
    <section class="section" data-testid="travel-section">
      <h2>{t('registry.travel.title')}</h2>
      {list.items.length === 0 && !list.loading ? <p class="card-meta">{t('registry.travel.none')}</p> : null}
      <ul class="card-list">
        {list.items.map((entry) => (
          <li key={entry.id} class="card" data-testid="travel-item">
            <span class="card-title">{entry.place}</span>
            <span class="card-meta">{entry.from_date}{entry.to_date ? ` – ${entry.to_date}` : ''}</span>
          </li>
        ))}
      </ul>
      <LoadMore list={list} />
      {canWrite ? (
        <form class="form registry-subform no-print" data-testid="travel-form" onSubmit={add}>
          <Field form={form} name="place" label={t('registry.travel.place')} maxlength={128} />
          <div class="registry-grid">
            <Field form={form} name="from_date" type="date" label={t('registry.travel.from')} />
            <Field form={form} name="to_date" type="date" label={t('registry.travel.to')} />
          </div>
          <FormError form={form} fields={['place', 'from_date', 'to_date']} />
          <button type="submit" class="button button-primary" disabled={form.busy} data-testid="travel-submit">{t('registry.travel.add')}</button>
        </form>
      ) : null}
    </section>
  );
}

const EDIT_FIELDS = RESIDENT_FIELDS.filter((name) => name !== 'id_number');

function EditResident({ resident, onSaved }) {
  const { t } = useI18n();
  const original = {
    name: resident.name, gender: resident.gender || '', birth_year: resident.birth_year ? String(resident.birth_year) : '',
    birth_date: resident.birth_date || '', phone: resident.phone || '', id_kind: resident.id_kind || 'cn_id', id_number: '',
    languages: resident.languages || '', owner: Boolean(resident.owner), floating: Boolean(resident.floating),
    party_member: Boolean(resident.party_member),
  };
  const form = useForm(original);
  const save = form.submit(async (values) => {
    const names = changedFields(values, original, EDIT_FIELDS);
    const body = residentBody({ ...names }, Object.keys(names));
    // A cleared box is sent as empty, so the server clears the value too.
    for (const name of Object.keys(names)) if (!(name in body)) body[name] = name === 'birth_year' ? null : '';
    // A new ID number is only sent when one was typed: the stored one is never shown here.
    if (values.id_number.trim()) { body.id_number = values.id_number.trim(); body.id_kind = values.id_kind; }
    if (Object.keys(body).length === 0) return;
    await api.patch(`/residents/${resident.id}`, body);
    form.set('id_number', '');
    onSaved();
  });
  return (
    <section class="section no-print">
      <details class="registry-edit" data-testid="edit-resident">
        <summary>{t('registry.resident.edit')}</summary>
        <form class="form" data-testid="resident-form" onSubmit={save}>
          <ResidentFields form={form} />
          <p class="field-hint">{t('registry.resident.id_hint')}</p>
          <FormError form={form} fields={RESIDENT_FIELDS} />
          {form.done ? <p class="message message-ok" data-testid="resident-saved">{t('registry.saved')}</p> : null}
          <button type="submit" class="button button-primary" disabled={form.busy} data-testid="resident-save">{t('common.save')}</button>
        </form>
      </details>
    </section>
  );
}

// Moving needs the target household: found by its room among the households this
// leader may see. Moving out keeps the record, marked moved out.
function MoveResident({ resident, onMoved }) {
  const { t } = useI18n();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const run = async (request) => {
    setBusy(true);
    setError(null);
    try {
      await request();
      setFound(null);
      onMoved();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const search = async (event) => {
    event.preventDefault();
    setError(null);
    try {
      const page = await api.get(`/households?limit=20&q=${encodeURIComponent(query.trim())}`);
      setFound(page.items.filter((household) => household.id !== resident.household_id || resident.moved_out));
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <section class="section no-print" data-testid="move-section">
      <h2>{t('registry.move.title')}</h2>
      <form class="form" onSubmit={search}>
        <label class="field">
          <span class="field-label">{t('registry.move.find')}</span>
          <input type="search" value={query} data-testid="move-query" placeholder={t('registry.filter.room_hint')}
            onInput={(event) => setQuery(event.currentTarget.value)} />
        </label>
        <button type="submit" class="button" data-testid="move-search">{t('registry.search.submit')}</button>
      </form>
      {found && found.length === 0 ? <p class="card-meta">{t('registry.search.none')}</p> : null}
      {found && found.length > 0 ? (
        <ul class="card-list">
          {found.map((household) => (
            <li key={household.id} class="card" data-testid="move-target">
              <span class="card-title">{household.room}</span>
              <span class="card-meta">{household.block_name}</span>
              <button type="button" class="button button-quiet" disabled={busy} data-testid="move-here"
                onClick={() => run(() => api.post(`/residents/${resident.id}/move`, { household_id: household.id }))}>
                {t('registry.move.here')}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {!resident.moved_out ? (
        <p>
          <button type="button" class="button" disabled={busy} data-testid="move-out"
            onClick={() => { if (window.confirm(t('registry.move.out_confirm', { name: resident.name }))) run(() => api.del(`/residents/${resident.id}`)); }}>
            {t('registry.move.out')}
          </button>
        </p>
      ) : null}
      <ErrorMessage error={error} testId="move-error" />
    </section>
  );
}
