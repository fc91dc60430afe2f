// Two catalogues with identical keys; zh-CN is the default because the committees and
// most residents read Chinese, English serves foreign residents and visitors.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import zhCN from './zh-CN.json';
import en from './en.json';

export const LANGUAGES = ['zh-CN', 'en'];
export const DEFAULT_LANGUAGE = 'zh-CN';
// Each feature keeps its strings beside its pages (features/<name>/i18n/<lang>.json);
// they are merged over the shell's catalogues here.
const featureCatalogues = import.meta.glob('../features/*/i18n/*.json', { eager: true, import: 'default' });
const CATALOGUES = { 'zh-CN': { ...zhCN }, en: { ...en } };
for (const [file, strings] of Object.entries(featureCatalogues)) {
  const lang = file.match(/\/([^/]+)\.json$/)[1];
  if (CATALOGUES[lang]) Object.assign(CATALOGUES[lang], strings);
}
const STORAGE_KEY = 'shouwang.language';

export function isLanguage(value) {
  return LANGUAGES.includes(value);
}

// Prints and exports open as plain links (a new tab, a download): the server reads the
// app's language from this cookie, so a sheet follows the app and not the browser.
function shareLanguage(lang) {
  try {
    document.cookie = `sw_lang=${lang}; path=/; SameSite=Strict`;
  } catch {
    // No document (tests outside a browser): nothing to share.
  }
}

export function storedLanguage() {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    const lang = isLanguage(value) ? value : DEFAULT_LANGUAGE;
    shareLanguage(lang);
    return lang;
  } catch {
    // Storage can be unavailable (private mode, locked-down browsers): use the default.
    return DEFAULT_LANGUAGE;
  }
}

export function storeLanguage(lang) {
  shareLanguage(lang);
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not persisting is acceptable; the choice still holds for this page view.
  }
}

// Looks a key up and fills {name} placeholders. A missing key shows itself, so a gap
// is visible on screen instead of an empty space (the catalogue test guards against it).
export function translate(lang, key, params) {
  const catalogue = CATALOGUES[lang] || CATALOGUES[DEFAULT_LANGUAGE];
  const text = catalogue[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

// {lang, setLang, t}: provided by the app so every component re-renders on a switch.
export const LanguageContext = createContext({
  lang: DEFAULT_LANGUAGE,
  setLang: () => {},
  t: (key, params) => translate(DEFAULT_LANGUAGE, key, params),
});

export function useI18n() {
  return useContext(LanguageContext);
}
