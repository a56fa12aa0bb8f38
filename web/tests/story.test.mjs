// The seed's whole story through the web app, on one server and the demo village
// (高箭沟村), as issue 5 tells it: a scorer records points and runs an activity, a
// villager claims with a photo, the scorer approves, the admin publishes the
// notice, the villager objects and the admin settles it, the month confirms, the
// clerk redeems goods in the window, the year closes, and the ranking and the
// honours show publicly. Run once in Chinese and once in English.
//
// Time: the story starts today (the demo's history ends today). To publish this
// month's notice the month must have ended, and to close the year the year must
// have: the server is restarted with JIFEN_CLOCK_OFFSET (a testing aid of jifen's
// clock) first to early January of next year — the admin publishes this month and
// the rest of the year, objections are settled — then to late January with
// --notice-day-seconds 1, where the notice windows have passed and the scheduler
// confirms every month at start.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startBrowser, newPage, loginUI, screenshot } from './harness.mjs';
import * as scorer from './steps/scorer.mjs';
import * as villager from './steps/villager.mjs';
import * as admin from './steps/admin.mjs';
import * as clerk from './steps/clerk.mjs';
import * as pub from './steps/public.mjs';

const VID = 1;
const DAY = 86400;

// Today in China (the server's calendar), and an offset in seconds from now to a
// given China date at 10:00.
function cnToday() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}
function offsetTo(dateCN) {
  const at = Date.parse(`${dateCN}T10:00:00+08:00`);
  return String(Math.round((at - Date.now()) / 1000));
}
function rows(srv, q) {
  const out = srv.sql(q);
  return out ? JSON.parse(out) : [];
}

let browser;
before(async () => { browser = await startBrowser(); });
after(async () => { await browser?.close(); });

// Logs the page in again after a restart that ended its session (the app first
// finds its old session gone: a 401 the user never sees).
async function relogin(page, who) {
  const end = page.expectError(/401/);
  await loginUI(page, who);
  end();
}

for (const lang of ['zh', 'en']) {
  test(`the village's story, ${lang}`, async () => {
    const srv = await startServer();
    const pages = [];
    try {
      const open = async (who) => {
        const p = await newPage(browser, srv, { lang });
        pages.push(p);
        if (who) await loginUI(p, who);
        return p;
      };
      const today = cnToday();
      const year = Number(today.slice(0, 4));
      const month = today.slice(0, 7);
      const sc = await open('scorer');
      const vi = await open({ passbook: '1001' });
      const ad = await open('admin');
      const cl = await open('clerk');

      // ---- this month: points are earned ------------------------------------
      const rec = await scorer.recordPoints(sc, srv, { household: '1001', rule: '孝敬老人' });
      assert.equal(rec.points, 5);
      const act = await scorer.runActivity(sc, srv, {
        title: lang === 'zh' ? '冬季清雪志愿服务' : '冬季清雪（English run）',
        rule: '志愿服务', households: ['1001', '1002', '1003'],
      });
      assert.equal(act.count, 3);
      await screenshot(sc, 'story-scorer-activity');
      const claimId = await villager.claimWithPhoto(vi, srv, {
        rule: '关爱留守儿童', date: today, text: '照看邻居家留守的小孙子一个星期，接送上学',
      });
      const appr = await scorer.approveClaim(sc, srv, { household: '1001', rule: '关爱留守儿童' });
      assert.equal(appr.claimId, claimId);
      assert.equal(appr.status, 'approved');
      const seen = await villager.seePassbook(vi, srv);
      assert.ok(seen.pending >= 5 + 3, `pending points include the record and the claim: ${seen.pending}`);
      await screenshot(vi, 'story-villager-passbook');

      // ---- early January: the notices of the year are published --------------
      await srv.restart({ env: { JIFEN_CLOCK_OFFSET: offsetTo(`${year + 1}-01-04`) } });
      await relogin(ad, 'admin');
      await relogin(vi, { passbook: '1001' });
      const noticeId = await admin.publishNotice(ad, srv, { month });
      const entryInNotice = rows(srv, `SELECT count(*) AS n FROM entries WHERE id = ${rec.entryId}
        AND deed_date LIKE '${month}-%'`)[0].n;
      assert.equal(entryInNotice, 1, 'the recorded entry is in the month just published');
      for (let m = Number(month.slice(5)) + 1; m <= 12; m++)
        await admin.publishNotice(ad, srv, { month: `${year}-${String(m).padStart(2, '0')}` });
      await screenshot(ad, 'story-admin-notice');
      const objId = await villager.objectToEntry(vi, srv, {
        entryId: rec.entryId, reason: '这次是邻居帮忙照顾老人，不该全记在我家', from: 'passbook',
      });
      const settled = await admin.settleObjection(ad, srv, {
        dismiss: true, reason: '经核实，确为本户所为，维持原记录', noticeId, objectionId: objId,
      });
      assert.equal(settled.objectionId, objId);
      // the demo's other open objections (last month's notice) are settled too, or
      // the year could not close
      for (const o of rows(srv, "SELECT id, notice_id FROM objections WHERE status = 'open'"))
        await admin.settleObjection(ad, srv, { uphold: true, reason: '情况属实，撤销该条记录', noticeId: o.notice_id, objectionId: o.id });
      assert.equal(rows(srv, "SELECT count(*) AS n FROM objections WHERE status = 'open'")[0].n, 0);

      // ---- late January: the months are confirmed; the shop opens; the year closes
      await srv.restart({
        args: ['--notice-day-seconds', '1', '--confirm-interval', '1'],
        env: { JIFEN_CLOCK_OFFSET: offsetTo(`${year + 1}-01-25`) },
      });
      await relogin(ad, 'admin');
      await relogin(cl, 'clerk');
      await relogin(vi, { passbook: '1001' });
      await admin.waitNoticeConfirmed(ad, srv, { noticeId });
      assert.equal(rows(srv, `SELECT count(*) AS n FROM notices WHERE status = 'open'`)[0].n, 0,
        'every month of the year is confirmed');
      const after = await villager.seePassbook(vi, srv);
      assert.equal(after.pending, 0, 'nothing is pending once the months are confirmed');
      await admin.openRedemptionWindow(ad, srv, { from: `${year + 1}-01-20`, to: `${year + 1}-01-31`, villageId: VID });
      const sale = await clerk.redeem(cl, srv, { passbook: '1001', goods: [{ name: '香皂', qty: 1 }, { name: '毛巾', qty: 1 }] });
      assert.equal(sale.total, 15);
      assert.equal(sale.balanceAfter, after.confirmed - 15);
      await screenshot(cl, 'story-clerk-receipt');
      const closed = await admin.closeYear(ad, srv, { year, villageId: VID });
      assert.ok(closed.households >= 222, `households in the close: ${closed.households}`);
      await screenshot(ad, 'story-admin-year-closed');

      // ---- anyone can see the year's ranking and honours ----------------------
      const visitor = await open(null);
      const ranking = await pub.seePublicRanking(visitor, srv, VID, 'year');
      assert.ok(ranking.length > 0, 'the ranking shows households');
      const honours = await pub.seeHonours(visitor, srv, VID, year);
      assert.ok(honours.length > 0, `honours of ${year} shown`);
      await screenshot(visitor, 'story-public-honours');
      for (const p of pages) p.assertClean();
    } finally {
      for (const p of pages) await p.context().close();
      await srv.stop();
    }
  });
}
