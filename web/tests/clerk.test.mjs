// The till of the points supermarket: outside the window the API's refusal; a
// redemption with its receipt (and the print view); stock intake; cancelling;
// not enough points; the camera reading a household's QR code. zh and en.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, startBrowser, newPage, loginUI, screenshot } from './harness.mjs';
import { redeem, cancelRedemption, stockIntake, openCustomer } from './steps/clerk.mjs';

const here = dirname(fileURLToPath(import.meta.url));
let srv, browser;
before(async () => { srv = await startServer(); browser = await startBrowser(); });
after(async () => { await browser?.close(); await srv?.stop(); });

const rows = (q) => { const s = srv.sql(q); return s ? JSON.parse(s) : []; };
// A household of group 1 (not in skip) with at least min confirmed points.
async function richHousehold(min, skip) {
  for (const h of rows("SELECT passbook_no FROM households WHERE group_id = 1 AND status = 'active' ORDER BY passbook_no")) {
    if (skip.includes(h.passbook_no)) continue;
    const r = await srv.api('GET', `villages/1/households/by-qr?code=JIFEN:1:${h.passbook_no}`, { user: 'clerk' });
    if (r.json.balance.confirmed >= min) return h.passbook_no;
  }
  throw new Error(`no household with ${min} confirmed points`);
}

test('outside the redemption window the till shows the API refusal (zh)', async () => {
  const page = await newPage(browser, srv, { lang: 'zh' });
  await loginUI(page, 'clerk');
  await screenshot(page, 'clerk-home');
  await page.locator('[data-t="menu-clerk.menu_till"]').click();
  const win = (await srv.api('GET', 'villages/1/redemption-windows/current')).json;
  assert.equal(win.can_redeem, false, 'the demo starts outside a window');
  await page.locator('[data-t=window-closed]').getByText(win.next_window.starts_on).waitFor();
  await screenshot(page, 'clerk-till');
  await openCustomer(page, '1001');
  const bal = (await srv.api('GET', 'villages/1/households/by-qr?code=JIFEN:1:1001', { user: 'clerk' })).json.balance;
  assert.equal(Number(await page.locator('[data-t=customer-confirmed]').innerText()), bal.confirmed);
  const input = page.locator('[data-t="goods-香皂"] .van-stepper__input');
  await input.fill('1');
  await input.blur();
  const end = page.expectError(/403/);
  await page.locator('[data-t=redeem]').click();
  await page.locator('.van-dialog__confirm').click();
  await page.locator('.van-toast--fail').getByText(/不是兑换时间/).waitFor();
  await page.locator('[data-t=redeem-refused]').getByText(/不是兑换时间.*2026|不是兑换时间/).waitFor();
  end();
  await screenshot(page, 'clerk-closed');
  assert.equal(rows("SELECT count(*) AS n FROM redemptions WHERE household_id = 1")[0].n, 0);
  page.assertClean();
  await page.context().close();
});

for (const lang of ['zh', 'en']) {
  test(`redeem, receipt, print view, stock intake, cancel (${lang})`, async () => {
    const r0 = await srv.api('POST', 'villages/1/redemption-overrides', { body: { reason: '测试临时开放', hours: 2 } });
    assert.equal(r0.status, 201, JSON.stringify(r0.json));
    const page = await newPage(browser, srv, { lang });
    await loginUI(page, 'clerk');
    const passbook = lang === 'zh' ? '1001' : await richHousehold(30, ['1001']);
    await openCustomer(page, passbook);
    await page.locator('[data-t=window-open]').waitFor();
    const goods = [{ name: '毛巾', qty: 2 }, { name: '香皂', qty: 1 }];
    const before = rows(`SELECT stock FROM goods WHERE name = '毛巾'`)[0].stock;
    for (const g of goods) {
      const input = page.locator(`[data-t="goods-${g.name}"] .van-stepper__input`);
      await input.fill(String(g.qty));
      await input.blur();
    }
    await screenshot(page, 'clerk-cart');
    const r = await redeem(page, srv, { passbook, goods });
    assert.equal(r.total, 25);
    assert.equal(rows(`SELECT stock FROM goods WHERE name = '毛巾'`)[0].stock, before - 2);
    await screenshot(page, 'clerk-receipt');
    // printing shows the receipt only
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('.van-nav-bar').evaluate((e) => getComputedStyle(e).visibility), 'hidden');
    assert.equal(await page.locator('[data-t=print]').evaluate((e) => getComputedStyle(e).visibility), 'hidden');
    assert.equal(await page.locator('[data-t=receipt-no]').evaluate((e) => getComputedStyle(e).visibility), 'visible');
    await screenshot(page, 'clerk-receipt-print');
    await page.emulateMedia({ media: 'screen' });

    const s = await stockIntake(page, srv, { goods: '毛巾', qty: 20, reason: '铁岭县兴旺五金百货商店送货' });
    assert.equal(s.stock, before - 2 + 20);
    await screenshot(page, 'clerk-stock');

    await page.goto('/clerk/redemptions');
    await page.locator(`[data-t="redemption-${r.receiptNo}"]`).waitFor();
    await screenshot(page, 'clerk-redemptions');
    await cancelRedemption(page, srv, { receiptNo: r.receiptNo, reason: '村民拿错了商品，已退回' });
    await screenshot(page, 'clerk-cancelled');
    const bal = (await srv.api('GET', `villages/1/households/by-qr?code=JIFEN:1:${passbook}`, { user: 'clerk' })).json.balance;
    assert.equal(bal.confirmed, r.balanceAfter + r.total, 'the points are back');
    page.assertClean();
    await page.context().close();
  });
}

test('not enough confirmed points: the till says how many are missing (en)', async () => {
  const page = await newPage(browser, srv, { lang: 'en' });
  await loginUI(page, 'clerk');
  await openCustomer(page, '1004');
  const confirmed = Number(await page.locator('[data-t=customer-confirmed]').innerText());
  const price = rows(`SELECT price_points AS p FROM goods WHERE name = '铁锅'`)[0].p;
  const qty = Math.floor(confirmed / price) + 1;
  const input = page.locator('[data-t="goods-铁锅"] .van-stepper__input');
  await input.fill(String(qty));
  await input.blur();
  await page.locator('[data-t=cart-short]').getByText(page.t('clerk.short', { n: qty * price - confirmed })).waitFor();
  assert.equal(await page.locator('[data-t=redeem]').isDisabled(), true);
  await screenshot(page, 'clerk-short');
  page.assertClean();
  await page.context().close();
});

test('the camera reads the household QR code (zh)', async () => {
  const y4m = join(srv.dir, 'qr-1001.y4m');
  const code = (await srv.api('GET', 'households/1/qr', { user: 'clerk' })).json.payload;
  execFileSync('python3', [join(here, 'fixtures/clerk-qr-y4m.py'), code, y4m]);
  const cam = await startBrowser([`--use-file-for-fake-video-capture=${y4m}`]);
  try {
    const page = await newPage(cam, srv, { lang: 'zh' });
    await loginUI(page, 'clerk');
    await page.goto('/clerk');
    await page.locator('[data-t=scan]').click();
    await page.locator('[data-t=customer-name]').getByText('王福顺（1001）').waitFor();
    const bal = (await srv.api('GET', `villages/1/households/by-qr?code=${encodeURIComponent(code)}`, { user: 'clerk' })).json.balance;
    assert.equal(Number(await page.locator('[data-t=customer-confirmed]').innerText()), bal.confirmed);
    await screenshot(page, 'clerk-scanned');
    page.assertClean();
    await page.context().close();
  } finally {
    await cam.close();
  }
});
