// The scoring group's screens: quick record, batch record (with cap refusals),
// an activity from sign-up to award, an inspection round, and the review queue
// (photos, range, second review, own household, reject). zh and en.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startBrowser, newPage, loginUI, logoutUI, screenshot, PIN } from './harness.mjs';
import { recordPoints, batchRecord, runActivity, approveClaim, rejectClaim, inspect, rows, findClaim } from './steps/scorer.mjs';

let srv, browser;
before(async () => { srv = await startServer(); browser = await startBrowser(); });
after(async () => { await browser?.close(); await srv?.stop(); });

const month = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 7);
// Active households of a group without the rule this month, in passbook order.
function freeOf(rule, group, n) {
  return rows(srv, `SELECT passbook_no FROM households h WHERE h.group_id = ${group} AND h.status = 'active' AND NOT EXISTS
    (SELECT 1 FROM entries e JOIN rules r ON r.id = e.rule_id WHERE e.household_id = h.id AND r.name = '${rule}'
     AND substr(e.deed_date, 1, 7) = '${month()}') ORDER BY passbook_no LIMIT ${n}`).map((r) => r.passbook_no);
}
function usedOf(rule, group) {
  return rows(srv, `SELECT passbook_no FROM households h WHERE h.group_id = ${group} AND h.status = 'active' AND EXISTS
    (SELECT 1 FROM entries e JOIN rules r ON r.id = e.rule_id WHERE e.household_id = h.id AND r.name = '${rule}'
     AND substr(e.deed_date, 1, 7) = '${month()}') ORDER BY passbook_no LIMIT 1`).map((r) => r.passbook_no);
}

async function villagerToken() {
  return srv.token({ village_id: 1, passbook_no: '1001', pin: PIN });
}
// A claim filed by the villager of 1001, with a photo when given.
async function fileClaim(rule, description, png) {
  const tok = await villagerToken();
  const photos = [];
  if (png) {
    const r = await fetch(`${srv.url}/api/v1/villages/1/photos`, { method: 'POST', headers: { Authorization: `Bearer ${tok}`, 'Content-Type': 'image/png' }, body: png });
    assert.ok(r.ok, `photo upload ${r.status}`);
    photos.push((await r.json()).hash);
  }
  const ruleId = rows(srv, `SELECT id FROM rules WHERE village_id = 1 AND name = '${rule}' AND status = 'active'`)[0].id;
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  const r = await srv.api('POST', 'villages/1/claims', { token: tok, body: { rule_id: ruleId, deed_date: today, description, photos } });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json;
}

for (const lang of ['zh', 'en']) {
  test(`quick record and batch record with refusals (${lang})`, async () => {
    const page = await newPage(browser, srv, { lang });
    await loginUI(page, 'scorer');
    await screenshot(page, 'scorer-home');
    await page.locator('[data-t="menu-scorer.menu_record"]').click();
    await page.locator('[data-t=household-picker]').waitFor();
    await screenshot(page, 'scorer-record-find');
    const hh = lang === 'zh' ? '1001' : '1002';
    const member = rows(srv, `SELECT m.name FROM members m JOIN households h ON h.id = m.household_id WHERE h.passbook_no = '${hh}' AND m.status = 'active' LIMIT 1`)[0].name;
    const r = await recordPoints(page, srv, { household: hh, rule: '孝敬老人', member });
    assert.equal(r.points, 5);
    await screenshot(page, 'scorer-record-done');
    // a rule with a range: the points chosen within it
    const r2 = await recordPoints(page, srv, { household: hh, rule: '见义勇为', points: 12 });
    assert.equal(r2.points, 12);

    // batch: a list where one household has reached the month's cap
    const group = lang === 'zh' ? 2 : 4;
    const [full] = usedOf('庭院整洁', group);
    const free = freeOf('庭院整洁', group, 2);
    assert.ok(full && free.length === 2, 'test data: households with and without 庭院整洁 this month');
    const end = page.expectError(/422/);
    const b = await batchRecord(page, srv, { rule: '庭院整洁', households: [free[0], full, free[1]] });
    assert.deepEqual(b, { count: 2, total: 6, refused: [full] });
    await page.locator(`[data-t="refused-${full}"]`).getByText(full).waitFor();
    await screenshot(page, 'scorer-batch-result');

    // batch: a whole group, some of it over the cap of 门前三包
    const total = rows(srv, `SELECT count(*) AS n FROM households WHERE group_id = ${group + 1} AND status = 'active'`)[0].n;
    const g = await batchRecord(page, srv, { rule: '门前三包', group: group + 1 });
    assert.equal(g.count + g.refused.length, total, 'every household of the group counted or refused');
    assert.equal(g.total, g.count * 2);
    end();
    page.assertClean();
    await page.context().close();
  });

  test(`activity: sign-ups, attendance, award all (${lang})`, async () => {
    const page = await newPage(browser, srv, { lang });
    await loginUI(page, 'scorer');
    const hhs = lang === 'zh' ? ['1006', '1007', '1008'] : ['1009', '1010'];
    await page.goto('/scorer/activities');
    await page.locator('[data-t=activity-new]').waitFor();
    await screenshot(page, 'scorer-activities');
    const a = await runActivity(page, srv, { title: lang === 'zh' ? '冬季清雪' : '村道清雪', rule: '志愿服务', households: hhs });
    assert.deepEqual({ count: a.count, total: a.total }, { count: hhs.length, total: hhs.length * 2 });
    await screenshot(page, 'scorer-activity-awarded');
    await page.goto('/scorer/activities');
    await page.locator(`[data-t="activity-${lang === 'zh' ? '冬季清雪' : '村道清雪'}"]`).getByText(page.t('scorer.activity_awarded')).waitFor();
    page.assertClean();
    await page.context().close();
  });

  test(`inspection round, household by household (${lang})`, async () => {
    const page = await newPage(browser, srv, { lang });
    await loginUI(page, 'scorer');
    const group = lang === 'zh' ? 3 : 5;
    const order = rows(srv, `SELECT passbook_no FROM households WHERE group_id = ${group} AND status = 'active' ORDER BY passbook_no`).map((r) => r.passbook_no);
    const free = freeOf('庭院整洁', group, 2);
    await page.goto('/scorer/inspections');
    await page.locator(`[data-t="insp-group-${group}"]`).waitFor();
    await screenshot(page, 'scorer-inspections');
    const scores = [{ household: free[0], rules: ['庭院整洁'] }, { household: free[1], rules: ['庭院整洁', '乱堆乱放'] }];
    const { inspectionId } = await inspect(page, srv, { group, scores });
    assert.deepEqual(scores.map((s) => s.score), [3, 0]);
    // the ticks of a household not yet saved survive going next and back
    const pos = order.indexOf(free[1]);
    const next = order.find((no, i) => i > pos && !free.includes(no));
    while (!(await page.locator('[data-t=insp-household]').innerText()).includes(next)) await page.locator('[data-t=insp-next]').click();
    await page.locator('[data-t="check-门前三包"]').click();
    await page.locator('[data-t=insp-save]').getByText(page.t('scorer.insp_save', { pts: '+2' })).waitFor();
    await page.locator('[data-t=insp-prev]').click();
    await page.locator('[data-t=insp-score]').getByText(page.t('scorer.scored', { pts: '0' })).waitFor();
    await page.locator('[data-t=insp-next]').click();
    await page.locator('[data-t=insp-save]').getByText(page.t('scorer.insp_save', { pts: '+2' })).waitFor();
    await screenshot(page, 'scorer-inspection');
    await page.locator('[data-t=insp-close]').click();
    await page.locator('.van-dialog__confirm').click();
    await page.locator('[data-t=insp-status]').getByText(page.t('scorer.insp_closed')).waitFor();
    assert.equal(rows(srv, `SELECT status FROM inspections WHERE id = ${inspectionId}`)[0].status, 'closed');
    page.assertClean();
    await page.context().close();
  });
}

test('review queue: photos, second review, own household, reject (zh)', async () => {
  const page = await newPage(browser, srv, { lang: 'zh' });
  const png = await page.screenshot({ clip: { x: 0, y: 0, width: 120, height: 90 } });
  const photoClaim = await fileClaim('关爱留守儿童', '帮邻居接送留守的孙子上学一周', png);
  await fileClaim('见义勇为', '下河救起落水儿童', null);
  await loginUI(page, 'scorer');
  await page.locator('[data-t="menu-scorer.menu_claims"]').click();
  const card = page.locator(`[data-t="claim-${photoClaim.id}"]`);
  await card.waitFor();
  await card.getByText('帮邻居接送留守的孙子上学一周').waitFor();
  // claim 7 of the demo waits for its second review; the scorer filed 4–7 herself
  await page.locator('[data-t="claim-7"] [data-t=claim-status]').getByText('待复核').waitFor();
  await page.locator('[data-t="claim-7"] [data-t=claim-second]').getByText('高建民').waitFor();
  await page.locator('[data-t="claim-4"] [data-t=claim-cannot]').waitFor();
  await screenshot(page, 'scorer-claims');
  // the photo, large
  await card.locator('[data-t=claim-photo-0] img').waitFor();
  assert.ok(await card.locator('[data-t=claim-photo-0] img').evaluate((img) => img.complete && img.naturalWidth > 0), 'photo loaded');
  await card.locator('[data-t=claim-photo-0]').click();
  await page.locator('.van-image-preview').waitFor();
  await screenshot(page, 'scorer-claim-photo');
  await page.locator('.van-image-preview__close-icon').click();
  await page.locator('.van-image-preview').waitFor({ state: 'hidden' });

  // the scorer's own claim: the API's message
  const end = page.expectError(/403/);
  await page.locator('[data-t="claim-4"] [data-t=claim-approve]').click();
  await page.locator('.van-toast--fail').waitFor();
  const own = await page.locator('.van-toast--fail').innerText();
  assert.equal(own, '不能审核自己提交的申请');
  end();
  await page.locator('.van-toast--fail').waitFor({ state: 'hidden' });

  // a reviewer cannot review their own household (home household 1001)
  let r = await srv.api('PATCH', 'users/4', { body: { home_household_id: 1 } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  await page.reload();
  await card.waitFor();
  const end2 = page.expectError(/403/);
  await card.locator('[data-t=claim-approve]').click();
  await page.locator('.van-toast--fail').waitFor();
  const msg = await page.locator('.van-toast--fail').innerText();
  assert.match(msg, /^不能审核自己家的申请（王福顺，存折号 1001）/, msg);
  end2();
  await screenshot(page, 'scorer-claim-own-household');
  r = await srv.api('PATCH', 'users/4', { body: { home_household_id: null } });
  assert.equal(r.status, 200);
  await page.locator('.van-toast--fail').waitFor({ state: 'hidden' });

  // approve the photo claim (fixed rule)
  const a1 = await approveClaim(page, srv, { household: '1001', rule: '关爱留守儿童' });
  assert.deepEqual([a1.status, a1.points], ['approved', 3]);
  // a range claim above the threshold: first approval → second review
  const a3 = await approveClaim(page, srv, { household: '1001', rule: '见义勇为', points: 25 });
  assert.equal(a3.status, 'second_review');
  await page.locator(`[data-t="claim-${a3.claimId}"] [data-t=claim-cannot]`).waitFor();
  await screenshot(page, 'scorer-claim-second-review');
  // reject with a reason
  await rejectClaim(page, srv, { household: '1001', rule: '拾金不昧', reason: '钱包已由派出所登记归还，不重复计分' });
  await page.getByRole('tab', { name: '已驳回' }).click();
  await page.getByText('钱包已由派出所登记归还，不重复计分').waitFor();
  await screenshot(page, 'scorer-claims-rejected');
  page.assertClean();
  await logoutUI(page);
  // the village admin gives the second review
  await loginUI(page, 'admin');
  const a4 = await approveClaim(page, srv, { household: '1001', rule: '见义勇为' });
  assert.deepEqual([a4.status, a4.points], ['approved', 25]);
  page.assertClean();
  await page.context().close();
});

test('review queue in English: approve a claim, reject one', async () => {
  const page = await newPage(browser, srv, { lang: 'en' });
  await fileClaim('拾金不昧', '在集市拾到手机一部，已交还失主', null);
  await loginUI(page, 'scorer');
  await page.goto('/scorer/claims');
  await page.locator('[data-t=claim-tabs]').waitFor();
  await page.getByText('在集市拾到手机一部，已交还失主').waitFor();
  await screenshot(page, 'scorer-claims');
  const a = await approveClaim(page, srv, { household: '1001', rule: '拾金不昧' });
  assert.deepEqual([a.status, a.points], ['approved', 5]);
  await fileClaim('关爱留守儿童', '周末给留守儿童辅导作业', null);
  await rejectClaim(page, srv, { household: '1001', rule: '关爱留守儿童', reason: '请补充村民小组长证明' });
  await page.getByRole('tab', { name: page.t('scorer.claims_rejected') }).click();
  await page.getByText('请补充村民小组长证明').waitFor();
  page.assertClean();
  await page.context().close();
});
