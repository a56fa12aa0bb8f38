// The JSON client of the jifen API. The browser session is a HttpOnly cookie;
// writes carry the session's CSRF token. Errors become ApiError with the API's
// own message in the current language (never a bare code).
import { lang } from './i18n';

let csrf = sessionStorage.getItem('jifen.csrf') || '';
export function setCsrf(token) {
  csrf = token || '';
  if (csrf) sessionStorage.setItem('jifen.csrf', csrf);
  else sessionStorage.removeItem('jifen.csrf');
}

// FNV-1a over the UTF-16 code units: a short, stable digest of a request body.
function digest(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

function networkError() {
  return new ApiError(0, 'network', lang.value === 'en'
    ? 'Network error: check the connection and try again. Nothing you typed is lost.'
    : '网络连接失败，请检查网络后重试。已填写的内容不会丢失。', null);
}

// opts: { body (object → JSON, Blob/File → raw), headers, idem (Idempotency-Key), raw (return Response) }
export async function api(method, path, opts = {}) {
  const headers = { Accept: 'application/json', ...(opts.headers || {}) };
  let body;
  if (opts.body instanceof Blob) {
    body = opts.body;
    if (!headers['Content-Type']) headers['Content-Type'] = opts.body.type || 'application/octet-stream';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] = 'application/json';
  }
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers['X-CSRF-Token'] = csrf;
  // The key of a submission is the caller's key plus a digest of the body: a retry of
  // the same request reuses it (the server answers once), while a corrected form is a
  // new request and never collides with the first one under its key.
  if (opts.idem) headers['Idempotency-Key'] = typeof body === 'string' ? `${opts.idem}.${digest(body)}` : opts.idem;
  let res;
  try {
    res = await fetch(path.startsWith('/') ? path : `/api/v1/${path}`, {
      method, headers, body, credentials: 'same-origin',
    });
  } catch {
    throw networkError();
  }
  if (opts.raw && res.ok) return res;
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!res.ok) {
    const e = json && json.error;
    const msg = e ? (lang.value === 'en' ? e.message_en || e.message : e.message)
      : (lang.value === 'en' ? `Server error (${res.status})` : `服务器错误（${res.status}）`);
    const err = new ApiError(res.status, e ? e.code : 'http', msg, json);
    if (res.status === 401 && onUnauthorized) onUnauthorized(err);
    throw err;
  }
  return json;
}

let onUnauthorized = null;
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

export const get = (p, o) => api('GET', p, o);
export const post = (p, body, o = {}) => api('POST', p, { ...o, body });
export const patch = (p, body, o = {}) => api('PATCH', p, { ...o, body });
export const del = (p, o) => api('DELETE', p, o);

// Reads every page of a list route (items, total; page/per_page) up to max items.
export async function getAll(path, max = 5000) {
  const out = [];
  const sep = path.includes('?') ? '&' : '?';
  for (let page = 1; out.length < max; page++) {
    const r = await get(`${path}${sep}per_page=200&page=${page}`);
    const items = r.items || [];
    out.push(...items);
    if (items.length < 200 || (r.total != null && out.length >= r.total)) break;
  }
  return out;
}
