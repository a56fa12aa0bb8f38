// Routes come from routes/*.js: each module exports `routes` (vue-router records;
// meta.roles lists who may open a screen, meta.public needs no login) and `menu`
// (the home screen's entries: { to, icon, title, roles | public }).
import { createRouter, createWebHistory } from 'vue-router';
import { session } from './session';

const mods = import.meta.glob('./routes/*.js', { eager: true });
export const menu = [];
const routes = [];
for (const m of Object.values(mods)) {
  routes.push(...(m.routes || []));
  menu.push(...(m.menu || []));
}
menu.sort((a, b) => (a.order ?? 50) - (b.order ?? 50));
routes.push({ path: '/:rest(.*)*', component: () => import('./views/common/NotFound.vue'), meta: { public: true } });

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
});

router.beforeEach((to) => {
  if (to.meta.public) return true;
  const u = session.user;
  if (!u) return { path: '/login', query: { next: to.fullPath } };
  if (to.meta.roles && !to.meta.roles.includes(u.role)) return { path: '/' };
  return true;
});
