// The next piece of work first, on a zone or block leader's home: a big button for each
// open sweep with households still to reach in the leader's scope ("去排摸（剩 8 户）"),
// then, per block held, the call list and the care list, each one tap away.
import { useI18n } from '../i18n/index.js';
import { useSession } from '../session.js';
import { Link } from '../router.jsx';
import { useApiData } from '../components/useApiData.js';

export function NextWork({ role }) {
  const { t, lang } = useI18n();
  const { session } = useSession();
  const { data } = useApiData('/sweeps?state=open&limit=20', [lang]);
  const open = (data?.items || []).filter((s) => s.remaining > 0);
  const blocks = (session.user?.roles || []).filter((r) => r.role === role && r.scope_kind === 'block');
  if (open.length === 0 && blocks.length === 0) return null;
  return (
    <section class="section next-work" data-testid="next-work">
      {open.map((s) => (
        <Link key={s.id} class="button button-primary button-big" href={`/sweeps/${s.id}/households`}
          data-testid={`next-sweep-${s.id}`}>
          {t('home.next.sweep', { title: s.title, n: s.remaining })}
        </Link>
      ))}
      {blocks.map((b) => (
        <div key={b.scope_id} class="next-block" data-testid={`next-block-${b.scope_id}`}>
          <h2>{b.scope_name || t('scope.block', { id: b.scope_id })}</h2>
          <p class="next-links">
            <Link class="button" href={`/registry/blocks/${b.scope_id}?tab=calls`}>{t('home.next.calls')}</Link>
            <Link class="button" href={`/registry/blocks/${b.scope_id}?tab=care`}>{t('home.next.care')}</Link>
            <Link class="button button-quiet" href={`/registry/blocks/${b.scope_id}`}>{t('home.next.households')}</Link>
          </p>
        </div>
      ))}
    </section>
  );
}
