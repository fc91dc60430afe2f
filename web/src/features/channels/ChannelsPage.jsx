// /channels: the committee's chat-group channels — add or edit one (its URL is shown
// masked once saved), enable or disable it, send a test message, remove it — and the
// outbox: every delivery with its state, failures first, filtered by state or channel,
// "retry now" for a failed one, exportable like other lists.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { ExportLinks, LoadMore, formatTime, usePagedList } from '../registry/common.jsx';
import './channels.css';

const KINDS = ['wecom', 'webhook'];
const FORMATS = ['text', 'markdown'];
const EVENTS = ['bulletin.published', 'help.urgent', 'help.escalated'];
const STATES = ['', 'failed', 'pending', 'delivered'];
const EMPTY = { name: '', kind: 'wecom', url: '', format: 'text', events: ['bulletin.published'], enabled: true };

function eventLabel(t, event) {
  return t(`channels.event.${event.replace('.', '_')}`);
}

function ChannelForm({ editing, onDone }) {
  const { t } = useI18n();
  const [form, setForm] = useState(editing ? { ...editing, url: '' } : EMPTY);
  const [state, setState] = useState({ busy: false, error: null });
  const set = (name, value) => setForm({ ...form, [name]: value });
  const toggleEvent = (event, on) => set('events', on ? [...form.events, event] : form.events.filter((e) => e !== event));
  const invalid = (name) => (state.error?.field === name || state.error?.field?.startsWith(`${name}[`) ? 'true' : undefined);
  const submit = async (e) => {
    e.preventDefault();
    setState({ busy: true, error: null });
    const body = { name: form.name, kind: form.kind, format: form.format, events: form.events, enabled: form.enabled };
    if (form.url || !editing) body.url = form.url;
    try {
      const r = editing ? await api.patch(`/channels/${editing.id}`, body) : await api.post('/channels', body);
      setState({ busy: false, error: null });
      onDone(r.channel);
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return (
    <form class="form section" onSubmit={submit} data-testid="channel-form">
      <h2>{editing ? t('channels.edit_title') : t('channels.add_title')}</h2>
      <label class="field"><span class="field-label">{t('channels.field.name')}</span>
        <input value={form.name} maxLength={60} required aria-invalid={invalid('name')} data-testid="channel-name"
          onInput={(e) => set('name', e.currentTarget.value)} /></label>
      <label class="field"><span class="field-label">{t('channels.field.kind')}</span>
        <select value={form.kind} aria-invalid={invalid('kind')} data-testid="channel-kind"
          onChange={(e) => set('kind', e.currentTarget.value)}>
          {KINDS.map((k) => <option key={k} value={k}>{t(`channels.kind.${k}`)}</option>)}
        </select></label>
      <label class="field"><span class="field-label">{t('channels.field.url')}</span>
        <input type="url" inputMode="url" value={form.url} required={!editing} aria-invalid={invalid('url')}
          placeholder={editing ? t('channels.url_keep', { masked: editing.url_masked }) : 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…'}
          data-testid="channel-url" onInput={(e) => set('url', e.currentTarget.value)} /></label>
      <p class="hint">{t(form.kind === 'wecom' ? 'channels.hint.wecom' : 'channels.hint.webhook')}</p>
      {form.kind === 'wecom' ? (
        <label class="field"><span class="field-label">{t('channels.field.format')}</span>
          <select value={form.format} aria-invalid={invalid('format')} data-testid="channel-format"
            onChange={(e) => set('format', e.currentTarget.value)}>
            {FORMATS.map((f) => <option key={f} value={f}>{t(`channels.format.${f}`)}</option>)}
          </select></label>
      ) : null}
      <fieldset class="channel-events" aria-invalid={invalid('events')}>
        <legend class="field-label">{t('channels.field.events')}</legend>
        {EVENTS.map((event) => (
          <label key={event}>
            <input type="checkbox" checked={form.events.includes(event)} data-testid={`channel-event-${event}`}
              onChange={(e) => toggleEvent(event, e.currentTarget.checked)} /> {eventLabel(t, event)}
          </label>
        ))}
      </fieldset>
      <label class="field"><span>
        <input type="checkbox" checked={form.enabled} data-testid="channel-enabled"
          onChange={(e) => set('enabled', e.currentTarget.checked)} /> {t('channels.field.enabled')}
      </span></label>
      <ErrorMessage error={state.error} testId="channel-error" />
      <div class="channel-actions">
        <button type="submit" class="button button-primary" disabled={state.busy} data-testid="channel-save">
          {t('common.save')}
        </button>
        {editing ? <button type="button" class="button" onClick={() => onDone(null)}>{t('channels.cancel')}</button> : null}
      </div>
    </form>
  );
}

function ChannelCard({ channel, onEdit, onChanged, onShowDeliveries }) {
  const { t, lang } = useI18n();
  const [state, setState] = useState({ busy: false, error: null, note: null, confirming: false });
  const act = async (fn, note) => {
    setState({ busy: true, error: null, note: null, confirming: false });
    try {
      await fn();
      setState({ busy: false, error: null, note, confirming: false });
      onChanged();
    } catch (error) {
      setState({ busy: false, error, note: null, confirming: false });
    }
  };
  return (
    <li class="channel-card" data-testid={`channel-${channel.id}`}>
      <h3>{channel.name}</h3>
      <p class="channel-meta">
        {t(`channels.kind.${channel.kind}`)} · {channel.enabled ? t('channels.enabled') : t('channels.disabled')}
      </p>
      <p class="channel-meta">{channel.url_masked}</p>
      <p class="channel-meta">{channel.events.map((e) => eventLabel(t, e)).join('、') || t('channels.no_events')}</p>
      <p class="channel-meta">
        {t('channels.counts', { pending: channel.pending, failed: channel.failed })}
        {channel.last_delivered_at ? ` · ${t('channels.last', { when: formatTime(channel.last_delivered_at, lang) })}` : ''}
      </p>
      <ErrorMessage error={state.error} />
      {state.note ? <p class="message message-ok" role="status">{state.note}</p> : null}
      <div class="channel-actions">
        <button type="button" class="button" disabled={state.busy} onClick={() => onEdit(channel)}
          data-testid="channel-edit">{t('channels.edit')}</button>
        <button type="button" class="button" disabled={state.busy} data-testid="channel-toggle"
          onClick={() => act(() => api.patch(`/channels/${channel.id}`, { enabled: !channel.enabled }))}>
          {channel.enabled ? t('channels.disable') : t('channels.enable')}
        </button>
        <button type="button" class="button" disabled={state.busy} data-testid="channel-test"
          onClick={() => act(() => api.post(`/channels/${channel.id}/test`, {}), t('channels.test_sent'))}>
          {t('channels.test')}
        </button>
        <button type="button" class="button" onClick={() => onShowDeliveries(channel.id)}
          data-testid="channel-deliveries">{t('channels.deliveries')}</button>
        <button type="button" class="button button-danger" disabled={state.busy} data-testid="channel-delete"
          onClick={() => setState({ ...state, confirming: true })}>{t('channels.delete')}</button>
      </div>
      {state.confirming ? (
        <div class="message message-error" role="alertdialog">
          <p>{t('channels.delete_confirm')}</p>
          <div class="channel-actions">
            <button type="button" class="button button-danger" data-testid="channel-delete-yes"
              onClick={() => act(() => api.del(`/channels/${channel.id}`))}>{t('channels.delete')}</button>
            <button type="button" class="button" onClick={() => setState({ ...state, confirming: false })}>
              {t('channels.cancel')}
            </button>
          </div>
        </div>
      ) : null}
    </li>
  );
}

function DeliveryCard({ delivery, onChanged }) {
  const { t, lang } = useI18n();
  const [state, setState] = useState({ busy: false, error: null });
  const retry = async () => {
    setState({ busy: true, error: null });
    try {
      await api.post(`/outbox/${delivery.id}/retry`, {});
      setState({ busy: false, error: null });
      onChanged();
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  const failed = delivery.state === 'failed';
  const event = delivery.event === 'channel.test' ? t('channels.event.channel_test') : eventLabel(t, delivery.event);
  return (
    <li class={failed ? 'delivery-card delivery-failed' : 'delivery-card'} data-testid={`delivery-${delivery.id}`}>
      <h3>{delivery.title}</h3>
      <p class="channel-meta">{delivery.channel_name} · {event}</p>
      <p class="channel-meta">
        {delivery.state_text} · {t('channels.attempts', { n: delivery.attempts })} · {formatTime(delivery.created_at, lang)}
        {delivery.delivered_at ? ` · ${t('channels.delivered_at', { when: formatTime(delivery.delivered_at, lang) })}` : ''}
        {delivery.next_at && delivery.state === 'pending' && delivery.attempts
          ? ` · ${t('channels.next_at', { when: formatTime(delivery.next_at, lang) })}` : ''}
      </p>
      {delivery.last_error ? <p class="delivery-error">{delivery.last_error}</p> : null}
      <ErrorMessage error={state.error} />
      {failed ? (
        <div class="channel-actions">
          <button type="button" class="button button-primary" disabled={state.busy} onClick={retry}
            data-testid="delivery-retry">{t('channels.retry')}</button>
        </div>
      ) : null}
    </li>
  );
}

export function ChannelsPage() {
  const { t, lang } = useI18n();
  const [editing, setEditing] = useState(null);   // null: the add form; a channel: its edit form
  const [stateFilter, setStateFilter] = useState('');
  const [channelFilter, setChannelFilter] = useState('');
  const [generation, setGeneration] = useState(0);
  const channels = usePagedList('/channels', [lang, generation]);
  const params = { ...(stateFilter ? { state: stateFilter } : {}), ...(channelFilter ? { channel_id: channelFilter } : {}) };
  const query = new URLSearchParams(params).toString();
  const outbox = usePagedList(`/outbox${query ? `?${query}` : ''}`, [lang, query, generation]);
  const changed = () => setGeneration(generation + 1);
  return (
    <main class="page page-narrow" data-testid="channels-page">
      <h1>{t('channels.title')}</h1>
      <p class="lead">{t('channels.lead')}</p>
      {channels.loading && !channels.items.length ? <Loading /> : null}
      {!channels.loading && !channels.items.length && !channels.error
        ? <p class="empty" data-testid="channels-none">{t('channels.none')}</p> : null}
      <ul class="channel-cards">
        {channels.items.map((c) => (
          <ChannelCard key={c.id} channel={c} onEdit={setEditing} onChanged={changed}
            onShowDeliveries={(id) => setChannelFilter(String(id))} />
        ))}
      </ul>
      <LoadMore list={channels} />
      <ChannelForm key={editing ? `edit-${editing.id}` : `add-${generation}`} editing={editing}
        onDone={() => { setEditing(null); changed(); }} />
      <section class="section">
        <h2>{t('channels.outbox_title')}</h2>
        <p>{t('channels.outbox_help')}</p>
        <div class="channel-tabs" role="tablist">
          {STATES.map((s) => (
            <button key={s || 'all'} type="button" role="tab" aria-selected={stateFilter === s}
              class={stateFilter === s ? 'button button-primary' : 'button'} data-testid={`outbox-tab-${s || 'all'}`}
              onClick={() => setStateFilter(s)}>{t(`channels.tab.${s || 'all'}`)}</button>
          ))}
        </div>
        <div class="channel-tabs">
          <select value={channelFilter} aria-label={t('channels.filter_channel')} data-testid="outbox-channel"
            onChange={(e) => setChannelFilter(e.currentTarget.value)}>
            <option value="">{t('channels.all_channels')}</option>
            {channels.items.map((c) => <option key={c.id} value={String(c.id)}>{c.name}</option>)}
          </select>
        </div>
        {!outbox.loading && !outbox.items.length && !outbox.error
          ? <p class="empty" data-testid="outbox-none">{t('channels.outbox_none')}</p> : null}
        <ul class="delivery-cards">
          {outbox.items.map((d) => <DeliveryCard key={d.id} delivery={d} onChanged={changed} />)}
        </ul>
        <LoadMore list={outbox} testId="outbox-more" />
        <ExportLinks path="/outbox" params={params} testId="outbox-exports" />
      </section>
    </main>
  );
}
