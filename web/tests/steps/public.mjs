// Story steps on the village's public board (no login needed; a logged-in
// villager sees the same screens). Each step opens a screen as a user would,
// checks what it shows against the public API, and returns what it saw.
// Language-independent: data-t hooks and page.t().
import assert from 'node:assert/strict';

// The public API as a visitor sees it (no token).
export async function publicApi(srv, path) {
  const r = await fetch(`${srv.url}/api/v1/${path}`);
  assert.equal(r.status, 200, `GET ${path}: ${r.status}`);
  return r.json();
}

// The month's notice at /v/<vid>/notice. Args: page (any session), srv, vid.
// Checks the month, the status, the totals, the ledger check code and the first
// households' masked names and points. Returns { id, month, status, chain_hash,
// households: [{ name, points }] } as shown.
export async function seePublicNotice(page, srv, vid) {
  const api = await publicApi(srv, `villages/${vid}/notices/current`);
  await page.goto(`/v/${vid}/notice`);
  const head = page.locator('[data-t=notice-head]');
  await head.waitFor();
  await head.getByText(page.t('public.notice_title', { month: api.month })).first().waitFor();
  assert.equal((await head.locator('[data-t=notice-status]').innerText()).trim(), page.t(`public.status_${api.status}`));
  assert.equal((await head.locator('[data-t=notice-chain]').innerText()).trim(), api.chain_hash);
  assert.equal((await head.locator('[data-t=notice-summary]').innerText()).trim(), page.t('public.summary', {
    households: api.households.length, entries: api.entry_count, points: api.total_points }));
  const cards = page.locator('[data-t=notice-household]');
  await cards.first().waitFor();
  const n = Math.min(5, api.households.length);
  const households = [];
  for (let i = 0; i < n; i++) {
    const name = (await cards.nth(i).locator('[data-t=hh-name]').innerText()).trim();
    const points = (await cards.nth(i).locator('[data-t=hh-points]').innerText()).trim();
    assert.equal(name, api.households[i].head_name);
    assert.ok(name.includes('*'), `name masked: ${name}`);
    assert.equal(points, page.t('public.hh_points', { n: api.households[i].points }));
    households.push({ name, points: api.households[i].points });
  }
  return { id: api.id, month: api.month, status: api.status, chain_hash: api.chain_hash, households };
}

// The ranking at /v/<vid>/ranking. Args: page, srv, vid, period ('year' |
// 'quarter' | 'month', default year). Checks the first rows (rank, masked name,
// points earned) against the API. Returns [{ rank, name, earned }] as shown.
export async function seePublicRanking(page, srv, vid, period = 'year') {
  await page.goto(`/v/${vid}/ranking${period === 'year' ? '' : `?period=${period}`}`);
  await page.locator('[data-t=ranking-label]').waitFor();
  const label = (await page.locator('[data-t=ranking-label]').innerText()).trim();
  const p = label.slice(label.search(/\d{4}/));
  const api = await publicApi(srv, `villages/${vid}/ranking/public?period=${p}&per_page=50`);
  assert.equal(label, page.t('public.ranking_period', { period: api.period }));
  if (!api.items.length) {
    await page.locator('[data-t=ranking-none]').waitFor();
    return [];
  }
  const rows = page.locator('[data-t=ranking-row]');
  await rows.first().waitFor();
  assert.equal(await rows.count(), api.items.length);
  const out = [];
  for (let i = 0; i < Math.min(10, api.items.length); i++) {
    const r = rows.nth(i);
    const row = {
      rank: Number(await r.locator('[data-t=rank]').innerText()),
      name: (await r.locator('[data-t=name]').innerText()).trim(),
      earned: Number(await r.locator('[data-t=earned]').innerText()),
    };
    assert.deepEqual(row, { rank: api.items[i].rank, name: api.items[i].household.head_name, earned: api.items[i].earned });
    out.push(row);
  }
  return out;
}

// The honours board of a year at /v/<vid>/honours?year=<year>. Args: page, srv,
// vid, year. Checks every title and household against the API. Returns
// [{ title, name, earned }] as shown (empty when none were awarded).
export async function seeHonours(page, srv, vid, year) {
  const api = await publicApi(srv, `villages/${vid}/honours/public?year=${year}`);
  await page.goto(`/v/${vid}/honours?year=${year}`);
  await page.locator('[data-t=honours-year]').getByText(page.t('public.honours_year', { year })).waitFor();
  if (!api.items.length) {
    await page.locator('[data-t=honours-none]').waitFor();
    return [];
  }
  const rows = page.locator('[data-t=honour]');
  await rows.first().waitFor();
  assert.equal(await rows.count(), api.items.length);
  const out = [];
  const titles = page.locator('[data-t=honour-title]');
  for (let i = 0; i < await titles.count(); i++) {
    const card = titles.nth(i);
    const title = (await card.locator('.jf-honour').innerText()).trim();
    assert.equal((await card.locator('.jf-muted').first().innerText()).trim(),
      page.t('public.households', { n: await card.locator('[data-t=honour]').count() }));
    const hs = card.locator('[data-t=honour]');
    for (let j = 0; j < await hs.count(); j++) {
      const name = (await hs.nth(j).locator('[data-t=honour-name]').innerText()).trim();
      const earnedText = (await hs.nth(j).locator('[data-t=honour-earned]').innerText()).trim();
      const a = api.items.find((x) => x.title === title && x.household.head_name === name
        && earnedText === page.t('public.earned_short', { n: x.earned }));
      assert.ok(a, `honour ${title} ${name} ${earnedText} is in the API`);
      out.push({ title, name, earned: a.earned });
    }
  }
  assert.equal(out.length, api.items.length);
  return out;
}

// The points supermarket at /v/<vid>/goods. Checks each goods' name, price and
// stock against the API. Returns [{ name, price, stock }].
export async function seeGoods(page, srv, vid) {
  const api = await publicApi(srv, `villages/${vid}/goods?per_page=200`);
  await page.goto(`/v/${vid}/goods`);
  const cards = page.locator('[data-t=goods]');
  await cards.first().waitFor();
  assert.equal(await cards.count(), api.items.length);
  const out = [];
  for (const g of api.items) {
    const c = page.locator(`[data-t=goods][data-id="${g.id}"]`);
    assert.equal((await c.locator('[data-t=goods-name]').innerText()).trim(), g.name);
    assert.equal((await c.locator('[data-t=goods-price]').innerText()).trim(), page.t('public.price', { n: g.price_points }));
    const stock = (await c.locator('[data-t=goods-stock]').innerText()).trim();
    assert.equal(stock, g.stock > 0 ? page.t('public.stock', { n: g.stock, unit: g.unit }) : page.t('public.out_of_stock'));
    out.push({ name: g.name, price: g.price_points, stock: g.stock });
  }
  return out;
}

// The rule catalogue at /v/<vid>/rules, by category. Returns [{ category, name }].
export async function seeRules(page, srv, vid) {
  const api = await publicApi(srv, `villages/${vid}/rules`);
  const active = api.items.filter((r) => r.status === 'active');
  await page.goto(`/v/${vid}/rules`);
  const rows = page.locator('[data-t=rule]');
  await rows.first().waitFor();
  assert.equal(await rows.count(), active.length);
  const out = [];
  for (const r of active) {
    const row = page.locator(`[data-t=rule][data-id="${r.id}"]`);
    await row.waitFor();
    assert.equal((await row.locator('[data-t=rule-name]').innerText()).trim(), r.name);
    out.push({ category: r.category, name: r.name });
  }
  return out;
}
