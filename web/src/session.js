// Who is logged in. The cookie is HttpOnly, so a flag in localStorage says
// whether asking the server is worth it (no 401 on a fresh visit).
import { reactive } from 'vue';
import { get, post, del, setCsrf, setUnauthorizedHandler } from './api';

export const session = reactive({ user: null, ready: false });

export const ROLES = ['villager', 'clerk', 'scorer', 'village_admin', 'area_admin'];

export async function loadSession() {
  if (localStorage.getItem('jifen.in') === '1') {
    try {
      const r = await get('session');
      session.user = r.user;
      setCsrf(r.csrf_token);
    } catch {
      session.user = null;
      localStorage.removeItem('jifen.in');
    }
  }
  session.ready = true;
}

// body: {username,password} | {phone,password} | {village_id,passbook_no,pin}
export async function login(body) {
  const r = await post('session', body);
  session.user = r.user;
  setCsrf(r.csrf_token);
  localStorage.setItem('jifen.in', '1');
  return r.user;
}

export async function logout() {
  try { await del('session'); } catch { /* gone already */ }
  session.user = null;
  setCsrf('');
  localStorage.removeItem('jifen.in');
}

setUnauthorizedHandler(() => {
  session.user = null;
  localStorage.removeItem('jifen.in');
});

// The village a user works in: their own, or for area admins the one they opened.
export function villageId(route) {
  const q = route && (route.params.vid || route.query.village);
  if (q) return Number(q);
  return session.user ? session.user.village_id : null;
}
