// What a station computes without the server: the community's day, the code of a scanned
// payload as the server reads it, and its digest (the same SHA-256 the server puts in
// the people cache), so that a scanned QR code finds its person offline.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function communityDay(timezone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone || 'Asia/Shanghai' }).format(new Date());
}

// "SW1:R:abcd-efgh…" -> {kind: 'R', code: 'ABCDEFGH…'}; null when it is no Shouwang code.
export function parseScan(text) {
  const m = /^SW1:([HR]):(.+)$/.exec((text || '').trim());
  if (!m) return null;
  let code = '';
  for (let ch of m[2].toUpperCase()) {
    if (ch === ' ' || ch === '-') continue;
    if (ch === 'O') ch = '0';
    if (ch === 'I' || ch === 'L') ch = '1';
    if (!ALPHABET.includes(ch)) return null;
    code += ch;
  }
  return code.length === 16 ? { kind: m[1], code } : null;
}

export async function digest(salt, code) {
  const data = new TextEncoder().encode(`${salt}:${code}`);
  const hash = await crypto.subtle.digest('SHA-256', data);
  return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, '0')).join('');
}

// People of the cache matching a typed name prefix, room or phone tail (4 digits).
export function searchCache(people, q) {
  const term = q.trim();
  if (!term) return [];
  const tail = /^\d{4}$/.test(term);
  return people.filter((p) => p.name.startsWith(term) || p.room === term ||
    (tail && p.phone_masked.endsWith(term))).slice(0, 30);
}
