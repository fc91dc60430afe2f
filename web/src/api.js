// The one way the app talks to the server: JSON in and out, the UI language in
// Accept-Language (the server localises its error messages by it), and the CSRF token
// on every state-changing request (the session cookie alone must never be enough).
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

// Network failures (server down, connection cut) surface as status 0.
export async function apiRequest(method, path, body, { quietUnauthenticated = false } = {}) {
  const headers = { Accept: 'application/json', 'Accept-Language': state.language };
  const init = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD' && state.csrfToken) {
    headers['X-CSRF-Token'] = state.csrfToken;
  }

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
  del: (path, options) => apiRequest('DELETE', path, undefined, options),
};
