// The village's public board without logging in: reached from the home screen
// by the village number and by a direct link; the notice, ranking, honours,
// shop and rules as the API posts them, in Chinese and English.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startBrowser, newPage, screenshot } from './harness.mjs';
import { seePublicNotice, seePublicRanking, seeHonours, seeGoods, seeRules, publicApi } from './steps/public.mjs';

let srv, browser;
before(async () => { srv = await startServer(); browser = await startBrowser(); });
after(async () => { await browser?.close(); await srv?.stop(); });

for (const lang of ['zh', 'en']) {
  test(`a visitor reads the village's board (${lang})`, async () => {
    const page = await newPage(browser, srv, { lang });
    // from the home screen: the village number, then the notice
    await page.goto('/');
    await page.locator('[data-t=public-village] input').fill('1');
    await page.locator('[data-t="menu-public.menu_notice"]').click();
    await page.waitForURL('**/v/1/notice');
    const notice = await seePublicNotice(page, srv, 1);
    assert.equal(notice.status, 'open');
    await screenshot(page, 'public-notice');

    // the search narrows the households to one masked name
    const name = notice.households[0].name;
    await page.locator('[data-t=notice-search] input').fill(name);
    await page.locator('[data-t=notice-household]').first().waitFor();
    const names = await page.locator('[data-t=notice-household] [data-t=hh-name]').allInnerTexts();
    assert.ok(names.length >= 1 && names.every((n) => n === name), `search shows only ${name}: ${names}`);
    // a visitor cannot object
    assert.equal(await page.locator('[data-t=object]').count(), 0);

    // the direct link of a printed notice: the board, then each screen
    await page.goto('/v/1');
    await page.locator('[data-t=board-intro]').getByText('高箭沟村', { exact: false }).waitFor();
    await screenshot(page, 'public-board');
    await page.locator('[data-t=board-ranking]').click();
    await page.waitForURL('**/v/1/ranking');
    const year = await seePublicRanking(page, srv, 1);
    assert.ok(year.length >= 3);
    assert.ok(year[0].earned >= year[1].earned && year[1].earned >= year[2].earned);
    await screenshot(page, 'public-ranking');
    // the quarter tab asks for another period
    await page.getByRole('tab', { name: page.t('public.period_quarter') }).click();
    await page.locator('[data-t=ranking-label]').getByText(/Q\d/).waitFor();
    const q = await seePublicRanking(page, srv, 1, 'quarter');
    assert.ok(q.length > 0);

    const hon = await publicApi(srv, 'villages/1/honours/public');
    const honours = await seeHonours(page, srv, 1, hon.year);
    assert.ok(honours.length > 0, 'the demo has honours for its closed year');
    await screenshot(page, 'public-honours');
    // the next year has none yet; the arrows move between years
    await page.locator('[data-t=honours-next]').click();
    await page.locator('[data-t=honours-year]').getByText(page.t('public.honours_year', { year: hon.year + 1 })).waitFor();
    await page.locator('[data-t=honours-none]').waitFor();

    const goods = await seeGoods(page, srv, 1);
    assert.ok(goods.length >= 10, 'the shop holds 10+ kinds of goods');
    await screenshot(page, 'public-goods');

    const rules = await seeRules(page, srv, 1);
    assert.ok(rules.some((r) => r.name === '拾金不昧'));
    await screenshot(page, 'public-rules');
    page.assertClean();
    await page.context().close();
  });
}

test('a goods picture uploaded by the clerk shows on the public shelf', async () => {
  // the first goods gets a picture (through the database: goods photos are the shop's business)
  const g = (await publicApi(srv, 'villages/1/goods')).items[0];
  const up = await fetch(`${srv.url}/api/v1/villages/1/photos`, {
    method: 'POST', headers: { Authorization: `Bearer ${await srv.token('clerk')}`, 'Content-Type': 'image/jpeg' },
    body: (await import('node:fs')).readFileSync(new URL('./fixtures/villager-deed.jpg', import.meta.url)),
  });
  const photo = await up.json();
  assert.ok(up.status === 201 || up.status === 200, JSON.stringify(photo));
  const r = await srv.api('PATCH', `goods/${g.id}`, { user: 'clerk', body: { photo: photo.hash } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const page = await newPage(browser, srv, { lang: 'zh' });
  await page.goto('/v/1/goods');
  const img = page.locator(`[data-t=goods][data-id="${g.id}"] img`);
  await img.waitFor();
  assert.ok(await img.evaluate((el) => el.complete && el.naturalWidth > 0), 'the picture loaded');
  page.assertClean();
  await page.context().close();
});

test('a village without a notice says so', async () => {
  const page = await newPage(browser, srv, { lang: 'zh' });
  const end = page.expectError(/404/);
  await page.goto('/v/999/notice');
  await page.locator('[data-t=notice-none]').getByText(page.t('public.notice_none')).waitFor();
  end();
  page.assertClean();
  await page.context().close();
});
