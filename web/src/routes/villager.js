// The villager's own screens: the passbook, applying for points with photos,
// the applications and their outcome, objections, redemptions and the shop code.
// The village's public board (routes/public.js) is on the villager's home too.
const mine = (path, view) => ({ path, component: view, meta: { roles: ['villager'] } });

export const routes = [
  mine('/me/passbook', () => import('../views/villager/Passbook.vue')),
  mine('/me/claim', () => import('../views/villager/Claim.vue')),
  mine('/me/claims', () => import('../views/villager/Claims.vue')),
  mine('/me/objections', () => import('../views/villager/Objections.vue')),
  mine('/me/redemptions', () => import('../views/villager/Redemptions.vue')),
  mine('/me/qr', () => import('../views/villager/Qr.vue')),
];

const entry = (name, icon, order) => ({
  title: `villager.menu_${name}`, icon, order, roles: ['villager'], to: `/me/${name}`,
});

export const menu = [
  entry('passbook', 'balance-list-o', 10),
  entry('claim', 'photograph', 11),
  entry('claims', 'todo-list-o', 12),
  entry('objections', 'comment-o', 13),
  entry('redemptions', 'gift-o', 14),
  entry('qr', 'qr', 15),
];
