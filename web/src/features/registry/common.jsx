// Pieces shared by the registry pages: who may write, the lists that page with a
// cursor, export links, forms that put the server's field errors beside the field,
// and the labels of flags and household states.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { LEADER_ROLES, hasAnyRole } from '../../roles.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import './registry.css';

export const LEADERS = LEADER_ROLES;
export const FLAGS = ['alone_elderly', 'disabled', 'bedridden', 'pregnant', 'chronic_illness', 'no_smartphone', 'home_isolation'];
export const STATUSES = ['occupied', 'away', 'vacant', 'rented_out'];
export const PAGE_SIZE = 50;

export function useRoles() {
  const { session } = useSession();
  const user = session?.user;
  return {
    user,
    isLeader: hasAnyRole(user, LEADERS),
    isCommittee: hasAnyRole(user, ['committee']),
  };
}

// A query string from the filters that are set (empty ones are left out, so the
// server applies no filter for them).
export function queryString(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '' || value === false) continue;
    search.set(key, value === true ? '1' : String(value));
  }
  return search.toString();
}

export function withQuery(path, params) {
  const query = queryString(params);
  if (!query) return path;
  return path + (path.includes('?') ? '&' : '?') + query;
}

// CSV, XLSX and print of a list: plain links, the session cookie is enough for a GET.
export function ExportLinks({ path, params = {}, testId }) {
  const { t } = useI18n();
  const href = (extra) => '/api/v1' + withQuery(path, { ...params, ...extra });
  return (
    <p class="registry-exports no-print" data-testid={testId}>
      <a class="button button-quiet" href={href({ print: 1 })} target="_blank" rel="noopener" data-testid="export-print">
        {t('registry.export.print')}
      </a>
      <a class="button button-quiet" href={href({ format: 'csv' })} download data-testid="export-csv">CSV</a>
      <a class="button button-quiet" href={href({ format: 'xlsx' })} download data-testid="export-xlsx">XLSX</a>
    </p>
  );
}

// One list that pages with next_cursor: items so far, "load more", reload on `path`.
export function usePagedList(path, deps = []) {
  const [state, setState] = useState({ items: [], next: null, loading: true, error: null });
  const generation = useRef(0);

  const load = useCallback(async (cursor) => {
    const mine = cursor ? generation.current : ++generation.current;
    setState((previous) => ({ ...previous, loading: true, error: null, ...(cursor ? {} : { items: [], next: null }) }));
    try {
      const page = await api.get(withQuery(path, { limit: PAGE_SIZE, cursor }));
      if (mine !== generation.current) return;
      setState((previous) => ({
        items: cursor ? previous.items.concat(page.items) : page.items,
        next: page.next_cursor || null,
        loading: false,
        error: null,
      }));
    } catch (error) {
      if (mine !== generation.current) return;
      setState((previous) => ({ ...previous, loading: false, error }));
    }
  }, [path, ...deps]);

  useEffect(() => {
    if (path) load(null);
    return () => { generation.current++; };
  }, [load]);

  return { ...state, reload: () => load(null), more: () => load(state.next) };
}

// Every page of a list (the blocks and zones a leader sees are at most a few hundred).
export async function fetchAll(path) {
  const items = [];
  let cursor = null;
  do {
    const page = await api.get(withQuery(path, { limit: 500, cursor }));
    items.push(...page.items);
    cursor = page.next_cursor || null;
  } while (cursor);
  return items;
}

export function useAllItems(path, deps = []) {
  const [state, setState] = useState({ items: null, error: null });
  useEffect(() => {
    let live = true;
    if (!path) { setState({ items: [], error: null }); return undefined; }
    fetchAll(path).then(
      (items) => { if (live) setState({ items, error: null }); },
      (error) => { if (live) setState({ items: [], error }); },
    );
    return () => { live = false; };
  }, [path, ...deps]);
  return state;
}

export function LoadMore({ list, testId = 'load-more' }) {
  const { t } = useI18n();
  return (
    <>
      <ErrorMessage error={list.error} />
      {list.loading ? <Loading /> : null}
      {list.next && !list.loading ? (
        <button type="button" class="button button-block" data-testid={testId} onClick={list.more}>
          {t('common.load_more')}
        </button>
      ) : null}
    </>
  );
}

// A form's state: values, the request in flight and its error. `submit` runs the
// request; the error's `field` tells which input gets the message.
let formCount = 0;

export function useForm(initial) {
  // Input ids unique per form: two forms on a page may share field names.
  const [uid] = useState(() => `f${++formCount}`);
  const [values, setValues] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [done, setDone] = useState(false);

  const set = (name, value) => {
    setValues((previous) => ({ ...previous, [name]: value }));
    setDone(false);
  };
  const submit = (request) => async (event) => {
    event?.preventDefault();
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      await request(values);
      setDone(true);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return { uid, values, set, setValues, busy, error, setError, done, submit };
}

// The form's error when it belongs to no field shown in this form.
export function FormError({ form, fields, testId = 'form-error' }) {
  const error = form.error;
  if (!error || (error.field && fields.includes(error.field))) return null;
  return <ErrorMessage error={error} testId={testId} />;
}

function fieldError(form, name) {
  return form.error && form.error.field === name ? form.error : null;
}

// A labelled input whose server error (ApiError.field === name) shows beneath it.
export function Field({ form, name, label, type = 'text', options, hint, ...rest }) {
  const { t } = useI18n();
  const error = fieldError(form, name);
  const id = `${form.uid || 'f'}-${name.replace(/\W/g, '-')}`;
  const value = form.values[name];
  let input;
  if (type === 'checkbox') {
    return (
      <label class="field field-check">
        <input id={id} name={name} type="checkbox" checked={Boolean(value)}
          onChange={(event) => form.set(name, event.currentTarget.checked)} {...rest} />
        <span>{label}</span>
        {error ? <span class="field-error" role="alert" data-testid={`error-${name}`}>{error.message || t('registry.error.field')}</span> : null}
      </label>
    );
  }
  if (type === 'select') {
    input = (
      <select id={id} name={name} value={value ?? ''} aria-invalid={error ? 'true' : undefined}
        onChange={(event) => form.set(name, event.currentTarget.value)} {...rest}>
        {options.map((option) => <option key={option.value} value={option.value}>{option.label}</option>)}
      </select>
    );
  } else if (type === 'textarea') {
    input = (
      <textarea id={id} name={name} value={value ?? ''} aria-invalid={error ? 'true' : undefined}
        onInput={(event) => form.set(name, event.currentTarget.value)} {...rest} />
    );
  } else {
    input = (
      <input id={id} name={name} type={type} value={value ?? ''} aria-invalid={error ? 'true' : undefined}
        onInput={(event) => form.set(name, event.currentTarget.value)} {...rest} />
    );
  }
  return (
    <label class="field" for={id}>
      <span class="field-label">{label}</span>
      {input}
      {hint ? <span class="field-hint">{hint}</span> : null}
      {error ? <span class="field-error" role="alert" data-testid={`error-${name}`}>{error.message || t('registry.error.field')}</span> : null}
    </label>
  );
}

export function statusOptions(t, withAny) {
  const options = STATUSES.map((status) => ({ value: status, label: t(`registry.status.${status}`) }));
  return withAny ? [{ value: '', label: t('registry.filter.any') }, ...options] : options;
}

export function flagOptions(t, withAny) {
  const options = FLAGS.map((flag) => ({ value: flag, label: t(`registry.flag.${flag}`) }));
  return withAny ? [{ value: '', label: t('registry.filter.any') }, ...options] : options;
}

// A phone number a leader can tap to call; it never wraps.
export function Phone({ number, testId }) {
  if (!number) return null;
  return <a class="registry-nowrap" href={`tel:${number.replace(/[^0-9+]/g, '')}`} data-testid={testId}>{number}</a>;
}

export function FlagChips({ flags }) {
  const { t } = useI18n();
  if (!flags || flags.length === 0) return null;
  return (
    <span class="registry-chips">
      {flags.map((flag) => <span key={flag} class={`registry-chip registry-chip-${flag}`} data-flag={flag}>{t(`registry.flag.${flag}`)}</span>)}
    </span>
  );
}

// Tabs as buttons: the panel below follows the chosen one.
export function Tabs({ tabs, current, onChange }) {
  return (
    <div class="registry-tabs no-print" role="tablist">
      {tabs.map((tab) => (
        <button key={tab.key} type="button" role="tab" class="registry-tab" aria-selected={tab.key === current ? 'true' : 'false'}
          data-testid={`tab-${tab.key}`} onClick={() => onChange(tab.key)}>
          {tab.label}
        </button>
      ))}
    </div>
  );
}

export function formatTime(value, lang) {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString(lang, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

// Numbers typed into a form go to the server as numbers; an empty box is left out.
export function numberOrNull(value) {
  if (value === '' || value === null || value === undefined) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : value;
}

// Only the fields that changed, so a PATCH touches nothing else.
export function changedFields(values, original, names) {
  const body = {};
  for (const name of names) {
    const now = values[name];
    const before = original[name];
    if ((now ?? '') !== (before ?? '')) body[name] = now;
  }
  return body;
}
