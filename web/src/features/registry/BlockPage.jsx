// One block (楼组): its households, the care list and the call list, each printable and
// exportable, plus the door-plate and personal-code sheets printed on the server. The
// sheet links show the codes that exist; issuing missing codes is a POST (with the CSRF
// token), after which the sheet opens with them.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { NotFoundPage } from '../../pages/NotFoundPage.jsx';
import { ExportLinks, FlagChips, LoadMore, Phone, Tabs, usePagedList } from './common.jsx';

export function BlockPage({ params }) {
  const { t } = useI18n();
  const id = params.id;
  const { data, error, loading } = useApiData(`/blocks/${encodeURIComponent(id)}`);
  // ?tab=care or ?tab=calls opens that list at once (the links on a leader's home).
  const [tab, setTab] = useState(() => {
    const asked = new URLSearchParams(window.location.search).get('tab');
    return ['households', 'care', 'calls'].includes(asked) ? asked : 'households';
  });

  if (loading && !data) return <main class="page"><Loading /></main>;
  // Outside the leader's scope the server answers 404, like a block that does not exist.
  if (error && (error.status === 404 || error.status === 400)) return <NotFoundPage />;
  if (error) return <main class="page"><ErrorMessage error={error} /></main>;
  const block = data.block;

  return (
    <main class="page" data-testid="block-page" data-id={block.id}>
      <p class="no-print"><Link href="/registry/blocks">← {t('registry.blocks.title')}</Link></p>
      <h1 data-testid="block-name">{block.name}</h1>
      <p class="lead">
        {[block.zone_name, t('registry.blocks.counts', { households: block.households, residents: block.residents })].filter(Boolean).join(' · ')}
      </p>
      <p class="registry-exports no-print" data-testid="block-sheets">
        <a class="button button-quiet" href={`/api/v1/blocks/${block.id}/door-plates`} target="_blank" rel="noopener" data-testid="door-plates">
          {t('registry.block.door_plates')}
        </a>
        <a class="button button-quiet" href={`/api/v1/blocks/${block.id}/personal-codes`} target="_blank" rel="noopener" data-testid="personal-codes">
          {t('registry.block.personal_codes')}
        </a>
        <IssueButton blockId={block.id} sheet="door-plates" label={t('registry.block.issue_door_plates')} />
        <IssueButton blockId={block.id} sheet="personal-codes" label={t('registry.block.issue_personal_codes')} />
      </p>
      <Tabs
        tabs={[
          { key: 'households', label: t('registry.block.households') },
          { key: 'care', label: t('registry.block.care') },
          { key: 'calls', label: t('registry.block.calls') },
        ]}
        current={tab}
        onChange={setTab}
      />
      {tab === 'households' ? <BlockHouseholds id={block.id} /> : null}
      {tab === 'care' ? <CareList id={block.id} /> : null}
      {tab === 'calls' ? <CallList id={block.id} /> : null}
    </main>
  );
}

// Issues the sheet's missing codes, then opens the sheet. The window is opened at the
// click (a window opened after an await is blocked) and sent to the sheet afterwards.
function IssueButton({ blockId, sheet, label }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  async function issue() {
    const win = window.open('', '_blank');
    setBusy(true);
    setError(null);
    try {
      await api.post(`/blocks/${blockId}/${sheet}`, {});
      const url = `/api/v1/blocks/${blockId}/${sheet}`;
      if (win) win.location.href = url;
      else window.location.href = url;
    } catch (e) {
      if (win) win.close();
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <button type="button" class="button button-quiet" onClick={issue} disabled={busy} data-testid={`${sheet}-issue`}>
        {label}
      </button>
      {error ? <ErrorMessage error={error} /> : null}
    </>
  );
}

function ListSection({ title, path, list, testId, empty, children }) {
  const { t } = useI18n();
  return (
    <section class="section" data-testid={testId}>
      <div class="registry-section-head">
        <h2>{title}</h2>
        <ExportLinks path={path} testId={`${testId}-exports`} />
      </div>
      {list.items.length === 0 && !list.loading && !list.error ? <p class="empty">{empty || t('registry.list.empty')}</p> : null}
      {list.items.length > 0 ? <div class="table-scroll">{children}</div> : null}
      <LoadMore list={list} />
    </section>
  );
}

function BlockHouseholds({ id }) {
  const { t } = useI18n();
  const path = `/blocks/${id}/households`;
  const list = usePagedList(path);
  return (
    <ListSection title={t('registry.block.households')} path={path} list={list} testId="block-households">
      <table class="registry-table">
        <thead><tr><th>{t('registry.col.room')}</th><th>{t('registry.col.people')}</th></tr></thead>
        <tbody>
          {list.items.map((household) => (
            <tr key={household.id} data-testid="block-household-row">
              <td>
                <Link href={`/registry/households/${household.id}`}>{household.room}</Link>
                <div class="card-meta">{t(`registry.status.${household.status}`)}</div>
                <div class="card-meta registry-nowrap">{household.phone}</div>
              </td>
              <td>
                {(household.members || []).map((member) => (
                  <div key={member.id}>
                    <Link href={`/registry/residents/${member.id}`}>{member.name}</Link>{' '}
                    <span class="registry-nowrap">{member.phone}</span>
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ListSection>
  );
}

function CareList({ id }) {
  const { t } = useI18n();
  const path = `/blocks/${id}/care-list`;
  const list = usePagedList(path);
  return (
    <ListSection title={t('registry.block.care')} path={path} list={list} testId="care-list">
      <table class="registry-table">
        <thead><tr><th>{t('registry.col.name')}</th><th>{t('registry.col.age')}</th><th>{t('registry.col.phone')}</th><th>{t('registry.col.room')}</th><th>{t('registry.col.flags')}</th></tr></thead>
        <tbody>
          {list.items.map((row) => (
            <tr key={row.id} data-testid="care-row">
              <td class="registry-nowrap"><Link href={`/registry/residents/${row.id}`}>{row.name}</Link></td>
              <td>{row.age ?? ''}</td>
              <td><Phone number={row.phone} testId="care-phone" /></td>
              <td>{row.room}</td>
              <td><FlagChips flags={row.flags} />{row.care_notes ? <div class="card-meta">{row.care_notes}</div> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ListSection>
  );
}

function CallList({ id }) {
  const { t } = useI18n();
  const path = `/blocks/${id}/call-list`;
  const list = usePagedList(path);
  return (
    <ListSection title={t('registry.block.calls')} path={path} list={list} testId="call-list">
      <table class="registry-table">
        <thead><tr><th>{t('registry.col.name')}</th><th>{t('registry.col.phone')}</th><th>{t('registry.col.relay')}</th></tr></thead>
        <tbody>
          {list.items.map((row) => (
            <tr key={row.id} data-testid="call-row">
              <td><Link class="registry-nowrap" href={`/registry/residents/${row.id}`}>{row.name}</Link><br /><span class="card-meta">{row.room}</span></td>
              <td class="registry-nowrap"><Phone number={row.phone} testId="call-phone" />{row.household_phone && row.household_phone !== row.phone ? <div class="card-meta"><Phone number={row.household_phone} /></div> : null}</td>
              <td>{row.relay}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ListSection>
  );
}
