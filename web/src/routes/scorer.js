// The scoring group's screens (评分小组): quick and batch record, activities,
// inspection rounds, and the review queue of villagers' claims. The village
// admin may use them too (the API lets both record and review).
const roles = ['scorer', 'village_admin'];
const v = (name) => () => import(`../views/scorer/${name}.vue`);
export const routes = [
  { path: '/scorer/record', component: v('Record'), meta: { roles } },
  { path: '/scorer/batch', component: v('Batch'), meta: { roles } },
  { path: '/scorer/activities', component: v('Activities'), meta: { roles } },
  { path: '/scorer/activities/:id(\\d+)', component: v('Activity'), meta: { roles } },
  { path: '/scorer/inspections', component: v('Inspections'), meta: { roles } },
  { path: '/scorer/inspections/:id(\\d+)', component: v('Inspection'), meta: { roles } },
  { path: '/scorer/claims', component: v('Claims'), meta: { roles } },
];
export const menu = [
  { to: '/scorer/record', icon: 'edit', title: 'scorer.menu_record', roles, order: 10 },
  { to: '/scorer/batch', icon: 'friends-o', title: 'scorer.menu_batch', roles, order: 11 },
  { to: '/scorer/claims', icon: 'completed-o', title: 'scorer.menu_claims', roles, order: 12 },
  { to: '/scorer/activities', icon: 'flag-o', title: 'scorer.menu_activities', roles, order: 13 },
  { to: '/scorer/inspections', icon: 'home-o', title: 'scorer.menu_inspections', roles, order: 14 },
];
