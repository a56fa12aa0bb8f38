// The villager's screens on the demo village, as 王福顺 (passbook 1001): the
// passbook, applying for points with a photo and the outcome, objecting to the
// open notice and the settlement, the shop code the clerk scans, redemptions.
// The main flows run in Chinese and in English.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startBrowser, newPage, loginUI, screenshot as shot } from './harness.mjs';
import {
  seePassbook, claimWithPhoto, seeClaims, objectToEntry, seeObjections, showShopCode, seeRedemptions,
  FIXTURE_PHOTO, FIXTURE_PHOTO2,
} from './steps/villager.mjs';

let srv, browser;
before(async () => { srv = await startServer(); browser = await startBrowser(); });
after(async () => { await browser?.close(); await srv?.stop(); });

const VILLAGER = { passbook: '1001' };
const chinaDay = (offset = 0) => new Date(Date.now() + 8 * 3600e3 + offset * 86400e3).toISOString().slice(0, 10);

// A screenshot once the toasts are gone (they would cover the screen).
async function screenshot(page, name) {
  await page.waitForFunction(() => ![...document.querySelectorAll('.van-toast')]
    .some((e) => getComputedStyle(e).display !== 'none' && e.getClientRects().length > 0));
  await shot(page, name);
}

async function villagerPage(lang) {
  const page = await newPage(browser, srv, { lang });
  await loginUI(page, VILLAGER);
  return page;
}

for (const lang of ['zh', 'en']) {
  test(`a villager applies for points with a photo and sees it approved (${lang})`, async () => {
    const page = await villagerPage(lang);
    for (const m of ['passbook', 'claim', 'claims', 'objections', 'redemptions', 'qr'])
      await page.locator(`[data-t="menu-villager.menu_${m}"]`).waitFor();
    await page.locator('[data-t="menu-public.menu_notice"]').waitFor();
    await screenshot(page, 'villager-home');

    const before1 = await seePassbook(page, srv);
    assert.equal(before1.total, before1.confirmed + before1.pending);
    await screenshot(page, 'villager-passbook');
    // a long history pages: the next 20 entries on demand
    const total = Number(srv.sql('SELECT count(*) AS n FROM entries WHERE household_id = 1').match(/\d+/)[0]);
    assert.ok(total > 20, `the demo passbook has ${total} entries`);
    await page.locator('[data-t=pb-more]').click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-t=pb-entry]').length === n, Math.min(total, 40));

    const rule = lang === 'zh' ? '孝敬老人' : '关爱留守儿童';
    const text = lang === 'zh' ? '婆婆住院一周，每天送饭陪护，邻居刘大姐可以作证' : '辅导留守儿童小军写作业，连续两个周末';
    const id = await claimWithPhoto(page, srv, {
      rule, date: chinaDay(-1), text, photo: FIXTURE_PHOTO, beforeSubmit: () => screenshot(page, 'villager-claim'),
    });
    await screenshot(page, 'villager-claims');

    // the scoring group approves: the villager sees the points and the reviewer
    const ok = await srv.api('POST', `claims/${id}/approve`, { user: 'scorer' });
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    const claims = await seeClaims(page);
    const mine = claims.find((c) => c.id === id);
    assert.equal(mine.status, 'approved');
    assert.equal(mine.outcome, page.t('villager.claim_approved', { points: `+${ok.json.points}`, who: '于秀梅' }));
    const after1 = await seePassbook(page, srv);
    assert.equal(after1.pending, before1.pending + ok.json.points);
    assert.equal(after1.entries[0].title, rule);
    page.assertClean();
    await page.context().close();
  });
}

test('the claim form keeps its text and photos over a reload; errors say why', async () => {
  const page = await villagerPage('zh');
  await page.goto('/me/claim');
  await page.locator('[data-t=claim-rule]').click();
  await page.locator('.van-popup [data-name="婚事新办"]').click();
  await page.locator('[data-t=claim-text] textarea').fill('儿子结婚不收彩礼，只办了两桌家宴');
  // the rule needs a photo: the form says so before anything is sent
  await page.locator('[data-t=claim-photo-needed]').waitFor();
  await page.locator('[data-t=claim-submit]').click();
  await page.locator('.van-toast').getByText(page.t('villager.claim_photos_required')).waitFor();
  assert.equal(srv.sql("SELECT count(*) AS n FROM claims WHERE description LIKE '儿子结婚%'"), '[{"n":0}]');

  await page.locator('[data-t=claim-photos] input[type=file]').setInputFiles([FIXTURE_PHOTO, FIXTURE_PHOTO2]);
  await page.locator('[data-t=claim-photos] .van-uploader__preview img[src*="/photos/"]').nth(1).waitFor();
  await screenshot(page, 'villager-claim-evidence');
  await page.reload();
  await page.locator('[data-t=claim-photos] .van-uploader__preview img[src*="/photos/"]').nth(1).waitFor();
  assert.equal(await page.locator('[data-t=claim-rule] input').inputValue(), '婚事新办');
  assert.equal(await page.locator('[data-t=claim-text] textarea').inputValue(), '儿子结婚不收彩礼，只办了两桌家宴');
  assert.equal(await page.locator('[data-t=claim-photos] .van-uploader__preview').count(), 2);
  assert.ok(await page.locator('[data-t=claim-photos] .van-uploader__preview img').first()
    .evaluate((el) => el.complete && el.naturalWidth > 0), 'the uploaded photo shows after the reload');

  // a date in the future: the server refuses, the user reads its message, the draft stays
  await page.locator('[data-t=claim-date] input').fill(chinaDay(2));
  const end = page.expectError(/422/, /status of 422/);
  await page.locator('[data-t=claim-submit]').click();
  const toast = page.locator('.van-toast');
  await toast.waitFor();
  await toast.getByText(/未来|将来|日期/).waitFor();
  end();
  assert.equal(await page.locator('[data-t=claim-text] textarea').inputValue(), '儿子结婚不收彩礼，只办了两桌家宴');

  // a good date: it goes through with both photos, then the reviewer rejects it with a reason
  await page.locator('[data-t=claim-date] input').fill(chinaDay(-3));
  await page.locator('[data-t=claim-submit]').click();
  await page.waitForURL('**/me/claims');
  const id = Number(await page.locator('[data-t=claim]').first().getAttribute('data-id'));
  assert.equal((await srv.api('GET', `claims/${id}`)).json.photos.length, 2);
  const reason = '请补充村委会出具的婚事新办证明后重新申请';
  const r = await srv.api('POST', `claims/${id}/reject`, { user: 'scorer', body: { reason } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const claims = await seeClaims(page);
  const c = claims.find((x) => x.id === id);
  assert.equal(c.status, 'rejected');
  assert.equal(c.outcome, page.t('villager.claim_rejected', { reason }));
  // the form is empty again for the next application
  await page.goto('/me/claim');
  await page.locator('[data-t=claim-text] textarea').waitFor();
  assert.equal(await page.locator('[data-t=claim-text] textarea').inputValue(), '');
  page.assertClean();
  await page.context().close();
});

test('a villager objects on the notice and from the passbook; the settlement shows (zh, en)', async () => {
  // zh: on the notice, to the household's own "门前三包" of the open month
  let page = await villagerPage('zh');
  const notice = (await srv.api('GET', 'villages/1/notices?per_page=1')).json.items[0];
  const entry1 = JSON.parse(srv.sql(`SELECT e.id FROM entries e JOIN rules r ON r.id = e.rule_id WHERE e.household_id = 1 AND e.month = '${notice.month}' AND r.name = '门前三包'`))[0].id;
  const id1 = await objectToEntry(page, srv, { entryText: '门前三包', reason: '10月25日那天我家去县城看病，院里没人，这条记录可能记错了' });
  await screenshot(page, 'villager-notice');
  const s1 = await srv.api('POST', `objections/${id1}/settle`, { body: { outcome: 'dismissed', resolution: '评分小组当天有照片为证，维持原分' } });
  assert.equal(s1.status, 200, JSON.stringify(s1.json));
  let mine = await seeObjections(page);
  let o = mine.find((x) => x.entryId === entry1);
  assert.equal(o.status, 'dismissed');
  assert.ok(o.text.includes('评分小组当天有照片为证，维持原分'));
  assert.ok(o.text.includes(page.t('villager.objection_dismissed')));
  await screenshot(page, 'villager-objections');
  page.assertClean();
  await page.context().close();

  // en: from the passbook, the "庭院整洁" entry; upheld → a reversal appears
  page = await villagerPage('en');
  const entry2 = JSON.parse(srv.sql(`SELECT e.id FROM entries e JOIN rules r ON r.id = e.rule_id WHERE e.household_id = 1 AND e.month = '${notice.month}' AND r.name = '庭院整洁'`))[0].id;
  const before = await seePassbook(page, srv);
  const id2 = await objectToEntry(page, srv, { entryId: entry2, reason: '这个月院子在翻修，不可能评上庭院整洁', from: 'passbook' });
  const s2 = await srv.api('POST', `objections/${id2}/settle`, { body: { outcome: 'upheld', resolution: '经核实院子在翻修，予以冲销' } });
  assert.equal(s2.status, 200, JSON.stringify(s2.json));
  const after = await seePassbook(page, srv);
  assert.equal(after.total, before.total - 3);
  await page.locator(`[data-t=pb-entry][data-id="${entry2}"]`).getByText(page.t('public.reversed')).waitFor();
  await screenshot(page, 'villager-passbook-reversed');
  mine = await seeObjections(page);
  o = mine.find((x) => x.entryId === entry2);
  assert.equal(o.status, 'upheld');
  assert.ok(o.text.includes(page.t('villager.objection_reversal')));
  await screenshot(page, 'villager-objections');
  // the notice shows the villager's own entries with the objection's state
  await page.goto('/v/1/notice');
  await page.locator(`[data-t=mine-entry-${entry1}] [data-t=objection-${id1}]`).getByText(page.t('villager.objection_dismissed')).waitFor();
  await screenshot(page, 'villager-notice');
  page.assertClean();
  await page.context().close();
});

test('the shop code scans to the household; the redemption shows in both languages', async () => {
  const cur = (await srv.api('GET', 'villages/1/redemption-windows/current')).json;
  if (!cur.open) {
    const w = await srv.api('POST', 'villages/1/redemption-windows', { body: { starts_on: cur.today, ends_on: cur.today, note: '测试兑换' } });
    assert.equal(w.status, 201, JSON.stringify(w.json));
  }
  for (const lang of ['zh', 'en']) {
    const page = await villagerPage(lang);
    const payload = await showShopCode(page, srv);
    await screenshot(page, 'villager-qr');
    if (lang === 'zh') {
      // the clerk scans the code and redeems two towels (毛巾)
      const towel = JSON.parse(srv.sql("SELECT id, price_points FROM goods WHERE village_id = 1 AND name = '毛巾'"))[0];
      const r = await srv.api('POST', 'villages/1/redemptions', { user: 'clerk', body: { qr: payload, items: [{ goods_id: towel.id, quantity: 2 }] } });
      assert.equal(r.status, 201, JSON.stringify(r.json));
    }
    const list = await seeRedemptions(page, { open: true });
    const api = (await srv.api('GET', 'households/1/redemptions')).json;
    assert.equal(list.length, api.items.length);
    assert.equal(list[0].id, api.items[0].id);
    assert.equal(list[0].points, page.t('villager.redeem_points', { n: api.items[0].total_points }));
    assert.equal(list[0].status, page.t('villager.redeem_done'));
    assert.equal(list[0].lines[0], `${page.t('villager.redeem_line', { name: '毛巾', qty: 2 })} ${page.t('common.pts', { n: 20 })}`);
    await screenshot(page, 'villager-redemptions');
    page.assertClean();
    await page.context().close();
  }
});

test('a large phone photo is shrunk before it is uploaded', async () => {
  const page = await villagerPage('zh');
  await page.goto('/me/claim');
  await page.locator('[data-t=claim-text] textarea').waitFor();
  // a 3000×2000 noisy JPEG of a few MB, as a phone camera makes
  const b64 = await page.evaluate(async () => {
    const c = document.createElement('canvas');
    c.width = 3000; c.height = 2000;
    const g = c.getContext('2d');
    const img = g.createImageData(3000, 2000);
    for (let i = 0; i < img.data.length; i++) img.data[i] = (i % 4 === 3) ? 255 : (Math.random() * 256) | 0;
    g.putImageData(img, 0, 0);
    const blob = await new Promise((ok) => c.toBlob(ok, 'image/jpeg', 0.9));
    const buf = new Uint8Array(await blob.arrayBuffer());
    let s = '';
    for (let i = 0; i < buf.length; i += 8192) s += String.fromCharCode(...buf.subarray(i, i + 8192));
    return btoa(s);
  });
  const big = Buffer.from(b64, 'base64');
  assert.ok(big.length > 1536 * 1024 && big.length < 8 * 1024 * 1024, `fixture size ${big.length}`);
  await page.locator('[data-t=claim-photos] input[type=file]').setInputFiles({ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: big });
  const img = page.locator('[data-t=claim-photos] .van-uploader__preview img[src*="/photos/"]').last();
  await img.waitFor();
  const hash = (await img.getAttribute('src')).split('/').pop();
  const row = JSON.parse(srv.sql(`SELECT width, height, bytes FROM photos WHERE hash = '${hash}'`))[0];
  assert.deepEqual([row.width, row.height], [2048, 1365]);
  assert.ok(row.bytes < big.length, `uploaded ${row.bytes} of ${big.length} bytes`);
  // leave no draft behind for the next test
  await page.evaluate(() => localStorage.removeItem('jifen.draft.villager.claim'));
  page.assertClean();
  await page.context().close();
});

test('a large claim waits for a second reviewer, and the villager sees each stage', async () => {
  const villager = { village_id: 1, passbook_no: '1001', pin: '270518' };
  // 见义勇为: the reviewer chooses 5 to 30 points; above 20 needs a second reviewer
  const brave = JSON.parse(srv.sql("SELECT id FROM rules WHERE village_id = 1 AND name = '见义勇为' AND status = 'active'"))[0].id;
  const c = await srv.api('POST', 'villages/1/claims', { user: villager, body: {
    rule_id: brave, deed_date: chinaDay(-2), description: '村西头河边救起落水的小孩，邻居赵大哥看见了' } });
  assert.equal(c.status, 201, JSON.stringify(c.json));
  const first = await srv.api('POST', `claims/${c.json.id}/approve`, { user: 'scorer', body: { points: 25 } });
  assert.equal(first.json.status, 'second_review', JSON.stringify(first.json));
  for (const lang of ['zh', 'en']) {
    const page = await villagerPage(lang);
    const card = (await seeClaims(page)).find((x) => x.id === c.json.id);
    assert.equal(card.status, 'second_review');
    assert.equal(card.outcome, page.t('villager.claim_second', { points: `+${first.json.first_points}`, who: '于秀梅' }));
    assert.equal(card.rule, '见义勇为');
    page.assertClean();
    await page.context().close();
  }
  const second = await srv.api('POST', `claims/${c.json.id}/approve`, { user: 'admin' });
  assert.equal(second.json.status, 'approved', JSON.stringify(second.json));
  const page = await villagerPage('zh');
  const card = (await seeClaims(page)).find((x) => x.id === c.json.id);
  assert.equal(card.outcome, page.t('villager.claim_approved', { points: '+25', who: '高建民' }));
  page.assertClean();
  await page.context().close();
});
