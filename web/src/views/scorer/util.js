// Helpers shared by the scorer's screens: today's date in China time, how a
// rule's points, unit and caps read, and which household a ledger refusal names.
import { t } from '../../i18n';
import { get } from '../../api';

// YYYY-MM-DD in China time (the API dates deeds in China time).
export function todayChina() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

export function unitText(unit) {
  return ['time', 'hour', 'day'].includes(unit) ? t(`scorer.unit_${unit}`) : unit;
}

// "+5 分/次", "5～30 分/次", "-3 分/次"
export function ruleValue(r) {
  const u = unitText(r.unit);
  if (r.min_points != null && r.max_points != null)
    return t('scorer.rule_range', { min: r.min_points, max: r.max_points, unit: u });
  return t('scorer.rule_fixed', { n: r.points > 0 ? `+${r.points}` : r.points, unit: u });
}

// "每月上限 10 分 · 每年上限 20 分" or ''
export function ruleCaps(r) {
  const parts = [];
  if (r.cap_month != null) parts.push(t('scorer.cap_month', { n: r.cap_month }));
  if (r.cap_year != null) parts.push(t('scorer.cap_year', { n: r.cap_year }));
  return parts.join(' · ');
}

export function hasRange(r) {
  return r && r.min_points != null && r.max_points != null;
}

// The village's active rules, grouped by category in catalogue order.
export async function loadRules(vid) {
  const r = await get(`villages/${vid}/rules?status=active`);
  return r.items || [];
}

export function byCategory(rules) {
  const out = [];
  const idx = {};
  for (const r of rules) {
    if (!(r.category in idx)) { idx[r.category] = out.length; out.push({ category: r.category, rules: [] }); }
    out[idx[r.category]].rules.push(r);
  }
  return out;
}

// The passbook number a per-household refusal names ("王福顺（1001）…"), or null.
// Only refusals about one household (caps, moved out) name one.
export function refusedPassbook(err) {
  const e = err && err.body && err.body.error;
  if (!e || !['cap_exceeded', 'household_moved_out'].includes(e.code)) return null;
  const m = /（([A-Za-z0-9-]{1,32})）/.exec(e.message || '');
  return m ? m[1] : null;
}

export function photoUrl(vid, hash) {
  return `/api/v1/villages/${vid}/photos/${hash}`;
}
