// Story steps of a villager, on a page where the villager is logged in (loginUI
// with { passbook, pin }). Each step does what the villager would do on the
// phone, asserts what the screen shows against the API or the database, and
// returns what it saw. Language-independent: data-t hooks and page.t().
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURE_PHOTO = join(here, '../fixtures/villager-deed.jpg');
export const FIXTURE_PHOTO2 = join(here, '../fixtures/villager-deed2.jpg');

// The logged-in user as the server sees the page's session.
export async function whoAmI(page) {
  return page.evaluate(async () => (await (await fetch('/api/v1/session')).json()).user);
}

// Opens "my passbook" and checks the balances and the first entries against
// GET /households/{id}/passbook (read as the village admin). Args: page, srv.
// Returns { total, confirmed, pending, entries: [{ id, title, points }] } as shown.
export async function seePassbook(page, srv) {
  const me = await whoAmI(page);
  await page.goto('/me/passbook');
  await page.locator('[data-t=balance]').waitFor();
  const api = (await srv.api('GET', `households/${me.household_id}/passbook?per_page=20`)).json;
  const num = async (k) => Number((await page.locator(`[data-t=balance-${k}]`).innerText()).trim());
  const shown = { total: await num('total'), confirmed: await num('confirmed'), pending: await num('pending') };
  assert.deepEqual(shown, api.balance);
  const rank = (await srv.api('GET', `households/${me.household_id}/rank`)).json;
  assert.equal((await page.locator('[data-t=my-rank]').innerText()).trim(), rank.rank
    ? page.t('villager.my_rank', { period: rank.period, earned: rank.earned, rank: rank.rank, n: rank.households, group: rank.group_rank })
    : page.t('villager.my_rank_none', { period: rank.period }));
  const rows = page.locator('[data-t=pb-entry]');
  if (api.items.length) await rows.first().waitFor();
  assert.equal(await rows.count(), api.items.length);
  const entries = [];
  for (let i = 0; i < Math.min(5, api.items.length); i++) {
    const e = api.items[i];
    const r = rows.nth(i);
    assert.equal(Number(await r.getAttribute('data-id')), e.id);
    const pts = (await r.locator('[data-t=pb-points]').innerText()).trim();
    assert.equal(pts, e.points > 0 ? `+${e.points}` : String(e.points));
    const title = (await r.locator('[data-t=pb-title]').innerText()).trim();
    if (e.rule_name) assert.ok(title.startsWith(e.rule_name), `${title} names ${e.rule_name}`);
    if (e.note) assert.equal((await r.locator('[data-t=pb-note]').innerText()).trim(), e.note);
    await r.getByText(page.t('villager.recorded_by', { name: e.recorded_by_name }), { exact: false }).first().waitFor();
    entries.push({ id: e.id, title, points: e.points });
  }
  return { ...shown, entries };
}

// Applies for points with one photo: opens the form, picks the rule (by name),
// sets the date (YYYY-MM-DD), writes the description, takes the photo (a path
// to a JPEG) and submits. Checks the claim appears as pending in "my
// applications" and in the database with the photo. Args: page, srv,
// { rule, date, text, photo, beforeSubmit } (beforeSubmit: an optional async
// function run on the filled form, e.g. a screenshot). Returns the claim's id.
export async function claimWithPhoto(page, srv, { rule, date, text, photo = FIXTURE_PHOTO, beforeSubmit }) {
  await page.goto('/me/claim');
  await page.locator('[data-t=claim-rule]').click();
  await page.locator(`.van-popup [data-name="${rule}"]`).click();
  await page.locator('[data-t=claim-rule] input').waitFor();
  assert.equal(await page.locator('[data-t=claim-rule] input').inputValue(), rule);
  await page.locator('[data-t=claim-date] input').fill(date);
  await page.locator('[data-t=claim-text] textarea').fill(text);
  const before = page.locator('[data-t=claim-photos] .van-uploader__preview img');
  const n0 = await before.count();
  await page.locator('[data-t=claim-photos] input[type=file]').setInputFiles(photo);
  await page.locator('[data-t=claim-photos] .van-uploader__preview img[src*="/photos/"]').nth(n0).waitFor();
  if (beforeSubmit) await beforeSubmit();
  await page.locator('[data-t=claim-submit]').click();
  await page.waitForURL('**/me/claims');
  const card = page.locator('[data-t=claim]').filter({ hasText: text }).first();
  await card.waitFor();
  assert.equal((await card.locator('[data-t=claim-status]').innerText()).trim(), page.t('villager.status_pending'));
  assert.equal((await card.locator('[data-t=claim-rule]').innerText()).trim().startsWith(rule), true);
  await card.locator('[data-t=claim-photo]').first().waitFor();
  const id = Number(await card.getAttribute('data-id'));
  const row = JSON.parse(srv.sql(`SELECT c.status, c.description, c.deed_date, r.name AS rule FROM claims c JOIN rules r ON r.id = c.rule_id WHERE c.id = ${id}`))[0];
  assert.deepEqual({ ...row }, { status: 'pending', description: text, deed_date: row.deed_date, rule });
  const claim = (await srv.api('GET', `claims/${id}`)).json;
  assert.equal(claim.deed_date, date);
  assert.equal(claim.photos.length, n0 + 1);
  return id;
}

// Reads "my applications": [{ id, rule, status, outcome }] as shown, newest first.
export async function seeClaims(page) {
  await page.goto('/me/claims');
  await page.locator('[data-t=claim], [data-t=claims-none]').first().waitFor();
  const out = [];
  const cards = page.locator('[data-t=claim]');
  for (let i = 0; i < await cards.count(); i++) {
    const c = cards.nth(i);
    const outcome = c.locator('[data-t=claim-outcome]');
    out.push({
      id: Number(await c.getAttribute('data-id')),
      rule: (await c.locator('[data-t=claim-rule]').innerText()).trim(),
      status: await c.getAttribute('data-status'),
      outcome: (await outcome.count()) ? (await outcome.innerText()).trim() : '',
    });
  }
  return out;
}

// Objects to an entry of the open notice: on the notice (from 'notice', the
// household's own entries, or any entry shown) or from the passbook (from
// 'passbook'). The entry by entryId, or by entryText (a rule name or note shown
// on it). Args: page, srv, { entryId | entryText, reason, from = 'notice' }.
// Checks the objection is open in the database and on screen. Returns its id.
export async function objectToEntry(page, srv, { entryId, entryText, reason, from = 'notice' }) {
  const me = await whoAmI(page);
  let row;
  if (from === 'passbook') {
    await page.goto('/me/passbook');
    await page.locator('[data-t=balance]').waitFor();
    const rows = page.locator('[data-t=pb-entry]');
    row = entryId ? page.locator(`[data-t=pb-entry][data-id="${entryId}"]`)
      : rows.filter({ hasText: entryText }).filter({ has: page.locator('[data-t=object]') }).first();
  } else {
    await page.goto(`/v/${me.village_id}/notice`);
    await page.locator('[data-t=notice-head]').waitFor();
    if (entryId) {
      const own = page.locator(`[data-t=mine-entry-${entryId}]`);
      row = (await own.count()) ? own : page.locator(`[data-t=entry-${entryId}]`);
    } else {
      row = page.locator('[data-t=notice-mine] .jf-entry').filter({ hasText: entryText })
        .filter({ has: page.locator('[data-t=object]') }).first();
    }
  }
  await row.waitFor();
  if (!entryId) {
    const attr = await row.getAttribute('data-id') || await row.getAttribute('data-t');
    entryId = Number(String(attr).replace(/\D+/g, ''));
  }
  await row.locator('[data-t=object]').click();
  const form = page.locator('[data-t=objection-form]');
  await form.waitFor();
  await form.locator('[data-t=objection-reason] textarea').fill(reason);
  await form.locator('[data-t=objection-submit]').click();
  await form.waitFor({ state: 'detached' });
  const db = JSON.parse(srv.sql(`SELECT id, status, reason FROM objections WHERE entry_id = ${entryId} AND created_by = ${me.id} ORDER BY id DESC LIMIT 1`))[0];
  assert.equal(db.status, 'open');
  assert.equal(db.reason, reason);
  if (from === 'passbook') {
    await page.locator(`[data-t=pb-entry][data-id="${entryId}"] [data-t=objected]`).waitFor();
  } else {
    const own = page.locator(`[data-t=mine-entry-${entryId}] [data-t=objection-${db.id}]`);
    if (await page.locator(`[data-t=mine-entry-${entryId}]`).count())
      await own.getByText(page.t('villager.objection_open')).waitFor();
  }
  return db.id;
}

// Reads "my objections": [{ entryId, status, text }] as shown.
export async function seeObjections(page) {
  await page.goto('/me/objections');
  await page.locator('[data-t=my-objection], [data-t=objections-none]').first().waitFor();
  const out = [];
  const rows = page.locator('[data-t=my-objection]');
  for (let i = 0; i < await rows.count(); i++) {
    const r = rows.nth(i);
    out.push({
      entryId: Number(await r.getAttribute('data-entry')),
      status: await r.locator('[data-status]').getAttribute('data-status'),
      text: (await r.innerText()).trim(),
    });
  }
  return out;
}

// Shows the household's shop code and decodes the QR drawn on screen (with
// jsqr, as the clerk's scanner does). Checks it carries GET /households/{id}/qr's
// payload. Args: page, srv. Returns the payload.
export async function showShopCode(page, srv) {
  const me = await whoAmI(page);
  await page.goto('/me/qr');
  const svg = page.locator('[data-t=qr-code]');
  await svg.waitFor();
  const api = (await srv.api('GET', `households/${me.household_id}/qr`)).json;
  await page.locator('[data-t=qr-name]').getByText(api.head_name).waitFor();
  const { w, h, b64 } = await page.evaluate(async () => {
    const el = document.querySelector('[data-t=qr-code]');
    const xml = new XMLSerializer().serializeToString(el);
    const img = new Image();
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(xml)}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = 330; c.height = 330;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0, 330, 330);
    const d = g.getImageData(0, 0, 330, 330).data;
    let s = '';
    for (let i = 0; i < d.length; i += 8192) s += String.fromCharCode(...d.subarray(i, i + 8192));
    return { w: 330, h: 330, b64: btoa(s) };
  });
  const require = createRequire(join(here, '../../package.json'));
  const jsQR = require('jsqr');
  const px = new Uint8ClampedArray(Buffer.from(b64, 'base64'));
  const code = jsQR(px, w, h);
  assert.ok(code, 'the QR on screen decodes');
  assert.equal(code.data, api.payload);
  return code.data;
}

// Reads "my redemptions": [{ id, status, points }] as shown; with open: true,
// expands the first one and returns its goods lines too.
export async function seeRedemptions(page, { open = false } = {}) {
  await page.goto('/me/redemptions');
  await page.locator('[data-t=redemption], [data-t=redemptions-none]').first().waitFor();
  const rows = page.locator('[data-t=redemption]');
  const out = [];
  for (let i = 0; i < await rows.count(); i++) {
    const r = rows.nth(i);
    out.push({
      id: Number(await r.getAttribute('data-id')),
      status: (await r.locator('[data-t=redemption-status]').innerText()).trim(),
      points: (await r.locator('[data-t=redemption-points]').innerText()).trim(),
    });
  }
  if (open && out.length) {
    await rows.first().locator('.van-collapse-item__title').click();
    await rows.first().locator('[data-t=redemption-line]').first().waitFor();
    const lines = rows.first().locator('[data-t=redemption-line]');
    out[0].lines = [];
    for (let i = 0; i < await lines.count(); i++) out[0].lines.push((await lines.nth(i).innerText()).replace(/\s+/g, ' ').trim());
  }
  return out;
}

export const readFixture = (p) => readFileSync(p);
