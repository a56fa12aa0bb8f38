// Story steps of the village admin: each does one thing through the UI on a page
// where the village admin is logged in, asserts what the admin sees, and
// returns what the story needs next. Independent of the page's language
// (data-t attributes and page.t()).
import assert from 'node:assert/strict';

async function cellValue(page, sel) {
  return (await page.locator(`${sel} .van-cell__value`).innerText()).trim();
}

// Publishes the monthly notice of `month` (YYYY-MM, an ended month not yet
// published; default: the month the screen proposes, i.e. last month).
// Opens the new notice and returns its id as shown there.
// srv: the harness server (to compare with the API).
// user: the admin's login (to ask the API).
export async function publishNotice(page, srv, { month, user = 'admin' } = {}) {
  await page.goto('/admin/notices');
  const field = page.locator('[data-t=publish-month] input');
  await field.waitFor();
  if (month) await field.fill(month);
  const shown = await field.inputValue();
  await page.locator('[data-t=publish-submit]').click();
  await page.locator('[data-t=notice-id]').waitFor();
  const id = Number(await cellValue(page, '[data-t=notice-id]'));
  assert.ok(id > 0, `notice id shown: ${id}`);
  assert.equal(await cellValue(page, '[data-t=notice-state]'), page.t('admin.status_open'));
  const api = await srv.api('GET', `notices/${id}`, { user });
  assert.equal(api.json.month, shown);
  assert.equal(await cellValue(page, '[data-t=notice-entries]'), String(api.json.entry_count));
  assert.equal(await cellValue(page, '[data-t=notice-points]'), String(api.json.total_points));
  return id;
}

// Waits (reloading the notice) until the notice shows as confirmed — the
// server confirms it when its window has closed and no objection is open.
// Returns nothing; fails the test if the page shows an error.
export async function waitNoticeConfirmed(page, srv, { noticeId }) {
  void srv;
  await page.goto(`/admin/notices/${noticeId}`);
  for (;;) {
    await page.locator('[data-t=notice-state]').waitFor();
    if (await cellValue(page, '[data-t=notice-state]') === page.t('admin.status_confirmed')) return;
    await page.waitForTimeout(500);
    await page.reload();
  }
}

// Settles an open objection: { uphold: true } or { dismiss: true }, with the
// reason the villager will read. noticeId: the notice (default: the newest
// notice with open objections); objectionId: which one (default: the first open).
// user: the admin's login (to ask the API).
// Returns { objectionId, noticeConfirmed } as the server has it afterwards.
export async function settleObjection(page, srv, { uphold, dismiss, reason, noticeId, objectionId, user = 'admin' }) {
  assert.ok(!!uphold !== !!dismiss, 'uphold or dismiss');
  if (!noticeId) {
    await page.goto('/admin/notices');
    const row = page.locator('[data-t^=notice-]:has([data-t=notice-open-objections])').first();
    await row.click();
  } else {
    await page.goto(`/admin/notices/${noticeId}`);
  }
  await page.locator('[data-t=objections]').waitFor();
  const card = objectionId ? page.locator(`[data-t=objection-${objectionId}]`)
    : page.locator('[data-t^=objection-]:has([data-t=obj-uphold])').first();
  const id = Number((await card.getAttribute('data-t')).replace('objection-', ''));
  await card.locator(uphold ? '[data-t=obj-uphold]' : '[data-t=obj-dismiss]').click();
  await page.locator('[data-t=settle-reason] textarea').fill(reason);
  await page.locator('.van-dialog__confirm').click();
  const done = page.locator(`[data-t=objection-${id}] [data-t=obj-status]`);
  const want = page.t(uphold ? 'admin.obj_upheld' : 'admin.obj_dismissed');
  await done.filter({ hasText: want }).waitFor();
  await page.locator(`[data-t=objection-${id}] [data-t=obj-resolution]`).filter({ hasText: reason }).waitFor();
  const o = await srv.api('GET', `objections/${id}`, { user });
  assert.equal(o.json.status, uphold ? 'upheld' : 'dismissed');
  assert.equal(o.json.resolution, reason);
  return { objectionId: id, noticeConfirmed: o.json.notice_status === 'confirmed' };
}

// Opens a redemption window from `from` to `to` (YYYY-MM-DD), optional note.
// villageId: the admin's village (default 1), user: the admin's login (to ask
// the API). Asserts the screen lists it; returns the window's id from the API.
export async function openRedemptionWindow(page, srv, { from, to, note, villageId = 1, user = 'admin' }) {
  await page.goto('/admin/windows');
  await page.locator('[data-t=window-from] input').fill(from);
  await page.locator('[data-t=window-to] input').fill(to);
  if (note) await page.locator('[data-t=window-form] input[name=note]').fill(note);
  await page.locator('[data-t=window-submit]').click();
  await page.locator(`[data-t=window-${from}]`).waitFor();
  const text = await page.locator(`[data-t=window-${from}]`).innerText();
  assert.ok(text.includes(to), `window row shows ${to}: ${text}`);
  const list = await srv.api('GET', `villages/${villageId}/redemption-windows`, { user });
  const w = list.json.items.find((x) => x.starts_on === from && x.ends_on === to);
  assert.ok(w, `window ${from}..${to} in the API`);
  return w.id;
}

// Closes the year `year` through the strong confirm (the year typed in).
// villageId, user: the admin's village and login, to check with the API.
// Returns the closed year as the API has it ({households, honours, ...}).
export async function closeYear(page, srv, { year, villageId, user = 'admin' }) {
  await page.goto('/admin/years');
  await page.locator('[data-t=close-year] input').fill(String(year));
  await page.locator('[data-t=close-year-btn]').click();
  await page.locator('[data-t=year-confirm]').waitFor();
  // the confirm button does nothing until the year is typed
  await page.locator('.van-dialog__confirm').click();
  await page.locator('[data-t=year-confirm]').waitFor();
  await page.locator('[data-t=year-confirm-input] input').fill(String(year));
  await page.locator('.van-dialog__confirm').click();
  const row = page.locator(`[data-t=year-${year}]`);
  await row.waitFor();
  if (villageId) {
    const y = await srv.api('GET', `villages/${villageId}/years/${year}`, { user });
    assert.equal(y.status, 200);
    assert.ok((await row.innerText()).includes(String(y.json.households)));
    return y.json;
  }
  return { year };
}
