// Pieces the bulletin pages share: who may open them, the languages a bulletin may have
// (the app's own are zh-CN and en; a bulletin's text may also be Japanese or Korean),
// and the "do it and keep the server's answer" hook of every button.
import { useState } from 'preact/hooks';
import { useI18n } from '../../i18n/index.js';
import './bulletins.css';

export const LEADERS = ['committee', 'zone_leader', 'block_leader'];
export const READERS = [...LEADERS, 'volunteer', 'resident'];
export const KINDS = ['daily', 'notice', 'urgent', 'rumour'];
export const TEXT_LANGS = ['zh-CN', 'en', 'ja', 'ko'];
// Each language's name in itself: a reader finds theirs whatever the app's language.
export const LANG_NAMES = { 'zh-CN': '中文', en: 'English', ja: '日本語', ko: '한국어' };

export function useAction(done) {
  const [state, setState] = useState({ busy: false, error: null, message: '' });
  async function run(fn) {
    setState({ busy: true, error: null, message: '' });
    try {
      const answer = await fn();
      setState({ busy: false, error: null, message: answer?.message || '' });
      if (done) done(answer);
      return answer;
    } catch (error) {
      setState({ busy: false, error, message: '' });
      return null;
    }
  }
  return { ...state, run };
}

export function KindBadge({ kind }) {
  const { t } = useI18n();
  return <span class={`bul-kind bul-kind-${kind}`}>{t(`bul.kind.${kind}`)}</span>;
}
