// /bulletins/:id: one bulletin in the reader's language (else Chinese), marked "revised"
// with the time when it was changed after publishing. Opening it records the household's
// receipt. Staff pin, edit, withdraw and see the older versions; leaders open the
// receipts; anyone prints the wall notice in the languages they tick.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { hasAnyRole } from '../../roles.js';
import { Link } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { KindBadge, LANG_NAMES, LEADERS, TEXT_LANGS, useAction } from './common.jsx';
import { TextLangPicker } from './BulletinsPage.jsx';

function Versions({ id }) {
  const { t } = useI18n();
  const { data, error } = useApiData(`/bulletins/${id}/versions`, []);
  return (
    <section data-testid="bulletin-versions">
      <h2>{t('bul.versions')}</h2>
      <ErrorMessage error={error} />
      <ul class="bul-cards">
        {(data?.versions || []).map((v) => (
          <li class="bul-card" key={v.version}>
            <span class="bul-meta">{t('bul.version_n', { n: v.version })} · {v.edited_text} · {v.edited_by}</span>
            {Object.entries(v.texts).map(([l, x]) => (
              <div lang={l} key={l}><strong>{LANG_NAMES[l]}：{x.title}</strong><p class="bul-body">{x.body}</p></div>
            ))}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function BulletinPage({ params }) {
  const { t, lang } = useI18n();
  const { session } = useSession();
  const staff = hasAnyRole(session.user, ['committee']);
  const leader = hasAnyRole(session.user, LEADERS);
  const [textLang, setTextLang] = useState(lang);
  const [showVersions, setShowVersions] = useState(false);
  const [printLangs, setPrintLangs] = useState(null);
  const id = encodeURIComponent(params.id);
  const { data, error, loading, reload } = useApiData(`/bulletins/${id}?text_lang=${textLang}`, [lang]);
  const action = useAction(reload);
  const b = data?.bulletin;
  const live = b && !b.scheduled && b.state === 'published';
  const [receipt, setReceipt] = useState(null);
  useEffect(() => {
    if (!live) return;
    api.post(`/bulletins/${id}/read`, {}).then(setReceipt, () => {});
  }, [live, id]);
  const langs = printLangs || b?.languages || [];
  const togglePrint = (l) => setPrintLangs(langs.includes(l) ? langs.filter((x) => x !== l) : [...langs, l]);
  return (
    <main class="page page-narrow" data-testid="bulletin-page">
      <p><Link href="/bulletins">{t('bul.back')}</Link></p>
      {loading && !data ? <Loading /> : null}
      <ErrorMessage error={error} />
      {b ? (
        <article data-testid="bulletin" data-id={b.id} lang={b.lang}>
          <KindBadge kind={b.kind} />
          {b.pinned ? <span class="bul-badge">{t('bul.pinned')}</span> : null}
          {b.scheduled ? <span class="bul-badge">{t('bul.scheduled', { when: b.publish_text })}</span> : null}
          {b.state === 'withdrawn' ? <span class="bul-badge">{t('bul.withdrawn')}</span> : null}
          <h1 data-testid="bulletin-title">{b.title}</h1>
          <p class="bul-meta">{b.publish_text}
            {b.revised ? <span data-testid="bulletin-revised"> · {t('bul.revised_at', { when: b.revised_text })}</span> : null}</p>
          {b.languages.length > 1 ? <TextLangPicker value={b.lang} onChange={setTextLang} langs={b.languages} /> : null}
          {b.lang !== textLang ? <p class="bul-meta">{t('bul.fallback', { lang: LANG_NAMES[textLang] })}</p> : null}
          {b.rumour ? <blockquote class="bul-rumour"><strong lang={lang}>{t('bul.rumour_says')}</strong> {b.rumour}</blockquote> : null}
          <div class="bul-body" data-testid="bulletin-body">{b.body}</div>
          {receipt?.households?.length ? <p class="bul-meta" data-testid="bulletin-receipt">{t('bul.receipt_recorded')}</p> : null}
        </article>
      ) : null}
      {b ? (
        <section lang={lang}>
          <h2>{t('bul.print_title')}</h2>
          <div class="bul-check">
            {b.languages.map((l) => (
              <label key={l}><input type="checkbox" checked={langs.includes(l)} onChange={() => togglePrint(l)} /> {LANG_NAMES[l]}</label>
            ))}
          </div>
          <div class="bul-actions">
            <a class="button" href={`/api/v1/bulletins/${b.id}/print?langs=${(langs.length ? langs : TEXT_LANGS).join(',')}`}
              target="_blank" rel="noopener" data-testid="bulletin-print">{t('bul.print')}</a>
            {b.public ? <Link class="button" href={`/public/communities/${session.community?.id}/bulletins`}>{t('bul.public_page')}</Link> : null}
            {leader && live ? <Link class="button button-primary" href={`/bulletins/${b.id}/receipts`} data-testid="bulletin-receipts">{t('bul.receipts')}</Link> : null}
          </div>
        </section>
      ) : null}
      {b && staff ? (
        <section>
          <h2>{t('bul.manage')}</h2>
          <div class="bul-actions">
            {b.state === 'published' ? <Link class="button" href={`/bulletins/${b.id}/edit`} data-testid="bulletin-edit">{t('bul.edit')}</Link> : null}
            {b.state === 'published' ? (
              <button class="button" disabled={action.busy}
                onClick={() => action.run(() => api.patch(`/bulletins/${b.id}`, { pinned: !b.pinned }))}>{b.pinned ? t('bul.unpin') : t('bul.pin')}</button>
            ) : null}
            {b.state === 'published' ? (
              <button class="button button-quiet" disabled={action.busy} data-testid="bulletin-withdraw"
                onClick={() => window.confirm(t('bul.withdraw_confirm')) && action.run(() => api.post(`/bulletins/${b.id}/withdraw`, {}))}>{t('bul.withdraw')}</button>
            ) : null}
            {b.version > 1 ? <button class="button" onClick={() => setShowVersions(!showVersions)}>{t('bul.versions')}</button> : null}
          </div>
          <ErrorMessage error={action.error} />
          {showVersions ? <Versions id={b.id} /> : null}
        </section>
      ) : null}
    </main>
  );
}
