// /bulletins/new and /bulletins/:id/edit: the committee writes a bulletin — its kind,
// title and body in Chinese (required) and, when it has them, English, Japanese and
// Korean; the rumour it answers for a clarification; the community, some zones or some
// blocks; now or at a time; pinned; on the public page. ?draft=1 starts from today's
// daily bulletin drafted by the server from the dashboard's figures. Editing the texts
// of a bulletin makes a new version; the older ones are kept.
import { useEffect, useState } from 'preact/hooks';
import { api, newIdempotencyKey } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link, navigate } from '../../router.jsx';
import { useSession } from '../../session.js';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { KINDS, LANG_NAMES, TEXT_LANGS } from './common.jsx';

const EMPTY = Object.fromEntries(TEXT_LANGS.map((l) => [l, { title: '', body: '', rumour: '' }]));

// "2026-12-04T18:00" typed in the browser's zone into the API's UTC form.
// The offset of time zone tz from UTC at instant utcMs, in ms (Intl knows the zones).
function tzOffsetMs(tz, utcMs) {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(utcMs));
  const v = Object.fromEntries(parts.map((p) => [p.type, Number(p.value)]));
  return Date.UTC(v.year, v.month - 1, v.day, v.hour, v.minute, v.second) - utcMs;
}

// "2026-12-05T08:00" typed is the community's wall time, wherever the phone is.
function toUtc(local, tz) {
  if (!local) return null;
  const naive = Date.parse(`${local}:00Z`);
  let utc = naive;
  try {
    utc = naive - tzOffsetMs(tz || 'Asia/Shanghai', naive);
  } catch {
    utc = new Date(local).getTime();   /* an engine without the zone: the phone's own */
  }
  return new Date(utc).toISOString().replace(/\.\d+Z$/, 'Z');
}

function Picker({ items, chosen, onChange, testId }) {
  return (
    <div class="bul-check" data-testid={testId}>
      {items.map((x) => (
        <label key={x.id}>
          <input type="checkbox" checked={chosen.includes(x.id)}
            onChange={() => onChange(chosen.includes(x.id) ? chosen.filter((y) => y !== x.id) : [...chosen, x.id])} /> {x.name}
        </label>
      ))}
    </div>
  );
}

export function EditorPage({ params }) {
  const { t, lang } = useI18n();
  const { session } = useSession();
  const editing = params?.id;
  const [kind, setKind] = useState('notice');
  const [texts, setTexts] = useState(EMPTY);
  const [original, setOriginal] = useState(null);
  const [scope, setScope] = useState('community');
  const [zoneIds, setZoneIds] = useState([]);
  const [blockIds, setBlockIds] = useState([]);
  const [when, setWhen] = useState('');
  const [pinned, setPinned] = useState(false);
  const [isPublic, setPublic] = useState(false);
  const [key, setKey] = useState(newIdempotencyKey());
  const [state, setState] = useState({ busy: false, error: null });
  const zones = useApiData('/zones?limit=500', []);
  const blocks = useApiData('/blocks?limit=500', []);
  useEffect(() => {
    if (editing) {
      api.get(`/bulletins/${encodeURIComponent(editing)}`).then(({ bulletin: b }) => {
        const filled = { ...EMPTY };
        for (const [l, x] of Object.entries(b.texts)) filled[l] = { title: x.title, body: x.body, rumour: x.rumour || '' };
        setTexts(filled);
        setOriginal(JSON.stringify(filled));
        setKind(b.kind);
        setScope(b.scope);
        setZoneIds(b.targets.filter((x) => x.kind === 'zone').map((x) => x.id));
        setBlockIds(b.targets.filter((x) => x.kind === 'block').map((x) => x.id));
        setPinned(b.pinned);
        setPublic(b.public);
      }, (error) => setState({ busy: false, error }));
    } else if (new URLSearchParams(window.location.search).get('draft')) {
      api.get('/bulletins/draft').then((d) => {
        setKind('daily');
        setPublic(true);
        setTexts({ ...EMPTY, ...Object.fromEntries(Object.entries(d.texts).map(([l, x]) => [l, { ...x, rumour: '' }])) });
      }, (error) => setState({ busy: false, error }));
    }
  }, [editing]);
  const setText = (l, field, value) => setTexts({ ...texts, [l]: { ...texts[l], [field]: value } });

  async function save(event) {
    event.preventDefault();
    const out = {};
    for (const l of TEXT_LANGS) {
      const x = texts[l];
      if (l !== 'zh-CN' && !x.title.trim() && !x.body.trim()) continue;
      out[l] = { title: x.title, body: x.body, ...(kind === 'rumour' && x.rumour.trim() ? { rumour: x.rumour } : {}) };
    }
    const body = { kind, scope, pinned, public: isPublic };
    if (!editing || JSON.stringify(texts) !== original) body.texts = out;
    if (scope === 'zones') body.zone_ids = zoneIds;
    if (scope === 'blocks') body.block_ids = blockIds;
    if (!editing || when) body.publish_at = toUtc(when, session?.community?.timezone);
    setState({ busy: true, error: null });
    try {
      const answer = editing ? await api.patch(`/bulletins/${encodeURIComponent(editing)}`, body, { idempotencyKey: key })
        : await api.post('/bulletins', body, { idempotencyKey: key });
      setKey(newIdempotencyKey());
      navigate(`/bulletins/${answer.bulletin.id}`);
    } catch (error) {
      setState({ busy: false, error });
    }
  }

  return (
    <main class="page page-narrow" data-testid="bulletin-editor">
      <p><Link href={editing ? `/bulletins/${editing}` : '/bulletins'}>{t('bul.back')}</Link></p>
      <h1>{editing ? t('bul.edit') : t('bul.new')}</h1>
      <form class="form" onSubmit={save}>
        <label class="field">
          <span class="field-label">{t('bul.kind_label')}</span>
          <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)} data-testid="editor-kind">
            {KINDS.map((k) => <option value={k}>{t(`bul.kind.${k}`)}</option>)}
          </select>
        </label>
        {TEXT_LANGS.map((l) => (
          <fieldset class="bul-fieldset" key={l} data-testid={`editor-lang-${l}`}>
            <legend lang={l}>{LANG_NAMES[l]}{l === 'zh-CN' ? ` (${t('bul.required')})` : ` (${t('bul.optional')})`}</legend>
            <label class="field">
              <span class="field-label">{t('bul.title_label')}</span>
              <input name={`title-${l}`} lang={l} value={texts[l].title} maxLength={120} onInput={(e) => setText(l, 'title', e.currentTarget.value)} />
            </label>
            {kind === 'rumour' ? (
              <label class="field">
                <span class="field-label">{t('bul.rumour_label')}</span>
                <textarea name={`rumour-${l}`} lang={l} rows={2} value={texts[l].rumour} onInput={(e) => setText(l, 'rumour', e.currentTarget.value)} />
              </label>
            ) : null}
            <label class="field">
              <span class="field-label">{t('bul.body_label')}</span>
              <textarea name={`body-${l}`} lang={l} rows={l === 'zh-CN' ? 8 : 4} value={texts[l].body} onInput={(e) => setText(l, 'body', e.currentTarget.value)} />
            </label>
          </fieldset>
        ))}
        <fieldset class="bul-fieldset">
          <legend>{t('bul.scope_label')}</legend>
          <div class="bul-check">
            {['community', 'zones', 'blocks'].map((s) => (
              <label key={s}><input type="radio" name="scope" value={s} checked={scope === s} onChange={() => setScope(s)} data-testid={`scope-${s}`} /> {t(`bul.scope.${s}`)}</label>
            ))}
          </div>
          {scope === 'zones' ? <Picker items={zones.data?.items || []} chosen={zoneIds} onChange={setZoneIds} testId="zone-picker" /> : null}
          {scope === 'blocks' ? <Picker items={blocks.data?.items || []} chosen={blockIds} onChange={setBlockIds} testId="block-picker" /> : null}
        </fieldset>
        <label class="field">
          <span class="field-label">{t('bul.when_label')}</span>
          <input type="datetime-local" name="publish_at" value={when} onInput={(e) => setWhen(e.currentTarget.value)} />
          <span class="bul-meta">{t('bul.when_hint')}</span>
        </label>
        <div class="bul-check">
          <label><input type="checkbox" name="pinned" checked={pinned} onChange={() => setPinned(!pinned)} /> {t('bul.pin')}</label>
          <label><input type="checkbox" name="public" checked={isPublic} onChange={() => setPublic(!isPublic)} /> {t('bul.public_label')}</label>
        </div>
        {state.error?.field ? <p class="bul-meta" data-testid="editor-field">{t('bul.field', { field: state.error.field })}</p> : null}
        <ErrorMessage error={state.error} />
        <button class="button button-primary" type="submit" disabled={state.busy} data-testid="editor-save" lang={lang}>
          {editing ? t('bul.save') : t('bul.publish')}
        </button>
      </form>
    </main>
  );
}
