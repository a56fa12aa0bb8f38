// Story steps of the scoring group (评分小组), through the UI. Each takes a page
// already logged in as a scorer (or the village admin), does one thing a user
// does and asserts what the screen shows against the database. Independent of
// the page's language (data-t attributes and page.t()).
import assert from 'node:assert/strict';

export function rows(srv, q) {
  const s = srv.sql(q);
  return s ? JSON.parse(s) : [];
}
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const num = (text) => Number(String(text).replace(/[^\d-]/g, ''));

async function setStepper(page, sel, value) {
  const input = page.locator(`${sel} input`);
  await input.fill(String(value));
  await input.blur();
}

// Picks the household with this passbook number in a household picker.
export async function pickHousehold(page, passbook) {
  await page.locator('[data-t=household-search] input').fill(passbook);
  const row = page.locator(`[data-t="hh-${passbook}"]`);
  await row.waitFor();
  await row.click();
}

// Picks the rule named `rule` in the rule picker (changing a rule already chosen).
export async function pickRule(page, rule) {
  const change = page.locator('[data-t=rule-change]');
  if (await change.isVisible()) await change.click();
  await page.locator(`[data-t="rule-${rule}"]`).click();
  await page.locator('[data-t=rule-chosen]').getByText(rule, { exact: true }).waitFor();
}

// recordPoints(page, srv, { household, rule, member?, points?, quantity? })
//   household: passbook number ('1001'); rule: rule name ('孝敬老人'); member: a member's
//   name (else the whole household); points: per unit, for a rule with a range;
//   quantity: units (default 1).
// Records with 记分 and checks the confirmation on screen against the new ledger entry.
// Returns { points, entryId }.
export async function recordPoints(page, srv, { household, rule, member, points, quantity }) {
  await page.goto('/scorer/record');
  await page.locator('[data-t=household-search], [data-t=household-change]').first().waitFor();
  if (await page.locator('[data-t=household-change]').isVisible()) await page.locator('[data-t=household-change]').click();
  await pickHousehold(page, household);
  await page.locator('[data-t=record-household]').waitFor();
  if (member) await page.locator(`[data-t="member-${member}"]`).click();
  else await page.locator('[data-t=member-none]').click();
  await pickRule(page, rule);
  if (points != null) await setStepper(page, '[data-t=record-points]', points);
  if (quantity != null) await setStepper(page, '[data-t=record-quantity]', quantity);
  const before = rows(srv, 'SELECT coalesce(max(id),0) AS m FROM entries')[0].m;
  await page.locator('[data-t=record-submit]').click();
  const done = page.locator('[data-t=record-done]');
  await done.waitFor();
  const e = rows(srv, `SELECT e.id, e.points, h.head_name, m.name AS member FROM entries e JOIN households h ON h.id = e.household_id
    LEFT JOIN members m ON m.id = e.member_id WHERE e.id > ${before} AND h.passbook_no = ${q(household)} AND h.village_id = 1`);
  assert.equal(e.length, 1, 'one entry recorded');
  const shown = num(await page.locator('[data-t=record-done-points]').innerText());
  assert.equal(shown, e[0].points, 'the screen shows the recorded points');
  assert.ok((await done.innerText()).includes(e[0].head_name));
  assert.ok((await done.innerText()).includes(rule));
  if (member) assert.equal(e[0].member, member);
  return { points: e[0].points, entryId: e[0].id };
}

// batchRecord(page, srv, { rule, group?, households?, quantity? })
//   rule: rule name; group: villager group id (all its active households) or
//   households: passbook numbers. Records with 批量记分 and checks the summary
//   (how many got points, the refusals) against the ledger.
// Refusals are 422 answers: the caller declares them (page.expectError(/422/)).
// Returns { count, total, refused: [passbook numbers] }.
export async function batchRecord(page, srv, { rule, group, households, quantity }) {
  await page.goto('/scorer/batch');
  await page.locator('[data-t=rule-picker]').waitFor();
  await pickRule(page, rule);
  if (group) {
    await page.locator(`[data-t="batch-group-${group}"]`).click();
  } else {
    await page.getByRole('tab', { name: page.t('scorer.by_list') }).click();
    for (const hh of households) {
      await pickHousehold(page, hh);
      await page.locator('[data-t=batch-list]').getByText(hh).waitFor();
    }
  }
  if (quantity != null) await setStepper(page, '[data-t=batch-quantity]', quantity);
  const before = rows(srv, 'SELECT coalesce(max(id),0) AS m FROM entries')[0].m;
  await page.locator('[data-t=batch-submit]').click();
  const res = page.locator('[data-t=batch-result]');
  await res.waitFor();
  const got = rows(srv, `SELECT count(*) AS n, coalesce(sum(points),0) AS s FROM entries WHERE id > ${before}`)[0];
  assert.equal(num(await res.locator('[data-t=batch-total]').innerText()), got.s, 'total shown = total recorded');
  assert.ok((await res.innerText()).includes(page.t('scorer.batch_done', { n: got.n, rule })), 'count shown');
  const refused = [];
  for (const li of await res.locator('[data-t^="refused-"]').all()) refused.push((await li.getAttribute('data-t')).slice(8));
  return { count: got.n, total: got.s, refused };
}

// runActivity(page, srv, { title, rule, households })
//   title: the activity's name (≤ 32 characters); rule: an award rule's name;
//   households: passbook numbers to sign up (all marked as come).
// Announces the activity dated today, signs the households up, marks them all as
// come and awards everyone in one action; checks the award against the ledger.
// Returns { activityId, count, total }.
export async function runActivity(page, srv, { title, rule, households }) {
  await page.goto('/scorer/activities');
  await page.locator('[data-t=activity-new]').click();
  await page.locator('[data-t=activity-name] input').fill(title);
  await pickRule(page, rule);
  await page.locator('[data-t=activity-create]').click();
  await page.waitForURL(/\/scorer\/activities\/\d+$/);
  const activityId = Number(page.url().match(/(\d+)$/)[1]);
  await page.locator('[data-t=activity-title]').getByText(title).waitFor();
  await page.locator('[data-t=signup-add]').click();
  for (const hh of households) {
    await pickHousehold(page, hh);
    await page.locator(`[data-t="signup-${hh}"]`).waitFor();
  }
  await page.locator('[data-t=activity-counts]').getByText(page.t('scorer.signups_n', { n: households.length, m: 0 })).waitFor();
  await page.locator('[data-t=all-came]').click();
  await page.locator('[data-t=award]').getByText(page.t('scorer.award_all', { n: households.length })).waitFor();
  await page.locator('[data-t=award]').click();
  await page.locator('.van-dialog__confirm').click();
  await page.locator('[data-t=award-done]').waitFor();
  await page.locator('.van-toast--loading').waitFor({ state: 'hidden', timeout: 5000 });
  const got = rows(srv, `SELECT count(*) AS n, sum(points) AS s FROM entries WHERE activity_id = ${activityId}`)[0];
  assert.equal(got.n, households.length, 'one entry per household that came');
  assert.equal(num(await page.locator('[data-t=award-total]').innerText()), got.s);
  await page.locator('[data-t=activity-status]').getByText(page.t('scorer.activity_awarded')).waitFor();
  await page.locator('[data-t=activity-counts]').getByText(page.t('scorer.signups_n', { n: households.length, m: households.length })).waitFor();
  return { activityId, count: got.n, total: got.s };
}

// The open claim of household `household` (passbook number) for rule `rule` (name).
export function findClaim(srv, household, rule) {
  const c = rows(srv, `SELECT c.id, c.status FROM claims c JOIN households h ON h.id = c.household_id JOIN rules r ON r.id = c.rule_id
    WHERE h.passbook_no = ${q(household)} AND r.name = ${q(rule)} AND c.status IN ('pending','second_review') ORDER BY c.id LIMIT 1`);
  assert.equal(c.length, 1, `an open claim of ${household} for ${rule}`);
  return c[0];
}

// approveClaim(page, srv, { household, rule, points? })
//   household: passbook number; rule: rule name; points: per unit, for a rule with a range.
// Approves the household's open claim for the rule in the review queue. Above the
// village's threshold the first approval moves it to 待复核 (second_review), which
// the card then shows; otherwise the claim leaves the queue and its entry is posted.
// Returns { claimId, status, points } (points: the entry's, when approved).
export async function approveClaim(page, srv, { household, rule, points }) {
  const claim = findClaim(srv, household, rule);
  await page.goto('/scorer/claims');
  const card = page.locator(`[data-t="claim-${claim.id}"]`);
  await card.waitFor();
  if (points != null) await setStepper(page, `[data-t="claim-${claim.id}"] [data-t=claim-points]`, points);
  await card.locator('[data-t=claim-approve]').click();
  await page.locator('.van-toast--success').waitFor();
  const after = rows(srv, `SELECT c.status, e.points FROM claims c LEFT JOIN entries e ON e.id = c.entry_id WHERE c.id = ${claim.id}`)[0];
  if (after.status === 'second_review') {
    await card.locator('[data-t=claim-status]').getByText(page.t('scorer.claim_second_review')).waitFor();
    await card.locator('[data-t=claim-second]').waitFor();
  } else {
    assert.equal(after.status, 'approved');
    await card.waitFor({ state: 'detached' });
  }
  return { claimId: claim.id, status: after.status, points: after.points };
}

// rejectClaim(page, srv, { household, rule, reason })
// Rejects the household's open claim for the rule with the reason; checks it is stored.
export async function rejectClaim(page, srv, { household, rule, reason }) {
  const claim = findClaim(srv, household, rule);
  await page.goto('/scorer/claims');
  const card = page.locator(`[data-t="claim-${claim.id}"]`);
  await card.locator('[data-t=claim-reject]').click();
  await page.locator('[data-t=reject-reason] textarea').fill(reason);
  await page.locator('.van-dialog__confirm').click();
  await card.waitFor({ state: 'detached' });
  const after = rows(srv, `SELECT status, reject_reason FROM claims WHERE id = ${claim.id}`)[0];
  assert.deepEqual(after, { status: 'rejected', reject_reason: reason });
  return { claimId: claim.id };
}

// inspect(page, srv, { group, scores })
//   group: villager group id; scores: [{ household: passbook, rules: [rule names] }] in
//   the order of the round. Opens a round for today, scores those households
//   (walking with next/previous), and checks each score on screen against the ledger.
// Returns { inspectionId }.
export async function inspect(page, srv, { group, scores }) {
  await page.goto('/scorer/inspections');
  await page.locator(`[data-t="insp-group-${group}"]`).click();
  await page.locator('[data-t=insp-open]').click();
  await page.waitForURL(/\/scorer\/inspections\/\d+$/);
  const inspectionId = Number(page.url().match(/(\d+)$/)[1]);
  const order = rows(srv, `SELECT passbook_no FROM households WHERE group_id = ${group} AND status = 'active' ORDER BY passbook_no`)
    .map((r) => r.passbook_no);
  for (const s of scores) {
    // walk to the household with next / previous
    for (;;) {
      const pos = await page.locator('[data-t=insp-household]').innerText();
      if (pos.includes(s.household)) break;
      const here = order.findIndex((no) => pos.includes(no));
      await page.locator(here < order.indexOf(s.household) ? '[data-t=insp-next]' : '[data-t=insp-prev]').click();
    }
    for (const r of s.rules) await page.locator(`[data-t="check-${r}"]`).click();
    await page.locator('[data-t=insp-save]').click();
    await page.locator('[data-t=insp-progress]').getByText(
      page.t('scorer.scored_n', { n: scores.indexOf(s) + 1, m: order.length })).waitFor();
    const sum = rows(srv, `SELECT sum(e.points) AS s FROM entries e JOIN households h ON h.id = e.household_id
      WHERE e.inspection_id = ${inspectionId} AND h.passbook_no = ${q(s.household)}`)[0].s;
    s.score = sum;
  }
  return { inspectionId };
}
