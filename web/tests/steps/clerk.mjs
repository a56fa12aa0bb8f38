// Story steps of the supermarket clerk (积分超市), through the UI. Each takes a page
// logged in as the clerk (or the village admin), does one thing and asserts what
// the screen shows against the database. Language-independent (data-t, page.t()).
import assert from 'node:assert/strict';

function rows(srv, query) {
  const s = srv.sql(query);
  return s ? JSON.parse(s) : [];
}
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const num = (text) => Number(String(text).replace(/[^\d-]/g, ''));

// Opens the till with the household of this passbook number typed in.
export async function openCustomer(page, passbook) {
  await page.goto('/clerk');
  await page.locator('[data-t=passbook], [data-t=customer]').first().waitFor();
  if (await page.locator('[data-t=customer]').isVisible()) await page.locator('[data-t=next-customer]').click();
  await page.locator('[data-t=passbook] input').fill(passbook);
  await page.locator('[data-t=passbook-find]').click();
  await page.locator('[data-t=customer]').waitFor();
}

// redeem(page, srv, { passbook, goods: [{ name, qty }] })
//   passbook: the household's passbook number (typed at the till); goods: names and quantities.
// Adds the goods, confirms, and checks the receipt on screen against the database.
// Returns { id, receiptNo, total, balanceAfter }.
export async function redeem(page, srv, { passbook, goods }) {
  await openCustomer(page, passbook);
  for (const g of goods) {
    const input = page.locator(`[data-t="goods-${g.name}"] .van-stepper__input`);
    await input.fill(String(g.qty));
    await input.blur();
  }
  const price = goods.reduce((s, g) => s + g.qty * rows(srv, `SELECT price_points AS p FROM goods WHERE village_id = 1 AND name = ${q(g.name)}`)[0].p, 0);
  await page.locator('[data-t=cart-total]').getByText(page.t('common.pts', { n: price })).waitFor();
  await page.locator('[data-t=redeem]').click();
  await page.locator('.van-dialog__confirm').click();
  await page.waitForURL(/\/clerk\/receipts\/\d+$/);
  const id = Number(page.url().match(/(\d+)$/)[1]);
  const r = rows(srv, `SELECT receipt_no, total_points, balance_after, status FROM redemptions WHERE id = ${id}`)[0];
  const receipt = page.locator('[data-t=receipt]');
  await receipt.locator('[data-t=receipt-no]').getByText(r.receipt_no).waitFor();
  assert.equal(r.status, 'done');
  assert.equal(r.total_points, price);
  assert.equal(num(await receipt.locator('[data-t=receipt-total]').innerText()), r.total_points);
  assert.equal(num(await receipt.locator('[data-t=receipt-balance]').innerText()), r.balance_after);
  for (const g of goods) await receipt.locator(`[data-t="receipt-item-${g.name}"]`).waitFor();
  return { id, receiptNo: r.receipt_no, total: r.total_points, balanceAfter: r.balance_after };
}

// cancelRedemption(page, srv, { receiptNo, reason })
//   receiptNo: the receipt's number; reason: why (1–200 characters).
// Opens it from 兑换记录, cancels after the confirmation, checks the receipt shows
// 已取消 and the points and stock are back. Returns { id }.
export async function cancelRedemption(page, srv, { receiptNo, reason }) {
  const r = rows(srv, `SELECT id, household_id FROM redemptions WHERE receipt_no = ${q(receiptNo)}`)[0];
  const items = rows(srv, `SELECT goods_id, quantity FROM redemption_items WHERE redemption_id = ${r.id}`);
  const stockBefore = Object.fromEntries(items.map((it) => [it.goods_id, rows(srv, `SELECT stock FROM goods WHERE id = ${it.goods_id}`)[0].stock]));
  await page.goto('/clerk/redemptions');
  await page.locator(`[data-t="redemption-${receiptNo}"]`).click();
  await page.locator('[data-t=cancel-redemption]').click();
  await page.locator('[data-t=cancel-reason] textarea').fill(reason);
  await page.locator('.van-dialog__confirm').click();
  await page.locator('[data-t=receipt-cancelled]').waitFor();
  await page.locator('[data-t=receipt-cancel-reason]').getByText(reason).waitFor();
  assert.equal(rows(srv, `SELECT status FROM redemptions WHERE id = ${r.id}`)[0].status, 'cancelled');
  for (const it of items)
    assert.equal(rows(srv, `SELECT stock FROM goods WHERE id = ${it.goods_id}`)[0].stock, stockBefore[it.goods_id] + it.quantity);
  assert.equal(await page.locator('[data-t=cancel-redemption]').count(), 0, 'no second cancel');
  return { id: r.id };
}

// stockIntake(page, srv, { goods, qty, reason })
//   goods: the goods' name; qty: how many units came in; reason: where from (≤ 200).
// Takes the goods in on 商品入库 and checks the stock shown equals the database's.
// Returns { stock } (after the intake).
export async function stockIntake(page, srv, { goods, qty, reason }) {
  const before = rows(srv, `SELECT stock FROM goods WHERE village_id = 1 AND name = ${q(goods)}`)[0].stock;
  await page.goto('/clerk/stock');
  await page.locator(`[data-t="stock-${goods}"]`).click();
  const input = page.locator('[data-t=intake-qty] input');
  await input.fill(String(qty));
  await input.blur();
  await page.locator('[data-t=intake-reason] input').fill(reason);
  await page.locator('[data-t=intake-submit]').click();
  await page.locator('[data-t=stock-done]').waitFor();
  const after = rows(srv, `SELECT stock FROM goods WHERE village_id = 1 AND name = ${q(goods)}`)[0].stock;
  assert.equal(after, before + qty);
  const unit = rows(srv, `SELECT unit FROM goods WHERE village_id = 1 AND name = ${q(goods)}`)[0].unit;
  await page.locator(`[data-t="stock-value-${goods}"]`).getByText(page.t('clerk.stock_n', { n: after, unit })).waitFor();
  return { stock: after };
}
