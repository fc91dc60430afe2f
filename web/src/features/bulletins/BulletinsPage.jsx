// /bulletins: the bulletins the reader's scope holds, pinned first then newest, in the
// text language they pick (their app language by default). Staff also see the scheduled
// and withdrawn ones, and start a new one or today's daily bulletin from here.
import { useState } from 'preact/hooks';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { hasAnyRole } from '../../roles.js';
import { Link } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { KindBadge, KINDS, LANG_NAMES, TEXT_LANGS } from './common.jsx';

export function BulletinCard({ item }) {
  const { t } = useI18n();
  return (
    <li class={`bul-card${item.pinned ? ' bul-card-pinned' : ''}`} data-testid="bulletin-item" data-id={item.id} data-kind={item.kind}>
      <KindBadge kind={item.kind} />
      {item.pinned ? <span class="bul-badge">{t('bul.pinned')}</span> : null}
      {item.scheduled ? <span class="bul-badge">{t('bul.scheduled', { when: item.publish_text })}</span> : null}
      {item.state === 'withdrawn' ? <span class="bul-badge">{t('bul.withdrawn')}</span> : null}
      {item.read ? <span class="bul-badge bul-badge-ok">{t('bul.read')}</span> : null}
      <Link href={`/bulletins/${item.id}`} class="bul-card-title">{item.title}</Link>
      <span class="bul-meta">{item.publish_text}{item.revised ? ` · ${t('bul.revised_at', { when: item.revised_text })}` : ''}</span>
    </li>
  );
}

export function TextLangPicker({ value, onChange, langs = TEXT_LANGS }) {
  const { t } = useI18n();
  return (
    <div class="bul-langs" role="group" aria-label={t('bul.text_lang')}>
      {langs.map((l) => (
        <button type="button" class="button bul-lang" aria-pressed={value === l ? 'true' : 'false'} lang={l}
          onClick={() => onChange(l)} data-testid={`text-lang-${l}`}>{LANG_NAMES[l]}</button>
      ))}
    </div>
  );
}

export function BulletinsPage() {
  const { t, lang } = useI18n();
  const { session } = useSession();
  const staff = hasAnyRole(session.user, ['committee']);
  const [textLang, setTextLang] = useState(lang);
  const [kind, setKind] = useState('');
  const { data, error, loading } = useApiData(`/bulletins?limit=100&text_lang=${textLang}${kind ? `&kind=${kind}` : ''}`, [lang]);
  return (
    <main class="page page-narrow" data-testid="bulletins-page">
      <h1>{t('bul.title')}</h1>
      {staff ? (
        <div class="bul-actions">
          <Link href="/bulletins/new" class="button button-primary" data-testid="bulletin-new">{t('bul.new')}</Link>
          <Link href="/bulletins/new?draft=1" class="button" data-testid="bulletin-draft">{t('bul.new_daily')}</Link>
        </div>
      ) : null}
      <TextLangPicker value={textLang} onChange={setTextLang} />
      <label class="field">
        <span class="field-label">{t('bul.kind_filter')}</span>
        <select value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
          <option value="">{t('bul.all_kinds')}</option>
          {KINDS.map((k) => <option value={k}>{t(`bul.kind.${k}`)}</option>)}
        </select>
      </label>
      {loading && !data ? <Loading /> : null}
      <ErrorMessage error={error} />
      {data && !data.items.length ? <p>{t('bul.none')}</p> : null}
      <ul class="bul-cards">{(data?.items || []).map((item) => <BulletinCard key={item.id} item={item} />)}</ul>
    </main>
  );
}
