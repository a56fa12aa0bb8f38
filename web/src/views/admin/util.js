// Helpers shared by the village admin's screens (and the area admin's read-only
// views of a village, which reuse them under /village/:vid/...).
import { session, villageId } from '../../session';

// The village the screen shows: /village/:vid for area admins, else the user's own.
export function vidOf(route) {
  return villageId(route);
}

// Where the screens of this village live: /admin or /village/:vid.
export function baseOf(route) {
  return route.params.vid ? `/village/${route.params.vid}` : '/admin';
}

// Area admins read a village; only its own admin changes it.
export function canEdit() {
  return !!session.user && session.user.role === 'village_admin';
}

// Today in China (the server's calendar), YYYY-MM-DD.
export function todayCn() {
  const d = new Date(Date.now() + 8 * 3600 * 1000);
  return d.toISOString().slice(0, 10);
}

// The month before the current one, YYYY-MM (the month usually published).
export function lastMonth() {
  const [y, m] = todayCn().split('-').map(Number);
  const k = y * 12 + (m - 1) - 1;
  return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
}

export function pct(rate) {
  if (rate == null) return '—';
  return `${Math.round(rate * 1000) / 10}%`;
}

// A download link of an export route (the session cookie authorises it).
export function exportUrl(path, format, params = {}) {
  const q = new URLSearchParams({ format, ...params });
  return `/api/v1/${path}?${q}`;
}
