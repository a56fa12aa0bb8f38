// The village's public board (村务公开): no login needed. Reached from the home
// screen (village number) or a direct link /v/<village>/… (the QR code on a door
// or a printed notice). Villagers see the same screens from their home grid.
const pub = (path, view) => ({ path, component: view, meta: { public: true } });

export const routes = [
  pub('/v/:vid(\\d+)', () => import('../views/public/Board.vue')),
  pub('/v/:vid(\\d+)/notice', () => import('../views/public/Notice.vue')),
  pub('/v/:vid(\\d+)/ranking', () => import('../views/public/Ranking.vue')),
  pub('/v/:vid(\\d+)/honours', () => import('../views/public/Honours.vue')),
  pub('/v/:vid(\\d+)/goods', () => import('../views/public/Goods.vue')),
  pub('/v/:vid(\\d+)/rules', () => import('../views/public/Rules.vue')),
];

const entry = (name, icon, order) => ({
  title: `public.menu_${name}`, icon, order, public: true, roles: ['villager'],
  to: (vid) => `/v/${vid}/${name}`,
});

export const menu = [
  entry('notice', 'bullhorn-o', 60),
  entry('ranking', 'bar-chart-o', 61),
  entry('honours', 'medal-o', 62),
  entry('goods', 'shop-o', 63),
  entry('rules', 'notes-o', 64),
];
