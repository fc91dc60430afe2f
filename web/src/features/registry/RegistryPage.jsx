// 住户查询: find residents (name, phone digits, room, ID tail, filters) or households,
// page through the answers, and export or print exactly what was searched for.
import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.jsx';
import {
  ExportLinks, Field, FlagChips, LoadMore, Tabs, flagOptions, queryString, statusOptions,
  useAllItems, useForm, usePagedList, useRoles, withQuery,
} from './common.jsx';

// Age bands offered in the filter; each maps to age_min/age_max of GET /residents.
const AGE_BANDS = {
  child: [0, 17],
  adult: [18, 59],
  '60': [60, 150],
  '70': [70, 150],
  '80': [80, 150],
};

const RESIDENT_FILTERS = ['q', 'id_tail', 'zone_id', 'block_id', 'flag', 'isolation', 'age', 'party_member', 'include_moved_out'];
const HOUSEHOLD_FILTERS = ['q', 'zone_id', 'block_id', 'status'];

// The filters live in the address, so Back from a resident returns to the same search.
function filtersFromLocation() {
  const search = new URLSearchParams(window.location.search);
  const values = { tab: search.get('tab') === 'households' ? 'households' : 'residents' };
  for (const name of new Set([...RESIDENT_FILTERS, ...HOUSEHOLD_FILTERS])) values[name] = search.get(name) || '';
  values.isolation = values.isolation === 'current';
  values.party_member = values.party_member === '1';
  values.include_moved_out = values.include_moved_out === '1';
  return values;
}

function hasFilters(values) {
  return Boolean(values.id_tail || values.zone_id || values.block_id || values.flag || values.age || values.status ||
    values.isolation || values.party_member || values.include_moved_out);
}

function apiParams(values) {
  if (values.tab === 'households') {
    return { q: values.q.trim(), zone_id: values.zone_id, block_id: values.block_id, status: values.status };
  }
  const band = AGE_BANDS[values.age];
  return {
    q: values.q.trim(),
    id_tail: values.id_tail.trim(),
    zone_id: values.zone_id,
    block_id: values.block_id,
    flag: values.flag,
    isolation: values.isolation ? 'current' : '',
    age_min: band ? band[0] : '',
    age_max: band && band[1] < 150 ? band[1] : '',
    party_member: values.party_member,
    include_moved_out: values.include_moved_out,
  };
}

export function RegistryPage() {
  const { t } = useI18n();
  const { isCommittee } = useRoles();
  const initial = filtersFromLocation();
  const form = useForm(initial);
  // The search that is shown; the form may hold edits not searched for yet.
  const [applied, setApplied] = useState(initial);
  // Open at first only when the address already holds filters; then the user decides.
  const [filtersOpen] = useState(() => hasFilters(initial));
  const zones = useAllItems('/zones');
  const blocks = useAllItems('/blocks');

  const apply = (values) => {
    setApplied(values);
    const address = { tab: values.tab === 'households' ? 'households' : '' };
    for (const name of values.tab === 'households' ? HOUSEHOLD_FILTERS : RESIDENT_FILTERS) {
      const value = values[name];
      address[name] = name === 'isolation' ? (value ? 'current' : '') : value;
    }
    const query = queryString(address);
    window.history.replaceState(null, '', '/registry' + (query ? '?' + query : ''));
  };

  const switchTab = (tab) => {
    const next = { ...form.values, tab };
    form.setValues(next);
    apply(next);
  };

  const zoneOptions = [{ value: '', label: t('registry.filter.any') },
    ...(zones.items || []).map((zone) => ({ value: String(zone.id), label: zone.name }))];
  const blockOptions = [{ value: '', label: t('registry.filter.any') },
    ...(blocks.items || []).filter((block) => !form.values.zone_id || String(block.zone_id) === form.values.zone_id)
      .map((block) => ({ value: String(block.id), label: block.name }))];
  const households = form.values.tab === 'households';

  return (
    <main class="page" data-testid="registry-page">
      <h1>{t('registry.search.title')}</h1>
      <p class="lead no-print">
        <Link href="/registry/blocks" data-testid="link-blocks">{t('registry.blocks.title')}</Link>
      </p>
      <Tabs
        tabs={[{ key: 'residents', label: t('registry.tab.residents') }, { key: 'households', label: t('registry.tab.households') }]}
        current={form.values.tab}
        onChange={switchTab}
      />
      <form class="form section registry-filters no-print" data-testid="registry-search" onSubmit={form.submit(async (values) => apply({ ...values }))}>
        <Field form={form} name="q" type="search" label={households ? t('registry.filter.room') : t('registry.filter.q')}
          placeholder={households ? t('registry.filter.room_hint') : t('registry.filter.q_hint')} />
        <details class="registry-more" open={filtersOpen} data-testid="search-filters">
          <summary>{t('registry.filter.more')}</summary>
          <div class="form">
            {/* Below the committee only the ID's last character shows, and only it searches. */}
            {households ? null : (
              <Field form={form} name="id_tail" label={isCommittee ? t('registry.filter.id_tail') : t('registry.filter.id_last')}
                maxlength={isCommittee ? 4 : 1} inputmode="text" />
            )}
            <div class="registry-grid">
              {zoneOptions.length > 2 ? <Field form={form} name="zone_id" type="select" label={t('registry.filter.zone')} options={zoneOptions} /> : null}
              <Field form={form} name="block_id" type="select" label={t('registry.filter.block')} options={blockOptions} />
              {households ? (
                <Field form={form} name="status" type="select" label={t('registry.filter.status')} options={statusOptions(t, true)} />
              ) : (
                <>
                  <Field form={form} name="flag" type="select" label={t('registry.filter.flag')} options={flagOptions(t, true)} />
                  <Field form={form} name="age" type="select" label={t('registry.filter.age')} options={[
                    { value: '', label: t('registry.filter.any') },
                    ...Object.keys(AGE_BANDS).map((band) => ({ value: band, label: t(`registry.age.${band}`) })),
                  ]} />
                </>
              )}
            </div>
            {households ? null : (
              <div class="registry-checks">
                <Field form={form} name="isolation" type="checkbox" label={t('registry.filter.isolation')} />
                <Field form={form} name="party_member" type="checkbox" label={t('registry.filter.party_member')} />
                <Field form={form} name="include_moved_out" type="checkbox" label={t('registry.filter.moved_out')} />
              </div>
            )}
          </div>
        </details>
        <button type="submit" class="button button-primary" data-testid="search-submit">{t('registry.search.submit')}</button>
      </form>
      {applied.tab === 'households'
        ? <HouseholdResults params={apiParams(applied)} onFieldError={form.setError} />
        : <ResidentResults params={apiParams(applied)} onFieldError={form.setError} />}
    </main>
  );
}

// A search the server refuses for one filter (e.g. an ID tail of letters and signs):
// the message goes beside that filter in the form, not under the results.
function useFieldError(list, onFieldError) {
  const error = list.error && list.error.field ? list.error : null;
  useEffect(() => { onFieldError(error); }, [error]);
  return error;
}

function ResidentResults({ params, onFieldError }) {
  const { t } = useI18n();
  const list = usePagedList(withQuery('/residents', params));
  const fieldError = useFieldError(list, onFieldError);
  return (
    <section class="section" data-testid="resident-results">
      <div class="registry-section-head">
        <h2>{t('registry.tab.residents')}</h2>
        <ExportLinks path="/residents" params={params} testId="resident-exports" />
      </div>
      {list.items.length === 0 && !list.loading && !list.error ? (
        <p class="empty" data-testid="results-empty">{t('registry.search.none')}</p>
      ) : null}
      <ul class="card-list">
        {list.items.map((resident) => (
          <li key={resident.id} class="card" data-testid="resident-item" data-id={resident.id}>
            <Link class="card-title" href={`/registry/residents/${resident.id}`}>{resident.name}</Link>
            <span class="card-meta">
              {[resident.room, resident.age !== null && resident.age !== undefined ? t('registry.age_years', { age: resident.age }) : '',
                resident.phone, resident.id_masked].filter(Boolean).join(' · ')}
              {resident.moved_out ? ` · ${t('registry.resident.moved_out')}` : ''}
            </span>
            <FlagChips flags={resident.flags} />
          </li>
        ))}
      </ul>
      <LoadMore list={fieldError ? { ...list, error: null } : list} />
    </section>
  );
}

function HouseholdResults({ params, onFieldError }) {
  const { t } = useI18n();
  const list = usePagedList(withQuery('/households', params));
  const fieldError = useFieldError(list, onFieldError);
  return (
    <section class="section" data-testid="household-results">
      <div class="registry-section-head">
        <h2>{t('registry.tab.households')}</h2>
        <ExportLinks path="/households" params={params} testId="household-exports" />
      </div>
      {list.items.length === 0 && !list.loading && !list.error ? (
        <p class="empty" data-testid="results-empty">{t('registry.search.none')}</p>
      ) : null}
      <ul class="card-list">
        {list.items.map((household) => (
          <li key={household.id} class="card" data-testid="household-item" data-id={household.id}>
            <Link class="card-title" href={`/registry/households/${household.id}`}>{household.room}</Link>
            <span class="card-meta">
              {[household.block_name, t(`registry.status.${household.status}`), household.phone,
                t('registry.household.people', { count: household.residents })].filter(Boolean).join(' · ')}
            </span>
          </li>
        ))}
      </ul>
      <LoadMore list={fieldError ? { ...list, error: null } : list} />
    </section>
  );
}
