// session.mjs — what the node benches share: one session against the server under test
// (the cookie and CSRF token kept as the web app keeps them; a bearer token in the
// headers wins over the cookie) and the percentile of a sorted list.
export function session(url) {
  const s = { cookie: '', csrf: '' };
  s.req = async (method, path, body, headers = {}) => {
    const h = { 'Content-Type': 'application/json', ...headers };
    if (s.cookie && !h.Authorization) { h.Cookie = s.cookie; if (method !== 'GET') h['X-CSRF-Token'] = s.csrf; }
    const res = await fetch(url + path, { method, headers: h,
      body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    const sc = res.headers.get('set-cookie');
    if (sc) { const m = sc.match(/sw_session=([^;]*)/); if (m) s.cookie = `sw_session=${m[1]}`; }
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    if (json?.csrf_token) s.csrf = json.csrf_token;
    return { status: res.status, json, text };
  };
  return s;
}

export const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
