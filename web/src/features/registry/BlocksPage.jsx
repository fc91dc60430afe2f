// 楼组: the blocks this leader may see with their households, residents and the people
// who need care, grouped by zone when the community has zones.
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.jsx';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { ExportLinks, FLAGS, useAllItems } from './common.jsx';

// The counts endpoint names flags as columns; home isolation is counted as in_isolation.
const COUNTED = FLAGS.filter((flag) => flag !== 'home_isolation');

export function BlocksPage() {
  const { t } = useI18n();
  const blocks = useAllItems('/blocks');
  const counts = useAllItems('/registry/counts?by=block');

  if (blocks.items === null || counts.items === null) return <main class="page"><Loading /></main>;
  const countsById = new Map((counts.items || []).map((row) => [row.id, row]));

  // Zones in the order the server sorted the blocks (by zone, then block order).
  const groups = [];
  const byZone = new Map();
  for (const block of blocks.items) {
    const key = block.zone_id ?? 'none';
    if (!byZone.has(key)) {
      const group = { key, name: block.zone_name || t('registry.blocks.no_zone'), blocks: [] };
      byZone.set(key, group);
      groups.push(group);
    }
    byZone.get(key).blocks.push(block);
  }
  const zoned = groups.some((group) => group.key !== 'none');

  return (
    <main class="page" data-testid="blocks-page">
      <h1>{t('registry.blocks.title')}</h1>
      <p class="lead no-print"><Link href="/registry" data-testid="link-search">{t('registry.search.title')}</Link></p>
      <ErrorMessage error={blocks.error || counts.error} />
      <ExportLinks path="/registry/counts" params={{ by: 'block' }} testId="counts-exports" />
      {blocks.items.length === 0 && !blocks.error ? <p class="empty" data-testid="blocks-empty">{t('registry.blocks.none')}</p> : null}
      {groups.map((group) => (
        <section key={group.key} class="section" data-testid="zone-group">
          {zoned ? <h2 data-testid="zone-name">{group.name}</h2> : null}
          <ul class="card-list">
            {group.blocks.map((block) => {
              const row = countsById.get(block.id) || {};
              return (
                <li key={block.id} class="card" data-testid="block-item" data-id={block.id}>
                  <Link class="card-title" href={`/registry/blocks/${block.id}`}>{block.name}</Link>
                  <span class="card-meta">
                    {t('registry.blocks.counts', { households: block.households, residents: block.residents })}
                  </span>
                  <span class="registry-chips">
                    {COUNTED.filter((flag) => row[flag] > 0).map((flag) => (
                      <span key={flag} class={`registry-chip registry-chip-${flag}`}>{t(`registry.flag.${flag}`)} {row[flag]}</span>
                    ))}
                    {row.in_isolation > 0 ? (
                      <span class="registry-chip registry-chip-home_isolation">{t('registry.flag.home_isolation')} {row.in_isolation}</span>
                    ) : null}
                  </span>
                </li>
              );
            })}
          </ul>
        </section>
      ))}
    </main>
  );
}
