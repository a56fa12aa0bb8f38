// The area admin's screens: the villages of the area compared, and any village
// of it opened read-only (the admin's dashboard, notices and ranking views with
// the village id from the route).
const AA = ['area_admin'];
const a = (name) => () => import(`../views/admin/${name}.vue`);
export const routes = [
  { path: '/area', component: () => import('../views/area/Compare.vue'), meta: { roles: AA } },
  { path: '/village/:vid(\\d+)', component: a('Dashboard'), meta: { roles: AA } },
  { path: '/village/:vid(\\d+)/notices', component: a('Notices'), meta: { roles: AA } },
  { path: '/village/:vid(\\d+)/notices/:id(\\d+)', component: a('Notice'), meta: { roles: AA } },
  { path: '/village/:vid(\\d+)/ranking', component: a('Ranking'), meta: { roles: AA } },
];
export const menu = [
  { to: '/area', icon: 'chart-trending-o', title: 'area.compare', roles: AA, order: 10 },
];
