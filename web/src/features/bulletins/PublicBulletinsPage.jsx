// /public/communities/:id/bulletins: a community's public bulletins, without a session,
// for a link in a chat group or the QR code on the lobby wall: in the reader's pick of
// the languages each bulletin has, else Chinese. Nothing personal is on it.
import { useState } from 'preact/hooks';
import { useI18n } from '../../i18n/index.js';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { KindBadge } from './common.jsx';
import { TextLangPicker } from './BulletinsPage.jsx';

export function PublicBulletinsPage({ params }) {
  const { t, lang } = useI18n();
  const [textLang, setTextLang] = useState(lang);
  const { data, error, loading } = useApiData(`/public/communities/${encodeURIComponent(params.id)}/bulletins`, []);
  return (
    <main class="page page-narrow bul-public" data-testid="public-bulletins">
      <header>
        <h1>{data ? t('bul.public_title', { name: data.community.name }) : t('bul.title')}</h1>
        <TextLangPicker value={textLang} onChange={setTextLang} />
      </header>
      {loading && !data ? <Loading /> : null}
      <ErrorMessage error={error} />
      {data && !data.items.length ? <p>{t('bul.none')}</p> : null}
      <ul class="bul-cards">
        {(data?.items || []).map((b) => {
          const x = b.texts[textLang] || b.texts['zh-CN'];
          const shown = b.texts[textLang] ? textLang : 'zh-CN';
          return (
            <li class={`bul-card${b.pinned ? ' bul-card-pinned' : ''}`} id={`bulletin-${b.id}`} key={b.id} data-testid="public-bulletin">
              <KindBadge kind={b.kind} />
              <h2 class="bul-card-title" lang={shown}>{x.title}</h2>
              <span class="bul-meta">{b.publish_text}{b.revised_text ? ` · ${t('bul.revised_at', { when: b.revised_text })}` : ''}</span>
              {x.rumour ? <blockquote class="bul-rumour" lang={shown}>{x.rumour}</blockquote> : null}
              <div class="bul-body" lang={shown}>{x.body}</div>
            </li>
          );
        })}
      </ul>
    </main>
  );
}
