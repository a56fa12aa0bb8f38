// The app shell: login both ways, language and font size, the size budget.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startBrowser, newPage, loginUI, logoutUI, screenshot } from './harness.mjs';

let srv, browser;
before(async () => { srv = await startServer(); browser = await startBrowser(); });
after(async () => { await browser?.close(); await srv?.stop(); });

for (const lang of ['zh', 'en']) {
  test(`cadre and villager log in and out (${lang})`, async () => {
    const page = await newPage(browser, srv, { lang });
    await page.goto('/');
    await screenshot(page, 'home-visitor');
    await loginUI(page, 'admin');
    await assert.doesNotReject(page.getByText('高建民').waitFor());
    await assert.doesNotReject(page.getByText(page.t('role.village_admin')).first().waitFor());
    await screenshot(page, 'home-admin');
    await logoutUI(page);
    await loginUI(page, { passbook: '1001' });
    await page.getByText('王福顺').waitFor();
    await screenshot(page, 'home-villager');
    page.assertClean();
    await page.context().close();
  });
}

test('a wrong password shows the server message, nothing else', async () => {
  const page = await newPage(browser, srv, { lang: 'zh' });
  const end = page.expectError(/401/, /status of 401/);
  await page.goto('/login');
  await page.locator('[data-t=login-cadre] input[name=user]').fill('admin');
  await page.locator('[data-t=login-cadre] input[name=password]').fill('wrong-password');
  await page.locator('[data-t=login-cadre] [data-t=login-submit]').click();
  await page.locator('.van-toast').getByText(/密码/).waitFor();
  end();
  await screenshot(page, 'login-error');
  page.assertClean();
  await page.context().close();
});

test('language switch and large font', async () => {
  const page = await newPage(browser, srv, { lang: 'zh' });
  await page.goto('/settings');
  await page.locator('[data-t=lang-en]').click();
  await page.getByText('Font size').waitFor();
  await page.locator('[data-t=font-xlarge]').click();
  const size = await page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
  assert.equal(size, '22.4px');
  await screenshot({ ...page, lang: 'en', screenshot: page.screenshot.bind(page), waitForLoadState: page.waitForLoadState.bind(page) }, 'settings-xlarge');
  await page.locator('[data-t=lang-zh]').click();
  await page.getByText('字体大小').waitFor();
  await page.reload();
  await page.getByText('字体大小').waitFor();
  assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).fontSize), '22.4px');
  page.assertClean();
  await page.context().close();
});

test('the app loads with under 300 KB of compressed JavaScript', async () => {
  const page = await newPage(browser, srv, { lang: 'zh' });
  let js = 0;
  const sizes = [];
  page.on('response', async (r) => {
    if (r.url().endsWith('.js')) {
      const h = await r.allHeaders();
      const n = Number(h['content-length'] || (await r.body()).length);
      assert.equal(h['content-encoding'], 'gzip', `${r.url()} sent gzip`);
      js += n;
      sizes.push(n);
    }
  });
  await loginUI(page, 'admin');
  await page.waitForLoadState('networkidle');
  assert.ok(js > 10000, `counted JS ${js}`);
  assert.ok(js < 300 * 1024, `compressed JS at start: ${js} bytes`);
  console.log(`compressed JS loaded to the admin's home: ${js} bytes in ${sizes.length} files`);
  page.assertClean();
  await page.context().close();
});
