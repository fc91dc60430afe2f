// /bulletins/:id/receipts: how many households of the leader's zones and blocks have
// seen the bulletin, and per block those who have not — the call list, with the phone
// number to tap and a button for each way the leader told them (phone, visit, in
// person). The list prints (?print=1) and exports like every other list.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { useAction } from './common.jsx';
import { ExportLinks } from '../registry/common.jsx';

function Household({ id, h, onDone }) {
  const { t } = useI18n();
  const action = useAction(onDone);
  const confirm = (method) => action.run(() => api.post(`/bulletins/${id}/receipts/${h.id}`, { method }));
  return (
    <li class="bul-card" data-testid="unread-household" data-id={h.id}>
      <span class="bul-card-title">{h.room}{h.no_smartphone ? <span class="bul-badge">{t('bul.no_smartphone')}</span> : null}</span>
      <span class="bul-meta">{h.contact || ''} {h.phone ? <a href={`tel:${h.phone}`}>{h.phone}</a> : null}</span>
      <div class="bul-confirm">
        {['phone', 'visit', 'in_person'].map((m) => (
          <button class="button" disabled={action.busy} onClick={() => confirm(m)} data-testid={`confirm-${m}`}>{t(`bul.method.${m}`)}</button>
        ))}
      </div>
      <ErrorMessage error={action.error} />
    </li>
  );
}

function CallList({ id, block }) {
  const { t, lang } = useI18n();
  const [done, setDone] = useState('');
  const path = `/bulletins/${id}/unread?block_id=${block.block_id}&limit=500`;
  const { data, error, loading, reload } = useApiData(path, [lang]);
  return (
    <section data-testid="call-list">
      <h2>{t('bul.call_list', { block: block.name })}</h2>
      <div class="bul-actions">
        <a class="button" href={`/api/v1${path}&print=1`} target="_blank" rel="noopener" data-testid="call-list-print">{t('bul.print_list')}</a>
        <a class="button" href={`/api/v1${path}&format=csv`}>CSV</a>
        <a class="button" href={`/api/v1${path}&format=xlsx`}>XLSX</a>
      </div>
      {done ? <p class="message message-ok" role="status" data-testid="message">{done}</p> : null}
      {loading && !data ? <Loading /> : null}
      <ErrorMessage error={error} />
      {data && !data.items.length ? <p>{t('bul.all_read')}</p> : null}
      <ul class="bul-cards">
        {(data?.items || []).map((h) => <Household key={h.id} id={id} h={h} onDone={(a) => { setDone(a?.message || ''); reload(); }} />)}
      </ul>
    </section>
  );
}

function Counts({ rows, label, onPick, picked }) {
  const { t } = useI18n();
  return (
    <table class="bul-table">
      <thead><tr><th>{label}</th><th class="num">{t('bul.col.read')}</th><th class="num">{t('bul.col.unread')}</th><th class="num">{t('bul.col.confirmed')}</th></tr></thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.block_id || r.zone_id || 0} data-testid={onPick ? 'block-row' : 'zone-row'}>
            <td>{onPick ? <button class="button button-quiet" aria-pressed={picked === r.block_id ? 'true' : 'false'}
              onClick={() => onPick(r)}>{r.name}</button> : r.name || t('bul.no_zone')}</td>
            <td class="num">{r.read}/{r.households}</td><td class="num">{r.unread}</td><td class="num">{r.confirmed}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ReceiptsPage({ params }) {
  const { t, lang } = useI18n();
  const id = encodeURIComponent(params.id);
  const { data, error, loading } = useApiData(`/bulletins/${id}/receipts`, [lang]);
  const head = useApiData(`/bulletins/${id}`, [lang]);
  const [block, setBlock] = useState(null);
  const chosen = block || (data?.blocks?.length === 1 ? data.blocks[0] : null);
  return (
    <main class="page page-narrow" data-testid="receipts-page">
      <p><Link href={`/bulletins/${id}`}>{t('bul.back_to_bulletin')}</Link></p>
      <h1>{t('bul.receipts')}</h1>
      {head.data ? <p class="lead">{head.data.bulletin.title}</p> : null}
      {loading && !data ? <Loading /> : null}
      <ErrorMessage error={error} />
      {data ? (
        <>
          <div class="bul-figures">
            <div class="bul-figure"><strong data-testid="total-read">{data.totals.read}</strong>{t('bul.col.read')}</div>
            <div class="bul-figure"><strong data-testid="total-unread">{data.totals.unread}</strong>{t('bul.col.unread')}</div>
            <div class="bul-figure"><strong>{data.totals.confirmed}</strong>{t('bul.col.confirmed')}</div>
          </div>
          {data.zones.length > 1 ? <Counts rows={data.zones} label={t('bul.col.zone')} /> : null}
          <h2>{t('bul.by_block')}</h2>
          <Counts rows={data.blocks} label={t('bul.col.block')} onPick={setBlock} picked={chosen?.block_id} />
          <ExportLinks path={`/bulletins/${id}/receipts/blocks`} testId="receipts-export" />
          {chosen ? <CallList key={chosen.block_id} id={id} block={chosen} /> : <p>{t('bul.pick_block')}</p>}
        </>
      ) : null}
    </main>
  );
}
