// 片区与楼组: the zones with their leader and deputy, and the blocks of each zone with
// their leader or courtyard committee. Committee staff create and rename zones, create
// and edit blocks (kind, zone), and name the leaders by searching residents or
// accounts; leaders see their part read-only. The page prints as a plain list.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { hasAnyRole } from '../../roles.js';
import { Link } from '../../router.jsx';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { PostLogins } from '../logins/LoginPanels.jsx';
import './structure.css';

const COMMITTEE_MAX = 7;

// Every page of a list (a community has at most a few hundred zones and blocks).
async function fetchAll(path) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api.get(`${path}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.next_cursor || null;
  } while (cursor);
  return items;
}

function useStructure() {
  const [state, setState] = useState({ zones: null, blocks: null, error: null });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let live = true;
    Promise.all([fetchAll('/zones'), fetchAll('/blocks')]).then(
      ([zones, blocks]) => { if (live) setState({ zones, blocks, error: null }); },
      (error) => { if (live) setState({ zones: [], blocks: [], error }); },
    );
    return () => { live = false; };
  }, [generation]);
  return { ...state, reload: () => setGeneration((g) => g + 1) };
}

export function StructurePage() {
  const { t } = useI18n();
  const { session } = useSession();
  const canEdit = hasAnyRole(session?.user, ['committee']);
  // Zone leaders make logins for the posts of their blocks (the server checks the zone).
  const canLogins = hasAnyRole(session?.user, ['committee', 'zone_leader']);
  const data = useStructure();

  if (data.zones === null) return <main class="page"><Loading /></main>;
  const zones = [...data.zones].sort((a, b) => a.sort_order - b.sort_order || a.id - b.id);
  const groups = zones.map((zone) => ({ zone, blocks: data.blocks.filter((b) => b.zone_id === zone.id) }));
  const loose = data.blocks.filter((b) => b.zone_id === null || !zones.some((z) => z.id === b.zone_id));
  const unled = data.blocks.filter((b) => !b.leaders_text).length;

  return (
    <main class="page" data-testid="structure-page">
      <h1>{t('structure.title')}</h1>
      <p class="lead">{canEdit ? t('structure.lead') : t('structure.lead_readonly')}</p>
      <p class="structure-count" data-testid="structure-summary">
        {t('structure.summary', { zones: zones.length, blocks: data.blocks.length, unled })}
      </p>
      <p class="no-print">
        <button type="button" class="button button-quiet" data-testid="structure-print" onClick={() => window.print()}>
          {t('structure.print')}
        </button>
      </p>
      <ErrorMessage error={data.error} testId="structure-error" />
      {canEdit ? (
        <div class="structure-forms no-print">
          <NewZoneForm onDone={data.reload} />
          <NewBlockForm zones={zones} onDone={data.reload} />
        </div>
      ) : null}
      {zones.length === 0 && data.blocks.length === 0 && !data.error ? (
        <p class="empty" data-testid="structure-empty">{t('structure.empty')}</p>
      ) : null}
      {groups.map(({ zone, blocks }) => (
        <ZoneCard key={zone.id} zone={zone} blocks={blocks} zones={zones} canEdit={canEdit} canLogins={canLogins} onDone={data.reload} />
      ))}
      {loose.length ? (
        <section class="section" data-testid="structure-no-zone">
          <div class="structure-zone-head"><h2>{zones.length ? t('structure.no_zone') : t('structure.blocks')}</h2></div>
          <BlockList blocks={loose} zones={zones} canEdit={canEdit} canLogins={canLogins} onDone={data.reload} />
        </section>
      ) : null}
    </main>
  );
}

// A write with its busy flag and error; `run` resolves true when it succeeded.
function useWrite() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = async (request) => {
    setBusy(true);
    setError(null);
    try {
      await request();
      return true;
    } catch (failure) {
      setError(failure);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

function NewZoneForm({ onDone }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const write = useWrite();
  const submit = async (event) => {
    event.preventDefault();
    if (await write.run(() => api.post('/zones', { name: name.trim() }))) {
      setName('');
      onDone();
    }
  };
  return (
    <form class="form section" onSubmit={submit} data-testid="structure-zone-form">
      <h2>{t('structure.zone.new')}</h2>
      <label class="field">
        <span class="field-label">{t('structure.zone.name')}</span>
        <input value={name} required maxLength={64} placeholder={t('structure.zone.name_hint')} data-testid="structure-zone-name"
          onInput={(event) => setName(event.currentTarget.value)} />
      </label>
      <ErrorMessage error={write.error} testId="structure-zone-error" />
      <button type="submit" class="button button-primary" disabled={write.busy} data-testid="structure-zone-create">
        {t('structure.zone.create')}
      </button>
    </form>
  );
}

function zoneOptions(t, zones) {
  return [{ value: '', label: t('structure.block.zone_none') }, ...zones.map((z) => ({ value: String(z.id), label: z.name }))];
}

function BlockFields({ values, set, zones, prefix }) {
  const { t } = useI18n();
  return (
    <>
      <label class="field">
        <span class="field-label">{t('structure.block.name')}</span>
        <input value={values.name} required maxLength={64} placeholder={t('structure.block.name_hint')}
          data-testid={`${prefix}-name`} onInput={(event) => set('name', event.currentTarget.value)} />
      </label>
      <label class="field">
        <span class="field-label">{t('structure.block.kind')}</span>
        <select value={values.kind} data-testid={`${prefix}-kind`} onChange={(event) => set('kind', event.currentTarget.value)}>
          <option value="building">{t('structure.kind.building')}</option>
          <option value="courtyard">{t('structure.kind.courtyard')}</option>
        </select>
      </label>
      {zones.length ? (
        <label class="field">
          <span class="field-label">{t('structure.block.zone')}</span>
          <select value={values.zone_id} data-testid={`${prefix}-zone`} onChange={(event) => set('zone_id', event.currentTarget.value)}>
            {zoneOptions(t, zones).map((o) => (
              <option key={o.value} value={o.value}>{o.label}</option>
            ))}
          </select>
        </label>
      ) : null}
    </>
  );
}

function NewBlockForm({ zones, onDone }) {
  const { t } = useI18n();
  const [values, setValues] = useState({ name: '', kind: 'building', zone_id: '' });
  const set = (key, value) => setValues((v) => ({ ...v, [key]: value }));
  const write = useWrite();
  const submit = async (event) => {
    event.preventDefault();
    const body = { name: values.name.trim(), kind: values.kind };
    if (values.zone_id) body.zone_id = Number(values.zone_id);
    if (await write.run(() => api.post('/blocks', body))) {
      setValues((v) => ({ ...v, name: '' }));
      onDone();
    }
  };
  return (
    <form class="form section" onSubmit={submit} data-testid="structure-block-form">
      <h2>{t('structure.block.new')}</h2>
      <BlockFields values={values} set={set} zones={zones} prefix="structure-block" />
      <ErrorMessage error={write.error} testId="structure-block-error" />
      <button type="submit" class="button button-primary" disabled={write.busy} data-testid="structure-block-create">
        {t('structure.block.create')}
      </button>
    </form>
  );
}

function LeadersText({ text, testId }) {
  const { t } = useI18n();
  return text
    ? <span class="structure-leaders" data-testid={testId}>{text}</span>
    : <span class="structure-leaders structure-leaders-none" data-testid={testId}>{t('structure.no_leader')}</span>;
}

function ZoneCard({ zone, blocks, zones, canEdit, canLogins, onDone }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(null);   // 'rename' | 'leaders' | 'logins' | null
  const toggle = (what) => setOpen((current) => (current === what ? null : what));
  const done = () => { setOpen(null); onDone(); };
  return (
    <section class="section" data-testid="structure-zone" data-id={zone.id}>
      <div class="structure-zone-head">
        <h2 data-testid="structure-zone-title">{zone.name}</h2>
        <LeadersText text={zone.leaders_text} testId="structure-zone-leaders" />
      </div>
      <p class="structure-count">{t('structure.zone.counts', { blocks: zone.blocks, households: zone.households, residents: zone.residents })}</p>
      {canEdit ? (
        <div class="structure-actions">
          <button type="button" class="button button-quiet" data-testid="structure-zone-rename" onClick={() => toggle('rename')}>
            {t('structure.zone.rename')}
          </button>
          <button type="button" class="button button-quiet" data-testid="structure-zone-set-leaders" onClick={() => toggle('leaders')}>
            {t('structure.zone.set_leaders')}
          </button>
          <button type="button" class="button button-quiet" data-testid="structure-zone-logins" onClick={() => toggle('logins')}>
            {t('logins.panel')}
          </button>
          <DeleteButton path={`/zones/${zone.id}`} confirmText={t('structure.zone.delete_confirm', { name: zone.name })}
            label={t('structure.zone.delete')} testId="structure-zone-delete" onDone={onDone} />
        </div>
      ) : null}
      {open === 'rename' ? <ZoneRename zone={zone} onDone={done} /> : null}
      {open === 'leaders' ? <ZoneLeadersEditor zone={zone} onDone={done} /> : null}
      {open === 'logins' ? <LoginsPanel path={`/zones/${zone.id}/leaders`} kind="zone" onChange={onDone} /> : null}
      <BlockList blocks={blocks} zones={zones} canEdit={canEdit} canLogins={canLogins} onDone={onDone} />
    </section>
  );
}

// Deletes an empty zone or block after the person confirms; the server refuses (409,
// shown here) a zone that still has blocks or a block that still has households.
function DeleteButton({ path, confirmText, label, testId, onDone }) {
  const write = useWrite();
  const remove = async () => {
    if (!window.confirm(confirmText)) return;
    if (await write.run(() => api.del(path))) onDone();
  };
  return (
    <>
      <button type="button" class="button button-quiet button-danger" disabled={write.busy} data-testid={testId} onClick={remove}>
        {label}
      </button>
      <ErrorMessage error={write.error} testId={`${testId}-error`} />
    </>
  );
}

function ZoneRename({ zone, onDone }) {
  const { t } = useI18n();
  const [name, setName] = useState(zone.name);
  const [order, setOrder] = useState(String(zone.sort_order));
  const write = useWrite();
  const submit = async (event) => {
    event.preventDefault();
    const body = { name: name.trim() };
    if (order !== '' && Number(order) !== zone.sort_order) body.sort_order = Number(order);
    if (await write.run(() => api.patch(`/zones/${zone.id}`, body))) onDone();
  };
  return (
    <form class="form structure-editor" onSubmit={submit} data-testid="structure-zone-rename-form">
      <label class="field">
        <span class="field-label">{t('structure.zone.name')}</span>
        <input value={name} required maxLength={64} data-testid="structure-zone-rename-name"
          onInput={(event) => setName(event.currentTarget.value)} />
      </label>
      <label class="field">
        <span class="field-label">{t('structure.zone.sort_order')}</span>
        <input type="number" value={order} data-testid="structure-zone-rename-order" onInput={(event) => setOrder(event.currentTarget.value)} />
      </label>
      <ErrorMessage error={write.error} testId="structure-zone-rename-error" />
      <button type="submit" class="button button-primary" disabled={write.busy} data-testid="structure-zone-rename-save">
        {t('structure.save')}
      </button>
    </form>
  );
}

function BlockList({ blocks, zones, canEdit, canLogins, onDone }) {
  const { t } = useI18n();
  if (!blocks.length) return <p class="structure-count">{t('structure.zone.no_blocks')}</p>;
  return (
    <ul class="card-list">
      {blocks.map((block) => <BlockRow key={block.id} block={block} zones={zones} canEdit={canEdit} canLogins={canLogins} onDone={onDone} />)}
    </ul>
  );
}

function BlockRow({ block, zones, canEdit, canLogins, onDone }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(null);   // 'edit' | 'leaders' | 'logins' | null
  const toggle = (what) => setOpen((current) => (current === what ? null : what));
  const done = () => { setOpen(null); onDone(); };
  return (
    <li data-testid="structure-block" data-id={block.id} data-kind={block.kind}>
      <span>
        <Link class="card-title" href={`/registry/blocks/${block.id}`} data-testid="structure-block-title">{block.name}</Link>
        {' '}<span class="structure-kind">{t(`structure.kind.${block.kind}`)}</span>
      </span>
      <LeadersText text={block.leaders_text} testId="structure-block-leaders" />
      <span class="card-meta">{t('structure.block.counts', { households: block.households, residents: block.residents })}</span>
      {canEdit || canLogins ? (
        <div class="structure-actions">
          {canEdit ? (
            <>
              <button type="button" class="button button-quiet" data-testid="structure-block-edit" onClick={() => toggle('edit')}>
                {t('structure.block.edit')}
              </button>
              <button type="button" class="button button-quiet" data-testid="structure-block-set-leaders" onClick={() => toggle('leaders')}>
                {block.kind === 'courtyard' ? t('structure.block.set_committee') : t('structure.block.set_leader')}
              </button>
              {block.households === 0 ? (
                <DeleteButton path={`/blocks/${block.id}`} confirmText={t('structure.block.delete_confirm', { name: block.name })}
                  label={t('structure.block.delete')} testId="structure-block-delete" onDone={onDone} />
              ) : null}
            </>
          ) : null}
          {canLogins ? (
            <button type="button" class="button button-quiet" data-testid="structure-block-logins" onClick={() => toggle('logins')}>
              {t('logins.panel')}
            </button>
          ) : null}
        </div>
      ) : null}
      {open === 'edit' ? <BlockEdit block={block} zones={zones} onDone={done} /> : null}
      {open === 'leaders' ? <BlockLeadersEditor block={block} onDone={done} /> : null}
      {open === 'logins' ? <LoginsPanel path={`/blocks/${block.id}/leaders`} kind={block.kind} onChange={onDone} /> : null}
    </li>
  );
}

function BlockEdit({ block, zones, onDone }) {
  const { t } = useI18n();
  const [values, setValues] = useState({ name: block.name, kind: block.kind, zone_id: block.zone_id ? String(block.zone_id) : '' });
  const set = (key, value) => setValues((v) => ({ ...v, [key]: value }));
  const write = useWrite();
  const submit = async (event) => {
    event.preventDefault();
    const body = {};
    if (values.name.trim() !== block.name) body.name = values.name.trim();
    if (values.kind !== block.kind) body.kind = values.kind;
    const zoneId = values.zone_id ? Number(values.zone_id) : null;
    if (zoneId !== (block.zone_id ?? null)) body.zone_id = zoneId;
    if (!Object.keys(body).length) { onDone(); return; }
    if (await write.run(() => api.patch(`/blocks/${block.id}`, body))) onDone();
  };
  return (
    <form class="form structure-editor" onSubmit={submit} data-testid="structure-block-edit-form">
      <BlockFields values={values} set={set} zones={zones} prefix="structure-block-edit" />
      <ErrorMessage error={write.error} testId="structure-block-edit-error" />
      <button type="submit" class="button button-primary" disabled={write.busy} data-testid="structure-block-edit-save">
        {t('structure.save')}
      </button>
    </form>
  );
}

// ---- choosing people ----

// A slot as the editors hold it: {resident: {id, name, room, phone}|null, user: {id, display_name}|null}.
function slotFromPost(post) {
  return { resident: post?.resident || null, user: post?.user || null, chair: post?.position === 'leader' };
}

function personOf(slot) {
  if (!slot || (!slot.resident && !slot.user)) return null;
  const person = {};
  if (slot.resident) person.resident_id = slot.resident.id;
  if (slot.user) person.user_id = slot.user.id;
  return person;
}

// One post's holder: the chosen resident and/or account, and a search for either.
// `filter` narrows the resident search to where the holder must live.
function PersonSlot({ title, slot, onChange, filter, testId, extra }) {
  const { t } = useI18n();
  const [mode, setMode] = useState('resident');
  const [q, setQ] = useState('');
  const [results, setResults] = useState(null);
  const [error, setError] = useState(null);
  const search = async (event) => {
    event?.preventDefault();
    setError(null);
    try {
      const params = new URLSearchParams({ q: q.trim(), limit: '10' });
      if (mode === 'resident') for (const [key, value] of Object.entries(filter || {})) params.set(key, String(value));
      const page = await api.get(`${mode === 'resident' ? '/residents' : '/users'}?${params}`);
      setResults({ mode, items: page.items });
    } catch (failure) {
      setError(failure);
      setResults(null);
    }
  };
  const choose = (item) => {
    if (results.mode === 'resident') onChange({ ...slot, resident: { id: item.id, name: item.name, room: item.room, phone: item.phone } });
    else onChange({ ...slot, user: { id: item.id, display_name: item.display_name } });
    setResults(null);
    setQ('');
  };
  return (
    <div class="structure-slot" data-testid={testId}>
      <p class="structure-slot-title">{title}</p>
      {slot.resident ? (
        <p class="structure-chosen" data-testid={`${testId}-resident`}>
          <span>{t('structure.person.resident', { name: slot.resident.name, room: slot.resident.room || '', phone: slot.resident.phone || '' })}</span>
          <button type="button" class="button button-quiet" onClick={() => onChange({ ...slot, resident: null })}>{t('structure.person.remove')}</button>
        </p>
      ) : null}
      {slot.user ? (
        <p class="structure-chosen" data-testid={`${testId}-user`}>
          <span>{t('structure.person.user', { name: slot.user.display_name })}</span>
          <button type="button" class="button button-quiet" onClick={() => onChange({ ...slot, user: null })}>{t('structure.person.remove')}</button>
        </p>
      ) : null}
      {!slot.resident && !slot.user ? <p class="structure-count">{t('structure.person.none')}</p> : null}
      {extra}
      <div class="structure-search">
        <select value={mode} aria-label={t('structure.person.mode')} data-testid={`${testId}-mode`}
          onChange={(event) => { setMode(event.currentTarget.value); setResults(null); }}>
          <option value="resident">{t('structure.person.mode_resident')}</option>
          <option value="user">{t('structure.person.mode_user')}</option>
        </select>
        <input value={q} placeholder={t('structure.person.search_hint')} data-testid={`${testId}-q`}
          onInput={(event) => setQ(event.currentTarget.value)}
          onKeyDown={(event) => { if (event.key === 'Enter') search(event); }} />
        <button type="button" class="button" data-testid={`${testId}-search`} onClick={search}>{t('structure.person.search')}</button>
      </div>
      <ErrorMessage error={error} testId={`${testId}-error`} />
      {results ? (
        results.items.length ? (
          <ul class="structure-results" data-testid={`${testId}-results`}>
            {results.items.map((item) => (
              <li key={item.id}>
                <button type="button" class="button button-quiet" data-testid="structure-result" onClick={() => choose(item)}>
                  {results.mode === 'resident'
                    ? t('structure.person.resident', { name: item.name, room: item.room || '', phone: item.phone || '' })
                    : t('structure.person.user', { name: `${item.display_name} (${item.username})` })}
                </button>
              </li>
            ))}
          </ul>
        ) : <p class="structure-count" data-testid={`${testId}-no-results`}>{t('structure.person.no_results')}</p>
      ) : null}
    </div>
  );
}

function useLeaders(path) {
  const [state, setState] = useState({ data: null, error: null });
  useEffect(() => {
    let live = true;
    api.get(path).then((data) => { if (live) setState({ data, error: null }); },
      (error) => { if (live) setState({ data: null, error }); });
    return () => { live = false; };
  }, [path]);
  return state;
}

// The posts of a zone or block with their logins: make one, or print a new slip.
function LoginsPanel({ path, kind, onChange }) {
  const loaded = useLeaders(path);
  if (loaded.error) return <ErrorMessage error={loaded.error} />;
  if (!loaded.data) return <Loading />;
  return (
    <div class="structure-editor" data-testid="structure-logins">
      <PostLogins posts={loaded.data.leaders} kind={kind} onChange={onChange} />
    </div>
  );
}

function ZoneLeadersEditor({ zone, onDone }) {
  const loaded = useLeaders(`/zones/${zone.id}/leaders`);
  if (loaded.error) return <ErrorMessage error={loaded.error} />;
  if (!loaded.data) return <Loading />;
  return <ZoneLeadersForm zone={zone} posts={loaded.data.leaders} onDone={onDone} />;
}

function ZoneLeadersForm({ zone, posts, onDone }) {
  const { t } = useI18n();
  const [leader, setLeader] = useState(slotFromPost(posts.find((p) => p.position === 'leader')));
  const [deputy, setDeputy] = useState(slotFromPost(posts.find((p) => p.position === 'deputy')));
  const write = useWrite();
  const submit = async (event) => {
    event.preventDefault();
    const body = { leader: personOf(leader), deputy: personOf(deputy) };
    if (await write.run(() => api.put(`/zones/${zone.id}/leaders`, body))) onDone();
  };
  return (
    <form class="structure-editor" onSubmit={submit} data-testid="structure-zone-leaders-form">
      <PersonSlot title={t('structure.pos.zone_leader')} slot={leader} onChange={setLeader} filter={{ zone_id: zone.id }}
        testId="structure-slot-leader" />
      <PersonSlot title={t('structure.pos.zone_deputy')} slot={deputy} onChange={setDeputy} filter={{ zone_id: zone.id }}
        testId="structure-slot-deputy" />
      <ErrorMessage error={write.error} testId="structure-leaders-error" />
      <button type="submit" class="button button-primary" disabled={write.busy} data-testid="structure-leaders-save">
        {t('structure.save')}
      </button>
    </form>
  );
}

function BlockLeadersEditor({ block, onDone }) {
  const loaded = useLeaders(`/blocks/${block.id}/leaders`);
  if (loaded.error) return <ErrorMessage error={loaded.error} />;
  if (!loaded.data) return <Loading />;
  return loaded.data.kind === 'courtyard'
    ? <CommitteeForm block={block} posts={loaded.data.leaders} onDone={onDone} />
    : <BuildingLeaderForm block={block} posts={loaded.data.leaders} onDone={onDone} />;
}

function BuildingLeaderForm({ block, posts, onDone }) {
  const { t } = useI18n();
  const [leader, setLeader] = useState(slotFromPost(posts[0]));
  const write = useWrite();
  const submit = async (event) => {
    event.preventDefault();
    if (await write.run(() => api.put(`/blocks/${block.id}/leaders`, { leader: personOf(leader) }))) onDone();
  };
  // The leader lives in the block or elsewhere in its zone.
  const filter = block.zone_id ? { zone_id: block.zone_id } : { block_id: block.id };
  return (
    <form class="structure-editor" onSubmit={submit} data-testid="structure-block-leaders-form">
      <PersonSlot title={t('structure.pos.block_leader')} slot={leader} onChange={setLeader} filter={filter} testId="structure-slot-leader" />
      <ErrorMessage error={write.error} testId="structure-leaders-error" />
      <button type="submit" class="button button-primary" disabled={write.busy} data-testid="structure-leaders-save">
        {t('structure.save')}
      </button>
    </form>
  );
}

function CommitteeForm({ block, posts, onDone }) {
  const { t } = useI18n();
  const [slots, setSlots] = useState(() => (posts.length ? posts.map(slotFromPost) : [0, 1, 2].map(() => slotFromPost(null))));
  const write = useWrite();
  const update = (index, slot) => setSlots((all) => all.map((s, i) => (i === index ? slot : s)));
  const setChair = (index) => setSlots((all) => all.map((s, i) => ({ ...s, chair: i === index ? !s.chair : false })));
  const submit = async (event) => {
    event.preventDefault();
    const members = slots.map((slot) => {
      const person = personOf(slot);
      return person && slot.chair ? { ...person, leader: true } : person;
    }).filter(Boolean);
    if (await write.run(() => api.put(`/blocks/${block.id}/leaders`, { members }))) onDone();
  };
  return (
    <form class="structure-editor" onSubmit={submit} data-testid="structure-committee-form">
      <p class="structure-count">{t('structure.committee.help')}</p>
      {slots.map((slot, index) => (
        <PersonSlot key={index} title={t('structure.committee.member', { n: index + 1 })} slot={slot}
          onChange={(next) => update(index, next)} filter={{ block_id: block.id }} testId={`structure-slot-member-${index}`}
          extra={(
            <p class="structure-chosen">
              <label>
                <input type="checkbox" checked={Boolean(slot.chair)} style="width:auto;min-height:0" data-testid={`structure-chair-${index}`}
                  onChange={() => setChair(index)} />
                {' '}{t('structure.committee.chair')}
              </label>
              <button type="button" class="button button-quiet" data-testid={`structure-member-remove-${index}`}
                onClick={() => setSlots((all) => all.filter((_, i) => i !== index))}>
                {t('structure.committee.remove')}
              </button>
            </p>
          )} />
      ))}
      <p class="structure-actions">
        <button type="button" class="button" disabled={slots.length >= COMMITTEE_MAX} data-testid="structure-member-add"
          onClick={() => setSlots((all) => [...all, slotFromPost(null)])}>
          {t('structure.committee.add')}
        </button>
      </p>
      <ErrorMessage error={write.error} testId="structure-leaders-error" />
      <button type="submit" class="button button-primary" disabled={write.busy} data-testid="structure-leaders-save">
        {t('structure.save')}
      </button>
    </form>
  );
}
