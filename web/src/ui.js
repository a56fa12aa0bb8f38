// Shared behaviour of every screen: an action shows progress while it runs and
// the API's message when it fails; a form's text survives a dropped network or a
// reload (drafts in localStorage); a submission keeps its Idempotency-Key until it
// succeeds, so a retry after a network error cannot record twice.
import { ref, watch } from 'vue';
import { showLoadingToast, showFailToast, showSuccessToast, closeToast } from 'vant';
import { t } from './i18n';

// Runs fn with a loading toast; shows the error message and rethrows nothing.
// Returns fn's result, or undefined on failure. opts.success: message key or text.
export async function act(fn, opts = {}) {
  const loading = ref(true);
  showLoadingToast({ message: t('common.working'), forbidClick: true, duration: 0 });
  try {
    const r = await fn();
    closeToast();
    if (opts.success) showSuccessToast(opts.success.includes('.') ? t(opts.success) : opts.success);
    return r;
  } catch (e) {
    closeToast();
    showFailToast({ message: e && e.message ? e.message : String(e), duration: 3500, wordBreak: 'break-word' });
    if (opts.onError) opts.onError(e);
    return undefined;
  } finally {
    loading.value = false;
  }
}

// Loads data for a screen: { data, loading, error, reload }.
export function useLoad(fn, initial = null) {
  const data = ref(initial);
  const loading = ref(true);
  const error = ref('');
  async function reload() {
    loading.value = true;
    error.value = '';
    try {
      data.value = await fn();
    } catch (e) {
      error.value = e && e.message ? e.message : String(e);
    } finally {
      loading.value = false;
    }
  }
  reload();
  return { data, loading, error, reload };
}

// A form whose fields persist under name until clear() (after a success).
export function useDraft(name, initial) {
  const keyName = `jifen.draft.${name}`;
  let saved = null;
  try { saved = JSON.parse(localStorage.getItem(keyName) || 'null'); } catch { saved = null; }
  const form = ref({ ...initial, ...(saved || {}) });
  watch(form, (v) => localStorage.setItem(keyName, JSON.stringify(v)), { deep: true });
  function clear() {
    localStorage.removeItem(keyName);
    form.value = { ...initial };
  }
  return { form, clear };
}

function newKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// An Idempotency-Key for one submission: the same key until done() is called,
// kept across reloads so a retry is recognised by the server.
export function useIdemKey(name) {
  const keyName = `jifen.idem.${name}`;
  function key() {
    let k = localStorage.getItem(keyName);
    if (!k) {
      k = newKey();
      localStorage.setItem(keyName, k);
    }
    return k;
  }
  function done() { localStorage.removeItem(keyName); }
  return { key, done };
}

// Submits with a persistent idempotency key and a loading toast. On success the
// key is dropped (the next submission is new); on failure it is kept, unless the
// server answered a definite 4xx (then the request was refused, not lost).
export async function submit(name, fn, opts = {}) {
  const k = useIdemKey(name);
  const key = k.key();
  let definite = false;
  const r = await act(() => fn(key), {
    ...opts,
    onError: (e) => { definite = e && e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429; if (opts.onError) opts.onError(e); },
  });
  if (r !== undefined || definite) k.done();
  return r;
}
