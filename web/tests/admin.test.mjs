// The village admin's and the area admin's screens, in Chinese and English:
// the dashboard against the API, households and the roster import (dry run,
// report by line, confirm), accounts, rules (create, revise, retire), windows,
// sponsors and goods, ranking, audit, exports; objections settled both ways;
// a new village taken from import through publish, confirmation and year end;
// the township comparing villages and reading one. The server runs with
// one-second notice days so a published month is confirmed within the test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, startBrowser, newPage, loginUI, screenshot, PASSWORD, PIN, SRC } from './harness.mjs';
import { publishNotice, waitNoticeConfirmed, settleObjection, openRedemptionWindow, closeYear } from './steps/admin.mjs';
import { compareVillages } from './steps/area.mjs';

let srv, browser;
before(async () => {
  srv = await startServer({ args: ['--notice-day-seconds', '1', '--confirm-interval', '1'] });
  browser = await startBrowser();
});
after(async () => { await browser?.close(); await srv?.stop(); });

const FIX = join(SRC, 'web/tests/fixtures');
const cell = async (page, sel) => (await page.locator(`${sel} .van-cell__value`).innerText()).trim();
function todayCn() { return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10); }

for (const lang of ['zh', 'en']) {
  test(`village admin: dashboard and every screen (${lang})`, async () => {
    const page = await newPage(browser, srv, { lang });
    await loginUI(page, 'admin');
    await page.locator('[data-t="menu-admin.dashboard"]').click();
    await page.locator('[data-t=dash-earned]').waitFor();
    await page.locator('[data-t=chart] canvas').first().waitFor();
    const year = todayCn().slice(0, 4);
    const cmp = (await srv.api('GET', `villages/1/groups/compare?period=${year}`)).json;
    assert.equal((await page.locator('[data-t=dash-earned] .jf-big').innerText()).trim(), String(cmp.total.points_earned));
    assert.equal((await page.locator('[data-t=dash-redemptions] .jf-big').innerText()).trim(), String(cmp.total.redemptions));
    for (const g of cmp.items)
      assert.ok((await page.locator(`[data-t="dash-group-${g.group_name}"]`).innerText()).includes(String(g.points_earned)));
    const goods = (await srv.api('GET', 'villages/1/goods?per_page=200')).json.items;
    for (const g of goods.filter((x) => x.status === 'active')) {
      assert.equal(await page.locator(`[data-t=low-${g.id}]`).count(), g.stock <= 10 ? 1 : 0, `low stock ${g.name}`);
    }
    await screenshot(page, 'admin-dashboard');

    // households: search, open one, its members as the API has them
    await page.goto('/admin/households');
    await page.locator('[data-t=hh-total]').filter({ hasText: '222' }).waitFor();
    await screenshot(page, 'admin-households');
    await page.locator('[data-t=hh-search] input').fill('王福顺');
    await page.locator('[data-t=hh-search] input').press('Enter');
    await page.locator('[data-t=hh-1001]').click();
    await page.locator('[data-t=hh-members]').waitFor();
    const hh = (await srv.api('GET', 'households/1')).json;
    for (const m of hh.members) await page.locator('[data-t=hh-members]').getByText(m.name).waitFor();
    assert.equal(await cell(page, '[data-t=hh-detail] .van-cell:nth-child(1)'), '1001');
    await screenshot(page, 'admin-household');

    // accounts: a new scorer appears in the list and in the API
    await page.goto('/admin/users');
    await page.locator('[data-t=user-admin]').waitFor();
    await page.locator('[data-t=user-new]').click();
    const uname = `pingfen_${lang}`;
    const form = page.locator('[data-t=user-form]');
    await form.locator('input[name=display_name]').fill(lang === 'zh' ? '刘玉芬' : '刘玉兰');
    await form.locator('input[name=username]').fill(uname);
    await form.locator('input[name=password]').fill('Pingfen-2024-liu');
    await form.locator('[data-t=user-submit]').click();
    await page.locator(`[data-t=user-${uname}]`).waitFor();
    await page.locator('[data-t=user-form]').waitFor({ state: 'hidden' });
    await screenshot(page, 'admin-users');
    const users = (await srv.api('GET', 'users?village_id=1&role=scorer')).json.items;
    assert.ok(users.some((u) => u.username === uname && u.role === 'scorer'));

    // rules: add, revise to version 2, retire
    await page.goto('/admin/rules');
    await page.locator('[data-t=rule-new]').click();
    const rf = page.locator('[data-t=rule-form]');
    const rname = lang === 'zh' ? '清理河道' : '清理水渠';
    await rf.locator('input[name=category]').fill('村屯绿化');
    await rf.locator('input[name=name]').fill(rname);
    await rf.locator('input[name=points]').fill('2');
    await rf.locator('input[name=cap_month]').fill('8');
    await rf.locator('[data-t=rule-submit]').click();
    const row = page.locator(`[data-t=rule-${rname}]`);
    await row.waitFor();
    assert.ok((await row.innerText()).includes(page.t('admin.cap_month_n', { n: 8 })));
    await row.locator('[data-t=rule-revise]').click();
    await rf.locator('input[name=points]').fill('3');
    await rf.locator('[data-t=rule-submit]').click();
    await row.filter({ hasText: 'v2' }).waitFor();
    await screenshot(page, 'admin-rules');
    const rules = (await srv.api('GET', 'villages/1/rules?status=all')).json.items.filter((r) => r.name === rname);
    assert.deepEqual(rules.map((r) => [r.version, r.points, r.status]).sort(), [[1, 2, 'retired'], [2, 3, 'active']]);
    await row.locator('[data-t=rule-retire]').click();
    await page.locator('.van-dialog__confirm').click();
    await row.waitFor({ state: 'detached' });

    // redemption window
    const from = lang === 'zh' ? '2026-12-20' : '2027-03-20';
    const to = lang === 'zh' ? '2026-12-31' : '2027-03-31';
    await openRedemptionWindow(page, srv, { from, to, note: '年底集中兑换' });
    await screenshot(page, 'admin-windows');

    // sponsors and goods: a sponsor, goods from it, a gift of 5 into stock
    await page.goto('/admin/shop');
    await page.locator('[data-t=sponsor-new]').click();
    const sname = lang === 'zh' ? '铁岭县丰收农资站' : '铁岭县惠民超市';
    await page.locator('[data-t=sponsor-form] input[name=name]').fill(sname);
    await page.locator('[data-t=sponsor-form] input[name=contact]').fill('周经理');
    await page.locator('[data-t=sponsor-submit]').click();
    await page.locator('[data-t=sponsor-row]').filter({ hasText: sname }).waitFor();
    await screenshot(page, 'admin-shop-sponsors');
    await page.getByRole('tab', { name: page.t('admin.goods') }).click();
    await page.locator('[data-t=goods-new]').click();
    const gname = lang === 'zh' ? '晾衣架' : '保温杯';
    const gf = page.locator('[data-t=goods-form]');
    await gf.locator('input[name=name]').fill(gname);
    await gf.locator('input[name=category]').fill('清洁用品');
    await gf.locator('input[name=unit]').fill('个');
    await gf.locator('input[name=price_points]').fill('12');
    await gf.locator('[data-t=goods-sponsor]').selectOption({ label: sname });
    await gf.locator('[data-t=goods-submit]').click();
    await page.locator(`[data-t=goods-${gname}]`).waitFor();
    await page.getByRole('tab', { name: page.t('admin.sponsors') }).click();
    await page.locator('[data-t^=sponsor-]:has([data-t=sponsor-row]:has-text("' + sname + '")) [data-t=sponsor-give]').click();
    const made = (await srv.api('GET', 'villages/1/goods?per_page=200')).json.items.find((g) => g.name === gname);
    assert.ok(made && made.stock === 0 && made.price_points === 12 && made.sponsor_name === sname, JSON.stringify(made));
    await page.locator('[data-t=contribution-goods]').selectOption(String(made.id));
    await page.locator('[data-t=contribution-qty] input').fill('5');
    await page.locator('[data-t=contribution-submit]').click();
    await page.getByRole('tab', { name: page.t('admin.goods') }).click();
    await page.locator(`[data-t=goods-${gname}] [data-t=goods-stock]`).filter({ hasText: page.t('admin.stock_left', { n: 5, unit: '个' }) }).waitFor();
    await screenshot(page, 'admin-shop-goods');

    // year end: the demo closed last year; its honours as the API has them
    await page.goto('/admin/years');
    const last = String(Number(year) - 1);
    await page.locator(`[data-t=year-${last}]`).click();
    const hon = (await srv.api('GET', `villages/1/honours?year=${last}`)).json.items;
    await page.locator('[data-t=honours]').getByText(hon[0].household.head_name).first().waitFor();
    assert.equal(await page.locator('[data-t=honours] .van-cell').count(), hon.length);
    await screenshot(page, 'admin-years');
    // a closed year cannot close again: the API's message, nothing else
    const end = page.expectError(/409/);
    await page.locator('[data-t=close-year] input').fill(last);
    await page.locator('[data-t=close-year-btn]').click();
    await page.locator('[data-t=year-confirm-input] input').fill(last);
    await page.locator('.van-dialog__confirm').click();
    await page.locator('.van-toast').filter({ hasText: lang === 'zh' ? '已经年终结算过了' : 'already been closed' }).waitFor();
    end();
    await page.locator('.van-dialog__cancel').click();

    // ranking: the first rows as the API ranks them
    await page.goto('/admin/ranking');
    await page.locator('[data-t=ranking]').waitFor();
    const rk = (await srv.api('GET', `villages/1/ranking?period=${year}&per_page=5`)).json.items;
    for (const r of rk) {
      const tr = await page.locator(`[data-t=rank-${r.household.passbook_no}]`).innerText();
      assert.ok(tr.includes(String(r.earned)) && tr.includes(r.household.head_name), tr);
    }
    await screenshot(page, 'admin-ranking');

    // audit log: the total, and the second page
    await page.goto('/admin/audit');
    const au = (await srv.api('GET', 'audit?village_id=1&per_page=1')).json;
    const shown = await page.locator('[data-t=audit-total]').innerText();
    const n = Number(shown.match(/\d+/)[0]);
    assert.ok(n >= au.total - 2 && n <= au.total, `audit total ${n} vs ${au.total}`);
    await screenshot(page, 'admin-audit');
    const firstPage = await page.locator('[data-t^=audit-]').nth(1).getAttribute('data-t');
    await page.locator('[data-t=audit-pager] .van-pagination__item--next').click();
    await page.locator('[data-t=audit-pager] .van-pagination__page-desc').filter({ hasText: /^\s*2\s*\// }).waitFor();
    await page.locator(`[data-t=${firstPage}]`).waitFor({ state: 'detached' });

    // exports: every link downloads a file of the right type
    await page.goto('/admin/exports');
    await page.locator('[data-t=exp-notice-xlsx]').waitFor();
    await page.locator('[data-t=exp-passbook] input').fill('1001');
    await page.locator('[data-t=exp-passbook-find]').click();
    await page.locator('[data-t=exp-household]').getByText('王福顺').waitFor();
    await screenshot(page, 'admin-exports');
    for (const what of ['notice', 'ranking', 'passbook', 'redemptions', 'sponsor']) {
      for (const [fmt, type] of [['xlsx', /spreadsheetml/], ['pdf', /pdf/]]) {
        const href = await page.locator(`[data-t=exp-${what}-${fmt}]`).getAttribute('href');
        const r = await page.request.get(href);
        assert.equal(r.status(), 200, `${what} ${fmt}: ${href}`);
        assert.match(r.headers()['content-type'], type, `${what} ${fmt}`);
        assert.ok((await r.body()).length > 200);
      }
    }
    page.assertClean();
    await page.context().close();
  });
}

test('objections are settled both ways, with the API message for a month already published', async () => {
  // a second open objection on the demo's open notice, from a villager
  const notice = (await srv.api('GET', 'villages/1/notices/current')).json;
  const entry = notice.households.flatMap((h) => h.entries).find((e) => e.kind === 'award' && !e.reversed && e.points > 0
    && !e.id.toString().endsWith('0'));
  const vill = { village_id: 1, passbook_no: '1001', pin: PIN };
  const ob = await srv.api('POST', `notices/${notice.id}/objections`, { user: vill, body: { entry_id: entry.id, reason: '这条记录的日期不对，那天我们家在外地' } });
  assert.equal(ob.status, 201, JSON.stringify(ob.json));
  for (const lang of ['zh', 'en']) {
    const page = await newPage(browser, srv, { lang });
    await loginUI(page, 'admin');
    if (lang === 'zh') {
      const r = await settleObjection(page, srv, { dismiss: true, reason: '经评分小组核实，记录与实际相符，维持原分' });
      assert.equal(r.noticeConfirmed, false);
      await screenshot(page, 'admin-notice');
      // publishing a month already published: the server's message
      const end = page.expectError(/409/);
      await page.goto('/admin/notices');
      await page.locator('[data-t=publish-month] input').fill(notice.month);
      await page.locator('[data-t=publish-submit]').click();
      await page.locator('.van-toast').filter({ hasText: '已经发布过了' }).waitFor();
      end();
      await screenshot(page, 'admin-notices');
    } else {
      await settleObjection(page, srv, { uphold: true, reason: '经入户核实，当天该户不在村里，予以冲销', noticeId: notice.id, objectionId: ob.json.id });
      const e = (await srv.api('GET', `entries/${entry.id}`)).json;
      assert.ok(e.reversed_by, 'the entry is reversed');
      await screenshot(page, 'admin-notice');
      await page.goto('/admin/notices');
      await page.locator(`[data-t=notice-${notice.month}]`).waitFor();
      await screenshot(page, 'admin-notices');
    }
    page.assertClean();
    await page.context().close();
  }
});

// A new village of the township, from its roster to a closed year.
async function newVillage(name, admin) {
  const v = await srv.api('POST', 'villages', { user: 'township', body: { name, area_id: 2 } });
  assert.equal(v.status, 201, JSON.stringify(v.json));
  const vid = v.json.id;
  const p = await srv.api('PATCH', `villages/${vid}`, { user: 'township', body: { notice_days: 1 } });
  assert.equal(p.status, 200, JSON.stringify(p.json));
  const u = await srv.api('POST', 'users', { user: 'township',
    body: { username: admin, display_name: '刘振华', role: 'village_admin', password: PASSWORD, village_id: vid } });
  assert.equal(u.status, 201, JSON.stringify(u.json));
  const r = await srv.api('POST', `villages/${vid}/rules`, { user: admin, body: { category: '环境卫生', name: '庭院整洁', points: 3 } });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return { vid, ruleId: r.json.id };
}

for (const [lang, name, admin] of [['zh', '石门村', 'shimen'], ['en', '柳河村', 'liuhe']]) {
  test(`a new village: import the roster, publish, confirm, close the year (${lang})`, async () => {
    const { vid, ruleId } = await newVillage(name, admin);
    const page = await newPage(browser, srv, { lang });
    await loginUI(page, admin);
    // a bad file: every problem on its line, nothing imported
    await page.goto('/admin/import');
    const end = page.expectError(/422/);
    await page.locator('[data-t=import-file]').setInputFiles(join(FIX, 'admin-roster-bad.csv'));
    await page.locator('[data-t=import-fix]').waitFor();
    end();
    assert.ok((await page.locator('[data-t=line-3-problem]').innerText()).includes('1001'), 'line 3 has a problem');
    assert.equal(await page.locator('[data-t=line-4-problem]').count(), 1, 'line 4 has a problem');
    assert.equal(await page.locator('[data-t=line-2-problem]').count(), 0);
    assert.equal(await page.locator('[data-t=import-confirm]').count(), 0);
    await screenshot(page, 'admin-import-bad');
    assert.equal((await srv.api('GET', `villages/${vid}/households`, { user: admin })).json.total, 0);
    // the good file: checked, then imported
    await page.locator('[data-t=import-file]').setInputFiles(join(FIX, 'admin-roster.csv'));
    await page.locator('[data-t=import-confirm]').waitFor();
    assert.equal(await cell(page, '[data-t=rep-created]'), '3');
    assert.equal(await cell(page, '[data-t=rep-members]'), '3');
    await page.locator('[data-t=line-2]').getByText('刘长青').waitFor();
    await screenshot(page, 'admin-import-check');
    await page.locator('[data-t=import-confirm]').click();
    await page.locator('[data-t=import-applied]').waitFor();
    await screenshot(page, 'admin-import-done');
    const hs = (await srv.api('GET', `villages/${vid}/households`, { user: admin })).json;
    assert.equal(hs.total, 3);

    // points of last December, published, confirmed by the server, the year closed
    const year = Number(todayCn().slice(0, 4)) - 1;
    const rec = await srv.api('POST', `villages/${vid}/entries`, { user: admin,
      body: { rule_id: ruleId, household_ids: hs.items.map((h) => h.id), deed_date: `${year}-12-15` } });
    assert.equal(rec.status, 201, JSON.stringify(rec.json));
    // an honour rule through the screen: the top 2
    await page.goto('/admin/years');
    await page.locator('[data-t=honour-rule-new]').click();
    await page.locator('[data-t=kind-top]').click();
    await page.locator('[data-t=honour-rule-form] input[name=title]').fill('文明家庭');
    await page.locator('[data-t=honour-rule-form] input[name=top_n]').fill('2');
    await page.locator('[data-t=honour-rule-submit]').click();
    await page.locator('[data-t=honour-rules]').getByText('文明家庭').waitFor();

    const noticeId = await publishNotice(page, srv, { month: `${year}-12`, user: admin });
    await screenshot(page, 'admin-notice-published');
    await waitNoticeConfirmed(page, srv, { noticeId });
    const closed = await closeYear(page, srv, { year, villageId: vid, user: admin });
    assert.equal(closed.households, 3);
    assert.equal(closed.honours, 3); // three households tie at 3 points: all share rank 1
    await page.locator('[data-t=honours]').getByText('刘长青').waitFor();
    await screenshot(page, 'admin-year-closed');
    page.assertClean();
    await page.context().close();
  });
}

for (const lang of ['zh', 'en']) {
  test(`township compares villages and reads one (${lang})`, async () => {
    const page = await newPage(browser, srv, { lang });
    await loginUI(page, 'township');
    await page.locator('[data-t="menu-area.compare"]').click();
    const rows = await compareVillages(page, srv);
    assert.ok(rows.some((r) => r.name === '高箭沟村'));
    await screenshot(page, 'area-compare');
    await page.locator('[data-t=village-1] [data-t=open-village]').click();
    await page.locator('[data-t=dash-earned]').waitFor();
    assert.equal(await page.locator('[data-t=go-users]').count(), 0, 'read-only: no admin screens');
    await screenshot(page, 'area-village');
    await page.locator('[data-t=go-notices]').click();
    await page.locator('[data-t^=notice-20]').first().click();
    await page.locator('[data-t=objections]').waitFor();
    assert.equal(await page.locator('[data-t=obj-uphold]').count(), 0, 'read-only: no settling');
    await screenshot(page, 'area-notice');
    await page.goto('/village/1/ranking');
    await page.locator('[data-t=ranking] tr').nth(1).waitFor();
    await screenshot(page, 'area-ranking');
    page.assertClean();
    await page.context().close();
  });
}
