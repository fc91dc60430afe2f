// Pieces the sweep pages share: who may use them, labels in the UI language, the list
// walker, a static progress bar and the error shown beside the field the server named.
import { api } from '../../api.js';
import { useSession } from '../../session.js';
import { LEADER_ROLES } from '../../roles.js';
import './sweeps.css';
export { placeName } from '../../components/place.js';

export const SWEEP_ROLES = LEADER_ROLES;
export const OUTCOMES = ['answered', 'not_home', 'refused'];
export const QUESTION_TYPES = ['yes_no', 'choice', 'multi', 'number', 'text'];
// The registry's vulnerability flags a sweep may target (labels: registry.flag.*).
export const FLAGS = ['alone_elderly', 'disabled', 'pregnant', 'chronic_illness', 'bedridden', 'no_smartphone', 'home_isolation'];
export const LIVE_REFRESH_MS = 5000;

// A question's label in the UI language (label_en defaults to label_zh on the server).
export function questionLabel(question, lang) {
  return lang === 'en' ? question.label_en || question.label_zh : question.label_zh;
}

// Every item of a list, following next_cursor (target lists hold at most a few
// thousand households, and a block leader's a few dozen).
export async function fetchAll(path) {
  const items = [];
  let cursor = null;
  const separator = path.includes('?') ? '&' : '?';
  for (let pages = 0; pages < 100; pages++) {
    const answer = await api.get(`${path}${separator}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...answer.items);
    cursor = answer.next_cursor;
    if (!cursor) break;
  }
  return items;
}

// The server's error message beside the field it names; `match` may be a prefix
// (questions[2] covers questions[2].key and questions[2].choices).
export function FieldError({ error, field, prefix = false, testId }) {
  if (!error || !error.field) return null;
  const hit = prefix ? error.field === field || error.field.startsWith(field + '.') || error.field.startsWith(field + '[')
    : error.field === field;
  if (!hit) return null;
  return (
    <p class="message message-error sweep-field-error" role="alert" data-testid={testId || `error-${field}`}>
      {error.message}
    </p>
  );
}

// A bar for figures already known (ProgressBar follows a job; this one just draws).
export function PercentBar({ percent, testId }) {
  const value = Math.max(0, Math.min(100, Number(percent) || 0));
  return (
    <div class="progress-track sweep-bar" role="progressbar" aria-valuemin="0" aria-valuemax="100"
      aria-valuenow={value} data-testid={testId}>
      <div class={value >= 100 ? 'progress-fill sweep-bar-full' : 'progress-fill'} style={{ width: `${value}%` }} />
    </div>
  );
}

// A server instant ("…Z") on the community's clock, as people read it: 2026-12-03 16:11.
// The community's zone, not the phone's: a leader away from home still speaks of the
// committee's hours.
export function formatLocal(value, timeZone) {
  const date = new Date(value);
  if (!value || Number.isNaN(date.getTime())) return '';
  const options = { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  let parts;
  try {
    parts = new Intl.DateTimeFormat('en-CA', { ...options, timeZone: timeZone || 'Asia/Shanghai' }).formatToParts(date);
  } catch {
    parts = new Intl.DateTimeFormat('en-CA', options).formatToParts(date);
  }
  const part = (type) => parts.find((p) => p.type === type)?.value || '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

// The community's time zone from the session (Asia/Shanghai when not told).
export function useTimeZone() {
  const { session } = useSession();
  return session?.community?.timezone || 'Asia/Shanghai';
}

// English says "1 household", "2 households": key_one for one, key for any other count
// (Chinese needs no plural, so both keys read alike there).
export function plural(t, key, count) {
  return t(count === 1 ? `${key}_one` : key, { count });
}
