// Pieces the volunteer pages share: who may open them, the list walker, the "do it and
// show the server's answer" hook every button uses, and a shift's time as people say it.
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import './volunteers.css';

export const LEADERS = ['committee', 'zone_leader', 'block_leader'];
export const VOLUNTEER_PAGES = [...LEADERS, 'volunteer'];
export const APPLY_ROLES = [...LEADERS, 'volunteer', 'resident'];
export const SKILLS = ['medical', 'driving', 'languages', 'it', 'lifting'];
export const SERVICE_KINDS = ['gate', 'parcels', 'sampling', 'care', 'delivery', 'patrol', 'other'];

export async function fetchAll(path) {
  const items = [];
  let cursor = null;
  const separator = path.includes('?') ? '&' : '?';
  for (let pages = 0; pages < 50; pages++) {
    const answer = await api.get(`${path}${separator}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...answer.items);
    cursor = answer.next_cursor;
    if (!cursor) break;
  }
  return items;
}

export { useAction } from '../../components/useAction.js';

// "12月5日 08:00–16:00" / "Dec 5 08:00–16:00" from the server's local texts.
export function shiftTime(lang, item) {
  const [day, start] = (item.start_text || '').split(' ');
  const [endDay, end] = (item.end_text || '').split(' ');
  const [, m, d] = (day || '').split('-').map(Number);
  const date = lang === 'en'
    ? `${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][m - 1] || ''} ${d}`
    : `${m}月${d}日`;
  return `${date} ${start}–${end}${endDay !== day && end !== '00:00' ? ' (+1)' : ''}`;
}

export function Message({ text, testId = 'message' }) {
  if (!text) return null;
  return <p class="message message-ok" role="status" data-testid={testId}>{text}</p>;
}

export function hours(minutes) {
  return Math.floor((minutes || 0) / 6) / 10;
}

export function useWords() {
  const { t } = useI18n();
  return (group, word) => (word ? t(`vol.${group}.${word}`) : '');
}
