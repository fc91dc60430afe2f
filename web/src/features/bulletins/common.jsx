// Pieces the bulletin pages share: who may open them, the languages a bulletin may have
// (the app's own are zh-CN and en; a bulletin's text may also be Japanese or Korean),
// and the "do it and keep the server's answer" hook of every button.
import { useI18n } from '../../i18n/index.js';
import './bulletins.css';

export const LEADERS = ['committee', 'zone_leader', 'block_leader'];
export const READERS = [...LEADERS, 'volunteer', 'resident'];
export const KINDS = ['daily', 'notice', 'urgent', 'rumour'];
export const TEXT_LANGS = ['zh-CN', 'en', 'ja', 'ko'];
// Each language's name in itself: a reader finds theirs whatever the app's language.
export const LANG_NAMES = { 'zh-CN': '中文', en: 'English', ja: '日本語', ko: '한국어' };

export { useAction } from '../../components/useAction.js';

export function KindBadge({ kind }) {
  const { t } = useI18n();
  return <span class={`bul-kind bul-kind-${kind}`}>{t(`bul.kind.${kind}`)}</span>;
}
