// A small i18n: Simplified Chinese first, English second. Messages live in
// locales/<lang>/<module>.json, one file per role or screen family, merged into
// one dictionary per language. Keys are "module.key"; t('villager.title').
// Params: t('x.y', { n: 3 }) replaces {n}. A missing key shows the key itself,
// which the browser tests catch as untranslated text.
import { ref, computed } from 'vue';
import { Locale } from 'vant';
import enUS from 'vant/es/locale/lang/en-US';
import zhCN from 'vant/es/locale/lang/zh-CN';

const files = import.meta.glob('./locales/*/*.json', { eager: true, import: 'default' });
const dict = { zh: {}, en: {} };
for (const [path, msgs] of Object.entries(files)) {
  const m = path.match(/locales\/(\w+)\/([\w-]+)\.json$/);
  if (!m || !dict[m[1]]) continue;
  for (const [k, v] of Object.entries(msgs)) dict[m[1]][`${m[2]}.${k}`] = v;
}

const saved = localStorage.getItem('jifen.lang');
export const lang = ref(saved === 'en' ? 'en' : 'zh');

function apply(l) {
  document.documentElement.lang = l === 'en' ? 'en' : 'zh-CN';
  if (l === 'en') Locale.use('en-US', enUS);
  else Locale.use('zh-CN', zhCN);
}
apply(lang.value);

export function setLang(l) {
  lang.value = l === 'en' ? 'en' : 'zh';
  localStorage.setItem('jifen.lang', lang.value);
  apply(lang.value);
}

export function t(key, params) {
  let s = dict[lang.value][key] ?? dict.zh[key] ?? key;
  if (params) s = s.replace(/\{(\w+)\}/g, (_, k) => (params[k] ?? `{${k}}`));
  return s;
}

// For templates: a computed that re-evaluates when the language changes.
export const tc = (key, params) => computed(() => t(key, params));

// Formats for numbers, dates and points in the current language.
export function fmtDate(iso) {
  if (!iso) return '';
  return String(iso).slice(0, 10);
}
export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
export function fmtPoints(n) {
  if (n == null) return '';
  return n > 0 ? `+${n}` : String(n);
}
