// /help: for leaders the open requests of their scope (overdue, everything, by kind),
// exportable and printable, and the committee's time limits; for a resident their
// household's requests; for a volunteer those given to them.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { hasAnyRole } from '../../roles.js';
import { Link } from '../../router.jsx';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { ExportLinks, usePagedList } from '../registry/common.jsx';
import { KINDS, LEADERS, RequestCard } from './common.jsx';

const TABS = { open: { state: 'open' }, overdue: { overdue: '1' }, all: {} };

function Settings() {
  const { t } = useI18n();
  const [form, setForm] = useState(null);
  const [state, setState] = useState({ busy: false, error: null, saved: false });
  async function open() {
    const s = await api.get('/help-settings');
    setForm({ urgent: Math.round(s.urgent_ack_s / 60), normal: Math.round(s.normal_ack_s / 60) });
  }
  async function save(event) {
    event.preventDefault();
    setState({ busy: true, error: null, saved: false });
    try {
      await api.put('/help-settings', { urgent_ack_s: Number(form.urgent) * 60, normal_ack_s: Number(form.normal) * 60 });
      setState({ busy: false, error: null, saved: true });
    } catch (error) {
      setState({ busy: false, error, saved: false });
    }
  }
  if (!form) return <p><button class="button" onClick={open} data-testid="help-settings-open">{t('help.settings.open')}</button></p>;
  return (
    <form class="form" onSubmit={save} data-testid="help-settings">
      <h2>{t('help.settings.title')}</h2>
      <p class="lead">{t('help.settings.intro')}</p>
      <label class="field"><span class="field-label">{t('help.settings.urgent')}</span>
        <input type="number" min="1" value={form.urgent} onInput={(e) => setForm({ ...form, urgent: e.currentTarget.value })} /></label>
      <label class="field"><span class="field-label">{t('help.settings.normal')}</span>
        <input type="number" min="1" value={form.normal} onInput={(e) => setForm({ ...form, normal: e.currentTarget.value })} /></label>
      <ErrorMessage error={state.error} />
      {state.saved ? <p class="message message-ok" role="status">{t('help.settings.saved')}</p> : null}
      <button class="button button-primary" type="submit" disabled={state.busy}>{t('help.settings.save')}</button>
    </form>
  );
}

export function HelpListPage() {
  const { t, lang } = useI18n();
  const { session } = useSession();
  const leader = hasAnyRole(session.user, LEADERS);
  const asker = leader || hasAnyRole(session.user, ['resident']);
  const volunteerOnly = !asker && hasAnyRole(session.user, ['volunteer']);
  const search = new URLSearchParams(window.location.search);
  const [tab, setTab] = useState(search.get('overdue') ? 'overdue' : search.get('state') === 'open' || leader ? 'open' : 'all');
  const [kind, setKind] = useState(KINDS.includes(search.get('kind')) ? search.get('kind') : '');
  const params = { ...(leader ? TABS[tab] : {}), ...(kind ? { kind } : {}), ...(volunteerOnly ? { assigned: 'me' } : {}) };
  const query = new URLSearchParams(params).toString();
  const list = usePagedList(`/help-requests${query ? `?${query}` : ''}`, [lang, query]);
  return (
    <main class="page page-narrow" data-testid="help-list-page">
      <h1>{leader ? t('help.list.title_leader') : t('help.list.title_mine')}</h1>
      {asker ? <p><Link class="button button-primary button-block" href="/help/new" data-testid="help-new-link">{t('help.link_new')}</Link></p> : null}
      {leader ? (
        <div class="help-tabs">
          {Object.keys(TABS).map((k) => (
            <button key={k} aria-pressed={tab === k} class={tab === k ? 'button button-primary' : 'button'}
              onClick={() => setTab(k)} data-testid={`help-tab-${k}`}>{t(`help.tab.${k}`)}</button>
          ))}
          <select value={kind} onChange={(e) => setKind(e.currentTarget.value)} aria-label={t('help.field.kind')} data-testid="help-kind-filter">
              <option value="">{t('help.all_kinds')}</option>
              {KINDS.map((k) => <option key={k} value={k}>{t(`help.kind.${k}`)}</option>)}
          </select>
        </div>
      ) : null}
      {list.loading && !list.items.length ? <Loading /> : null}
      <ErrorMessage error={list.error} />
      {!list.loading && !list.items.length && !list.error ? <p class="empty" data-testid="help-none">{t('help.none')}</p> : null}
      <ul class="help-cards">{list.items.map((r) => <RequestCard key={r.id} request={r} />)}</ul>
      {list.next ? <p><button class="button button-block" onClick={list.more}>{t('help.more')}</button></p> : null}
      {leader ? <ExportLinks path="/help-requests" params={params} testId="help-exports" /> : null}
      {hasAnyRole(session.user, ['committee']) ? <Settings /> : null}
    </main>
  );
}
