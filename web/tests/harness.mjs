// Browser test harness: a real `jifen serve` on a free loopback port with its own
// database (the demo village), and Debian's Chromium driven by playwright-core at
// a phone viewport (360×780). Every page fails its test on a console error, an
// uncaught exception or a failed request, unless the test said it expects that
// error (expectError). Screenshots go to $JIFEN_SCREENS (default build-test/screens).
//
// Env: JIFEN_BIN (the jifen binary; default build-test/jifen, else build/jifen),
//      JIFEN_SRC (the repository; default ../..), CHROMIUM (default /usr/bin/chromium),
//      JIFEN_SCREENS (screenshot dir), JIFEN_WEB_DIST (the built app; default web/dist).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const SRC = process.env.JIFEN_SRC || resolve(here, '../..');
export const BIN = process.env.JIFEN_BIN
  || [join(SRC, 'build-test/jifen'), join(SRC, 'build/jifen')].find((p) => existsSync(p));
export const SCREENS = process.env.JIFEN_SCREENS || join(SRC, 'build-test/screens');
export const PASSWORD = 'Gaojiangou-2024';
export const PIN = '270518';

// Messages of the web app, to assert what the user sees in either language.
const msgs = {};
for (const lang of ['zh', 'en']) {
  msgs[lang] = {};
  const dir = join(SRC, 'web/src/locales', lang);
  for (const f of execFileSync('ls', [dir]).toString().split('\n').filter((x) => x.endsWith('.json'))) {
    const mod = f.replace(/\.json$/, '');
    for (const [k, v] of Object.entries(JSON.parse(readFileSync(join(dir, f), 'utf8')))) msgs[lang][`${mod}.${k}`] = v;
  }
}
export function msg(lang, key, params) {
  let s = msgs[lang][key];
  if (s === undefined) throw new Error(`no message ${key} in ${lang}`);
  if (params) s = s.replace(/\{(\w+)\}/g, (_, k) => String(params[k]));
  return s;
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)); });
    s.on('error', fail);
  });
}

function checkSanitizers(text, what) {
  for (const m of ['ERROR: AddressSanitizer', 'ERROR: LeakSanitizer', 'runtime error:', 'SUMMARY: UndefinedBehaviorSanitizer'])
    if (text.includes(m)) throw new Error(`sanitizer report in ${what}:\n${text.slice(-4000)}`);
}

export function jifen(args, opts = {}) {
  return execFileSync(BIN, args, { cwd: SRC, env: { ...process.env, ...(opts.env || {}) }, encoding: 'utf8' });
}

// Starts `jifen serve` on a fresh demo database. args: extra serve flags.
// env: extra environment for `jifen serve` (e.g. { JIFEN_CLOCK_OFFSET: '3000000' }); the demo
// itself is always made on today's clock. srv.restart({ args, env }) stops the server and
// starts it again on the same database with new flags (sessions survive).
export async function startServer({ demo = true, args = [], env = {} } = {}) {
  if (!BIN) throw new Error('no jifen binary: build first or set JIFEN_BIN');
  const WEB = process.env.JIFEN_WEB_DIST || join(SRC, 'web/dist');
  if (!existsSync(join(WEB, 'index.html'))) throw new Error(`${WEB} is missing: run scripts/web.sh`);
  const dir = mkdtempSync(join(tmpdir(), 'jifen-web-'));
  const db = join(dir, 'jifen.db');
  jifen([demo ? 'demo' : 'init', '--db', db]);
  const port = await freePort();
  const logPath = join(dir, 'serve.log');
  const { openSync } = await import('node:fs');
  const out = openSync(logPath, 'a');
  const url = `http://127.0.0.1:${port}`;
  async function launch(a, e) {
    const proc = spawn(BIN, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--web', WEB, ...a],
      { cwd: SRC, stdio: ['ignore', out, out], env: { ...process.env, ...e } });
    const deadline = Date.now() + 30000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`jifen serve exited:\n${readFileSync(logPath, 'utf8')}`);
      try {
        const r = await fetch(`${url}/api/v1/health`);
        if (r.ok) break;
      } catch { /* not yet */ }
      if (Date.now() > deadline) throw new Error('jifen serve did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    return proc;
  }
  const proc = await launch(args, env);
  const srv = {
    url, db, dir, port, proc, logPath,
    async restart({ args: a = args, env: e = env } = {}) {
      await srv.halt();
      srv.proc = await launch(a, e);
      srv._tokens = {}; // a moved clock may have ended the sessions
    },
    async halt() {
      const p = srv.proc;
      if (p.exitCode === null) {
        p.kill('SIGTERM');
        await new Promise((r) => { const t = setTimeout(() => { p.kill('SIGKILL'); r(); }, 15000); p.on('exit', () => { clearTimeout(t); r(); }); });
      }
    },
    log: () => readFileSync(logPath, 'utf8'),
    // The API as a cadre (for setup and for checking what the UI did).
    async api(method, path, { user = 'admin', body, token } = {}) {
      const tok = token || (await srv.token(user));
      const r = await fetch(`${url}/api/v1/${path}`, {
        method, headers: { Authorization: `Bearer ${tok}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      return { status: r.status, json: text ? JSON.parse(text) : null };
    },
    _tokens: {},
    async token(user) {
      if (srv._tokens[user]) return srv._tokens[user];
      const body = typeof user === 'object' ? user : { username: user, password: PASSWORD };
      const r = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      const j = await r.json();
      if (!r.ok) throw new Error(`login ${JSON.stringify(body)}: ${JSON.stringify(j)}`);
      srv._tokens[typeof user === 'object' ? JSON.stringify(user) : user] = j.token;
      return j.token;
    },
    sql(query) {
      return execFileSync('sqlite3', ['-json', db, query], { encoding: 'utf8' }).trim();
    },
    async stop() {
      await srv.halt();
      checkSanitizers(readFileSync(logPath, 'utf8'), 'jifen serve log');
      if (!process.env.JIFEN_KEEP) rmSync(dir, { recursive: true, force: true });
    },
  };
  return srv;
}

const CHROME_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];

// extraArgs e.g. ['--use-file-for-fake-video-capture=/path/qr.y4m'] for the camera.
export async function startBrowser(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [...CHROME_FLAGS, ...extraArgs],
  });
}

// A new phone-sized page with the guard. lang: 'zh' | 'en' (set before load).
export async function newPage(browser, srv, { lang = 'zh', width = 360, height = 780, fontSize } = {}) {
  const ctx = await browser.newContext({
    viewport: { width, height }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    locale: lang === 'en' ? 'en-US' : 'zh-CN', baseURL: srv.url,
    permissions: ['camera'],
  });
  await ctx.addInitScript(([l, f]) => {
    if (!localStorage.getItem('jifen.lang')) localStorage.setItem('jifen.lang', l);
    if (f && !localStorage.getItem('jifen.font')) localStorage.setItem('jifen.font', f);
  }, [lang, fontSize || '']);
  const page = await ctx.newPage();
  const problems = [];
  let allowed = [];
  const isAllowed = (text) => allowed.some((re) => re.test(text));
  page.on('console', (m) => {
    if (m.type() === 'error' && !isAllowed(m.text())) problems.push(`console error: ${m.text().slice(0, 300)}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    const f = r.failure();
    // a navigation away cancels image/fetch loads: not a failure the user sees
    if (f && /ERR_ABORTED/.test(f.errorText)) return;
    if (!isAllowed(r.url())) problems.push(`request failed: ${r.method()} ${r.url()} ${f && f.errorText}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !isAllowed(`${r.status()} ${r.url()}`))
      problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  page.lang = lang;
  page.t = (key, params) => msg(lang, key, params);
  // Declares errors the next steps expect (e.g. /422/ for a refused redemption); returns a function ending it.
  page.expectError = (...res) => { allowed = allowed.concat(res); return () => { allowed = allowed.filter((r) => !res.includes(r)); }; };
  page.problems = problems;
  page.assertClean = () => {
    if (problems.length) throw new Error(`browser problems:\n${problems.join('\n')}`);
  };
  return page;
}

// Saves a screenshot as <SCREENS>/<lang>/<name>.png (full page).
export async function screenshot(page, name) {
  const dir = join(SCREENS, page.lang);
  mkdirSync(dir, { recursive: true });
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

// Logs in through the UI. who: 'admin' | 'scorer' | ... or { passbook, pin, village }.
export async function loginUI(page, who) {
  await page.goto('/login');
  if (typeof who === 'string') {
    await page.locator('[data-t=login-cadre] input[name=user]').fill(who);
    await page.locator('[data-t=login-cadre] input[name=password]').fill(PASSWORD);
    await page.locator('[data-t=login-cadre] [data-t=login-submit]').click();
  } else {
    await page.getByRole('tab', { name: page.t('common.login_villager') }).click();
    const f = page.locator('[data-t=login-villager]');
    await f.locator('input[name=village]').fill(String(who.village || 1));
    await f.locator('input[name=passbook]').fill(who.passbook);
    await f.locator('input[name=pin]').fill(who.pin || PIN);
    await f.locator('[data-t=login-submit]').click();
  }
  await page.locator('[data-t=whoami]').waitFor();
}

export async function logoutUI(page) {
  await page.goto('/settings');
  await page.locator('[data-t=logout]').click();
  await page.locator('[data-t=goto-login]').waitFor();
}
