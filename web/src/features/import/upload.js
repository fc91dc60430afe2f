// Sends the chosen file as the request body (the server reads CSV or XLSX from the raw
// body). api.js only speaks JSON, so this is its own fetch; it keeps the same rules: the
// UI language in Accept-Language and the CSRF token, fetched fresh from /me, because a
// cookie alone must never be enough for a write.
import { api, ApiError } from '../../api.js';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// Browsers report CSV files under several types (or none); the extension decides.
export function fileType(file) {
  return /\.xlsx$/i.test(file.name) ? XLSX_TYPE : 'text/csv';
}

// POST /registry/import with the query built from `options`; resolves to
// {status, json}. A refusal throws an ApiError that also carries the whole answer
// (`body`), because a mapping refusal lists the headers the user must choose from.
export async function uploadImport(file, { dryRun, async: inBackground, mapping, language, blockKind, acceptWarnings }) {
  const me = await api.get('/me');
  const query = new URLSearchParams();
  if (dryRun) query.set('dry_run', '1');
  if (blockKind && blockKind !== 'building') query.set('block_kind', blockKind);
  if (acceptWarnings) query.set('accept_warnings', '1');
  if (inBackground) query.set('async', '1');
  if (mapping) query.set('mapping', JSON.stringify(mapping));
  let response;
  try {
    response = await fetch(`/api/v1/registry/import?${query}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        Accept: 'application/json',
        'Accept-Language': language,
        'Content-Type': fileType(file),
        'X-CSRF-Token': me.csrf_token || '',
      },
      body: file,
    });
  } catch {
    throw new ApiError({ status: 0, code: 'network' });
  }
  const json = await readJson(response);
  // 422 is a real run refused for bad rows: it still carries the full report.
  if (response.ok || (response.status === 422 && json?.summary)) return { status: response.status, json };
  const error = new ApiError({ status: response.status, ...(json?.error || {}) });
  error.body = json;
  throw error;
}

// The report a background import left as its result.
export async function fetchJobReport(url) {
  const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!response.ok) throw new ApiError({ status: response.status });
  return response.json();
}

async function readJson(response) {
  const text = await response.text();
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}
