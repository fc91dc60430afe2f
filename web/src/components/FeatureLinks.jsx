// The shortcuts features offer on a role's home page (the pages that role uses most).
import { useI18n } from '../i18n/index.js';
import { Link } from '../router.jsx';
import { featureHomeLinks } from '../features.js';

export function FeatureLinks({ role }) {
  const { t } = useI18n();
  const links = featureHomeLinks(role);
  if (links.length === 0) return null;
  return (
    <ul class="link-list" data-testid="feature-links">
      {links.map((link) => (
        <li key={link.key}><Link href={link.path} data-testid={`link-${link.key}`}>{t(link.label)}</Link></li>
      ))}
    </ul>
  );
}
