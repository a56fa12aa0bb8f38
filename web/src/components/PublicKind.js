// Shared bits of the public and villager screens: the label of a ledger entry
// (its rule, or what kind of entry it is) and the unit words of a rule.
import { t } from '../i18n';

export function entryTitle(e) {
  return e.rule_name || t(`public.kind_${e.kind}`);
}

export function unitLabel(unit) {
  return t(`public.unit_${unit || 'time'}`);
}

// The period parameter of the ranking for "this year / quarter / month", China time.
export function periodOf(kind, now = new Date()) {
  const d = new Date(now.getTime() + 8 * 3600 * 1000);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + 1;
  if (kind === 'month') return `${y}-${String(m).padStart(2, '0')}`;
  if (kind === 'quarter') return `${y}-Q${Math.floor((m - 1) / 3) + 1}`;
  return String(y);
}

// Today in China time as YYYY-MM-DD (the server judges "not in the future" so).
export function todayChina(now = new Date()) {
  return new Date(now.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

// A rule's points: fixed ("+5 分") or the range a reviewer chooses from.
export function rulePoints(r) {
  if (r.min_points != null && r.max_points != null) return t('public.range', { min: r.min_points, max: r.max_points });
  return t('common.pts', { n: r.points > 0 ? `+${r.points}` : String(r.points) });
}
