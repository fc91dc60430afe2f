// The one way the app talks to the server: JSON in and out, the UI language in
// Accept-Language (the server localises its error messages by it), and the CSRF token
// on every state-changing request (the session cookie alone must never be enough).
//
// Every write carries an Idempotency-Key, one per logical write: a phone on a flaky
// network may lose the answer of a write the server did, and the retry (here, or the
// person pressing "save" again with the key the form kept) must not do it twice. The
// server answers a repeated key with the stored answer; routes whose answer holds a
// secret or personal data (a token, a code) answer it with 409 idempotency_already_done
// and the id instead (the answer is never kept), and public routes ignore the header.
import { DEFAULT_LANGUAGE } from './i18n/index.js';

const state = {
  csrfToken: null,
  language: DEFAULT_LANGUAGE,
  onUnauthenticated: null,
};

export function setCsrfToken(token) {
  state.csrfToken = token || null;
}

export function setApiLanguage(lang) {
  state.language = lang;
}

// Called when a request answers 401 outside the login itself: the session has expired
// or was ended elsewhere, and the app must go back to the login page.
export function onUnauthenticated(handler) {
  state.onUnauthenticated = handler;
}

export class ApiError extends Error {
  constructor({ status, code, message, field, retryAfter }) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || null;
    this.field = field || null;
    this.retryAfter = retryAfter ?? null;
    // True when the server gave a message meant for people (already localised).
    this.hasServerMessage = Boolean(message);
  }
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// The answer was lost or the server (or a proxy before it) was briefly away: the write
// may or may not have happened, and the same key makes trying again safe.
const RETRY_STATUS = new Set([0, 502, 503, 504]);
const RETRY_DELAYS_MS = [400, 1200];

// A fresh key for one logical write. crypto.randomUUID needs a secure context and a
// 2021+ browser; older phones and plain-http LAN installs get a v4 UUID built from
// getRandomValues, or from Math.random where even that is missing (a key only has to
// differ from this user's other keys, it guards nothing).
export function newIdempotencyKey() {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') {
    try {
      return c.randomUUID();
    } catch {
      // Not a secure context: fall through.
    }
  }
  const bytes = new Uint8Array(16);
  if (c && typeof c.getRandomValues === 'function') c.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Network failures (server down, connection cut) surface as status 0.
// Options: quietUnauthenticated (a 401 does not end the app's session), idempotencyKey
// (a form that keeps one key until its write succeeds passes it; otherwise each call is
// one logical write with a key of its own), retries (writes: how many more tries after a
// lost answer or a 502/503/504, default 2, all with the same key).
export async function apiRequest(method, path, body, { quietUnauthenticated = false, idempotencyKey, retries = 2 } = {}) {
  const write = WRITE_METHODS.has(method);
  const key = write ? (idempotencyKey || newIdempotencyKey()) : null;
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptRequest(method, path, body, key, quietUnauthenticated);
    } catch (error) {
      // A key still being worked on by the lost first attempt: wait for it as well.
      const again = RETRY_STATUS.has(error.status) || error.code === 'idempotency_in_progress';
      if (!write || !again || attempt >= retries) throw error;
      await sleep(RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)]);
    }
  }
}

async function attemptRequest(method, path, body, key, quietUnauthenticated) {
  const headers = { Accept: 'application/json', 'Accept-Language': state.language };
  const init = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD' && state.csrfToken) {
    headers['X-CSRF-Token'] = state.csrfToken;
  }
  if (key) headers['Idempotency-Key'] = key;

  let response;
  try {
    response = await fetch('/api/v1' + path, init);
  } catch {
    throw new ApiError({ status: 0, code: 'network' });
  }

  const json = await readJson(response);
  if (response.ok) {
    if (json && typeof json.csrf_token === 'string') setCsrfToken(json.csrf_token);
    return json;
  }

  const error = (json && json.error) || {};
  const retryHeader = response.headers.get('Retry-After');
  const apiError = new ApiError({
    status: response.status,
    code: error.code,
    message: error.message,
    field: error.field,
    retryAfter: retryHeader !== null && /^\d+$/.test(retryHeader) ? Number(retryHeader) : null,
  });
  if (response.status === 401 && !quietUnauthenticated && state.onUnauthenticated) {
    state.onUnauthenticated();
  }
  throw apiError;
}

async function readJson(response) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export const api = {
  get: (path, options) => apiRequest('GET', path, undefined, options),
  post: (path, body, options) => apiRequest('POST', path, body ?? {}, options),
  patch: (path, body, options) => apiRequest('PATCH', path, body ?? {}, options),
  put: (path, body, options) => apiRequest('PUT', path, body ?? {}, options),
  del: (path, options) => apiRequest('DELETE', path, undefined, options),
};
