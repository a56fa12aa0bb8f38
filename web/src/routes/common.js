// Login, settings and the home screen.
export const routes = [
  { path: '/', component: () => import('../views/common/Home.vue'), meta: { public: true } },
  { path: '/login', component: () => import('../views/common/Login.vue'), meta: { public: true } },
  { path: '/settings', component: () => import('../views/common/Settings.vue'), meta: { public: true } },
];
export const menu = [];
