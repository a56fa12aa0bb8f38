// Story steps of the area admin (township or county), on a page where one is
// logged in; independent of the page's language.
import assert from 'node:assert/strict';

// Opens the comparison of the villages of the admin's area for the current
// year, checks every village's figures on screen against the API and returns
// the rows shown: [{ villageId, name, points, perHousehold, rate }].
// areaId: the admin's area (the harness's township is 2).
export async function compareVillages(page, srv, { areaId = 2, user = 'township' } = {}) {
  await page.goto('/area');
  await page.locator('[data-t=compare-table]').waitFor();
  await page.locator('[data-t=chart] canvas').first().waitFor();
  const year = await page.locator('[data-t^=period-].van-button--primary').innerText();
  const api = await srv.api('GET', `areas/${areaId}/compare?period=${year.trim()}`, { user });
  assert.equal(api.status, 200);
  const rows = [];
  for (const v of api.json.items) {
    const row = page.locator(`[data-t=village-${v.village_id}]`);
    const points = (await row.locator('[data-t=cmp-points]').innerText()).trim();
    assert.equal(points, String(v.points_earned));
    const per = (await row.locator('[data-t=cmp-per]').innerText()).trim();
    assert.equal(per, v.points_per_household == null ? '—' : String(v.points_per_household));
    assert.ok((await row.innerText()).includes(v.village_name));
    rows.push({ villageId: v.village_id, name: v.village_name, points: v.points_earned, perHousehold: v.points_per_household,
      rate: (await row.locator('[data-t=cmp-rate]').innerText()).trim() });
  }
  return rows;
}
