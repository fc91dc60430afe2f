// /testing/new (committee): a round's day, kind and scope (zones and blocks; none ticked
// is the whole community) and its stations with hours and staff. With ?copy=<id> the
// round copies that one's scope, stations, staff and lasting exemptions, so a repeat
// round is a name and a day.
import { useRef, useState } from 'preact/hooks';
import { api, newIdempotencyKey } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { navigate } from '../../router.jsx';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { useApiData } from '../../components/useApiData.js';
import { useAllItems } from '../registry/common.jsx';
import { DUTIES, KINDS, StationBasics } from './common.jsx';

function tomorrow() {
  const d = new Date(Date.now() + 8 * 3600e3 + 86400e3);
  return d.toISOString().slice(0, 10);
}

const emptyStation = () => ({ name: '', place: '', opens_at: '07:00', closes_at: '11:00', staff: [] });

// One station's fields and its staff, picked from the accounts that may serve.
function StationFields({ index, station, people, onChange, onRemove }) {
  const { t } = useI18n();
  const [pick, setPick] = useState('');
  const set = (field) => (e) => onChange({ ...station, [field]: e.currentTarget.value });
  const n = index + 1;
  return (
    <fieldset class="testing-station-form" data-testid="testing-station-fields">
      <legend>{t('testing.station_n', { n })}</legend>
      <StationBasics station={station} set={set} />
      <ul class="testing-staff">
        {station.staff.map((s, i) => (
          <li key={s.user_id}>
            <span>{people.find((p) => p.id === s.user_id)?.name || s.user_id}</span>
            <select aria-label={t('testing.field.duty')} value={s.duty}
              onChange={(e) => onChange({ ...station, staff: station.staff.map((x, k) => (k === i ? { ...x, duty: e.currentTarget.value } : x)) })}>
              {DUTIES.map((d) => <option key={d} value={d}>{t(`testing.duty.${d}`)}</option>)}
            </select>
            <button type="button" class="button button-quiet"
              onClick={() => onChange({ ...station, staff: station.staff.filter((_, k) => k !== i) })}>{t('testing.remove')}</button>
          </li>
        ))}
      </ul>
      <label class="field"><span class="field-label">{t('testing.field.add_staff')}</span>
        <select value={pick} data-testid="testing-staff-pick" onChange={(e) => {
          const id = Number(e.currentTarget.value);
          setPick('');
          if (id && !station.staff.some((s) => s.user_id === id)) onChange({ ...station, staff: [...station.staff, { user_id: id, duty: 'registrar' }] });
        }}>
          <option value="">{t('testing.choose')}</option>
          {people.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
        </select></label>
      <button type="button" class="button button-quiet" onClick={onRemove}>{t('testing.remove_station')}</button>
    </fieldset>
  );
}

export function TestingNewPage() {
  const { t, lang } = useI18n();
  const copy = new URLSearchParams(window.location.search).get('copy') || '';
  const source = useApiData(copy ? `/test-rounds/${encodeURIComponent(copy)}` : '/test-rounds?limit=1', [copy, lang]);
  const zones = useAllItems('/zones', []);
  const blocks = useAllItems('/blocks', []);
  const people = useApiData('/care/carers?limit=500', []);
  const [form, setForm] = useState({ name: '', on_day: tomorrow(), kind: 'pcr_pooled', pool_size: 10, note: '' });
  const [zoneIds, setZoneIds] = useState([]);
  const [blockIds, setBlockIds] = useState([]);
  const [stations, setStations] = useState(copy ? [] : [emptyStation()]);
  const [state, setState] = useState({ busy: false, error: null });
  const keys = useRef([]);
  const copied = copy && source.data?.id ? source.data : null;
  const set = (field) => (e) => setForm({ ...form, [field]: e.currentTarget.value });
  const toggle = (list, setList, id) => setList(list.includes(id) ? list.filter((x) => x !== id) : [...list, id]);

  async function submit(event) {
    event.preventDefault();
    setState({ busy: true, error: null });
    const key = (i) => (keys.current[i] ||= newIdempotencyKey());
    try {
      const body = { name: form.name, on_day: form.on_day, kind: form.kind, note: form.note };
      if (form.kind === 'pcr_pooled') body.pool_size = Number(form.pool_size);
      if (!copied || zoneIds.length || blockIds.length) body.scope = { zones: zoneIds, blocks: blockIds };
      if (copied) body.copy_from = copied.id;
      const round = await api.post('/test-rounds', body, { idempotencyKey: key(0) });
      for (const [i, s] of stations.entries())
        await api.post(`/test-rounds/${round.id}/stations`, s, { idempotencyKey: key(i + 1) });
      navigate(`/testing/${round.id}`);
    } catch (error) {
      setState({ busy: false, error });
    }
  }

  return (
    <main class="page page-narrow" data-testid="testing-new-page">
      <h1>{copied ? t('testing.new.copy_title', { name: copied.name }) : t('testing.new.title')}</h1>
      {copied ? <p class="lead">{t('testing.new.copy_intro', { n: copied.stations.length })}</p> : null}
      <form class="form" onSubmit={submit}>
        <label class="field"><span class="field-label">{t('testing.field.name')}</span>
          <input required maxLength={100} value={form.name} onInput={set('name')} data-testid="testing-name" /></label>
        <label class="field"><span class="field-label">{t('testing.field.day')}</span>
          <input type="date" required value={form.on_day} onInput={set('on_day')} data-testid="testing-day" /></label>
        <label class="field"><span class="field-label">{t('testing.field.kind')}</span>
          <select value={form.kind} onChange={set('kind')} data-testid="testing-kind">
            {KINDS.map((k) => <option key={k} value={k}>{t(`testing.kind.${k}`)}</option>)}
          </select></label>
        {form.kind === 'pcr_pooled' ? (
          <label class="field"><span class="field-label">{t('testing.field.pool_size')}</span>
            <input type="number" min="1" max="20" required value={form.pool_size} onInput={set('pool_size')} /></label>
        ) : null}
        <label class="field"><span class="field-label">{t('testing.field.note')}</span>
          <textarea rows="2" maxLength={1000} value={form.note} onInput={set('note')} /></label>
        <fieldset class="testing-scope" data-testid="testing-scope">
          <legend>{t('testing.field.scope')}</legend>
          <p class="testing-meta">{copied ? t('testing.scope.copied') : t('testing.scope.hint')}</p>
          <div class="testing-checks">
            {(zones.items || []).map((z) => (
              <label key={z.id}><input type="checkbox" checked={zoneIds.includes(z.id)}
                onChange={() => toggle(zoneIds, setZoneIds, z.id)} />{z.name}</label>
            ))}
          </div>
          <details>
            <summary>{t('testing.scope.blocks', { n: blockIds.length })}</summary>
            <div class="testing-checks">
              {(blocks.items || []).map((b) => (
                <label key={b.id}><input type="checkbox" checked={blockIds.includes(b.id)}
                  onChange={() => toggle(blockIds, setBlockIds, b.id)} />{b.name}</label>
              ))}
            </div>
          </details>
        </fieldset>
        <h2>{t('testing.stations')}</h2>
        {copied ? <p class="testing-meta">{t('testing.stations.copied')}</p> : null}
        {stations.map((s, i) => (
          <StationFields key={i} index={i} station={s} people={people.data?.items || []}
            onChange={(next) => setStations(stations.map((x, k) => (k === i ? next : x)))}
            onRemove={() => setStations(stations.filter((_, k) => k !== i))} />
        ))}
        <button type="button" class="button" onClick={() => setStations([...stations, emptyStation()])}
          data-testid="testing-add-station">{t('testing.add_station')}</button>
        <ErrorMessage error={state.error || zones.error || blocks.error || source.error} />
        <button class="button button-primary button-block" type="submit" disabled={state.busy} data-testid="testing-create">
          {t('testing.create')}</button>
      </form>
    </main>
  );
}
