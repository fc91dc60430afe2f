import { useI18n } from '../i18n/index.js';

// One tap switches between the two languages; the button names the other language in
// that language, so someone who cannot read the current one still finds it.
export function LanguageToggle() {
  const { t, lang, setLang } = useI18n();
  const other = lang === 'en' ? 'zh-CN' : 'en';
  return (
    <button
      type="button"
      class="button button-quiet language-toggle"
      data-testid="language-toggle"
      lang={other}
      onClick={() => setLang(other)}
    >
      {t('language.switch_to')}
    </button>
  );
}
