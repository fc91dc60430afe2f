// The figures of the community (数据看板), filled by the server from the records
// themselves; each role gets the tiles its scope allows.
import { useI18n } from '../i18n/index.js';
import { useApiData } from './useApiData.js';
import { ErrorMessage } from './ErrorMessage.jsx';
import { Loading } from './Loading.jsx';
import { Link } from '../router.jsx';

export function DashboardTiles() {
  const { t, lang } = useI18n();
  // Labels and units come localised from the server, so a language switch reloads them.
  const { data, error, loading } = useApiData('/dashboard', [lang]);

  if (loading && !data) return <Loading />;
  if (error) return <ErrorMessage error={error} />;

  const tiles = data?.tiles || [];
  if (tiles.length === 0) {
    return (
      <p class="empty" data-testid="dashboard-empty">
        {t('dashboard.empty')}
      </p>
    );
  }
  return (
    <ul class="tiles" data-testid="dashboard-tiles">
      {tiles.map((tile) => (
        <DashboardTile key={tile.key} tile={tile} />
      ))}
    </ul>
  );
}

function DashboardTile({ tile }) {
  const { lang } = useI18n();
  const value = typeof tile.value === 'number' ? tile.value.toLocaleString(lang) : String(tile.value ?? '–');
  const body = (
    <>
      <span class="tile-label">{tile.label}</span>
      <span class="tile-value">
        {value}
        {tile.unit ? <span class="tile-unit"> {tile.unit}</span> : null}
      </span>
    </>
  );
  // A tile opens the people or things it counts, when the server says where they are.
  return (
    <li class="tile" data-testid={`tile-${tile.key}`}>
      {tile.link ? <Link class="tile-link" href={tile.link}>{body}</Link> : body}
    </li>
  );
}
