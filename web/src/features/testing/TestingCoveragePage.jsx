// /testing/:id/coverage: expected, sampled, exempt and still to test per zone and block
// of the leader's scope, with bars; while the round is open it refreshes every 15 s,
// so a station's registrations show without touching the page.
import { useEffect } from 'preact/hooks';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.jsx';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ExportLinks } from '../registry/common.jsx';
import { CoverageBar, StateBadge } from './common.jsx';

export const COVERAGE_REFRESH_MS = 15000;

function Counts({ row, name, head }) {
  const { t } = useI18n();
  const Cell = head ? 'th' : 'td';
  return (
    <tr class={head ? 'testing-zone-row' : ''} data-testid={head ? 'testing-zone' : 'testing-block'}>
      <Cell scope="row">{name}</Cell>
      <Cell class="num">{row.sampled}/{row.expected}</Cell>
      <Cell class="num">{row.exempt}</Cell>
      <Cell class="num">{row.to_test}</Cell>
      <Cell class="num">{row.door_to_door}</Cell>
      <Cell><CoverageBar done={row.sampled + row.exempt} total={row.expected} label={name || t('testing.cov.no_zone')} /></Cell>
    </tr>
  );
}

export function TestingCoveragePage({ params }) {
  const { t, lang } = useI18n();
  const cov = useApiData(`/test-rounds/${encodeURIComponent(params.id)}/coverage`, [lang]);
  const open = cov.data?.round.state === 'open';
  useEffect(() => {
    if (!open) return undefined;
    const timer = setInterval(() => cov.reload(), COVERAGE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [open, cov.reload]);
  if (cov.loading && !cov.data) return <main class="page page-narrow"><Loading /></main>;
  if (!cov.data) return <main class="page page-narrow"><ErrorMessage error={cov.error} /></main>;
  const { round, totals, zones } = cov.data;
  const figures = [['sampled', totals.sampled], ['exempt', totals.exempt], ['to_test', totals.to_test],
    ['door_to_door', totals.door_to_door]];
  return (
    <main class="page page-narrow" data-testid="testing-coverage-page">
      <h1>{t('testing.cov.title', { name: round.name })}</h1>
      <p class="testing-card-head"><span>{round.on_day}</span><StateBadge state={round.state} text={round.state_text} /></p>
      {open ? <p class="testing-meta">{t('testing.cov.live')}</p> : null}
      <div class="testing-totals" data-testid="testing-totals">
        <div class="testing-total"><span>{t('testing.cov.expected')}</span><strong data-testid="testing-expected">{totals.expected}</strong></div>
        {figures.map(([k, v]) => (
          <div class="testing-total" key={k}><span>{t(`testing.cov.${k}`)}</span><strong data-testid={`testing-${k}`}>{v}</strong></div>
        ))}
      </div>
      <CoverageBar done={totals.sampled + totals.exempt} total={totals.expected} label={t('testing.cov.all')} />
      <ErrorMessage error={cov.error} />
      <div class="testing-table-wrap">
        <table class="testing-table">
          <thead><tr>
            <th scope="col">{t('testing.cov.where')}</th><th scope="col" class="num">{t('testing.cov.sampled_of')}</th>
            <th scope="col" class="num">{t('testing.cov.exempt')}</th><th scope="col" class="num">{t('testing.cov.to_test')}</th>
            <th scope="col" class="num">{t('testing.cov.door_short')}</th><th scope="col">{t('testing.cov.share')}</th>
          </tr></thead>
          <tbody>
            {zones.flatMap((z) => [
              <Counts key={`z${z.id}`} row={z} name={z.name || t('testing.cov.no_zone')} head />,
              ...z.blocks.map((b) => <Counts key={b.id} row={b} name={b.name} />),
            ])}
          </tbody>
        </table>
      </div>
      <p class="testing-links">
        <Link class="button" href={`/testing/${round.id}/not-tested`} data-testid="testing-not-tested-link">{t('testing.link_not_tested')}</Link>
        <Link class="button button-quiet" href={`/testing/${round.id}`}>{t('testing.back_round')}</Link>
      </p>
      <ExportLinks path={`/test-rounds/${round.id}/coverage/blocks`} testId="testing-coverage-exports" />
    </main>
  );
}
