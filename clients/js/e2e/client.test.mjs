// Browser end-to-end test of nanoauth/react against the real demo server.
//
// The page (e2e/app, built by `npm run e2e:build`) is served by e2e/server.mjs
// on 127.0.0.1:$APP_PORT, which also proxies /api/auth/* to the demo at
// $DEMO_URL: one origin, so the HttpOnly cookie is first-party. The demo must
// have been started with `--base-url http://localhost:$APP_PORT` so that it
// trusts the page's Origin. `bash run-tests.sh` does all of that.
//
// Debian's Chromium (/usr/bin/chromium) through playwright-core, headless.
// The steps share one browser context (one cookie jar, two tabs) and run in
// order; once one fails, the later ones are skipped. Screenshots go to
// $OUTPUT_DIR (default e2e/output): page.png at the end, failure-<tab>.png on
// a failure.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { startServer } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const DEMO_URL = process.env.DEMO_URL || 'http://127.0.0.1:3100';
const APP_PORT = Number(process.env.APP_PORT || 3200);
const OUTPUT_DIR = path.resolve(here, process.env.OUTPUT_DIR || 'output');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const WAIT_MS = 15_000;
const STEP_MS = 60_000;

const RUN_ID = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const USER = {
  name: 'JS Client Tester',
  email: `js-e2e-${RUN_ID}@example.com`,
  password: `correct horse ${RUN_ID}`,
};
const NEW_PASSWORD = `new horse ${RUN_ID}`;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function poll(what, read, accept, timeout = WAIT_MS) {
  const deadline = Date.now() + timeout;
  let last;
  let lastError;
  for (;;) {
    try {
      last = await read();
      lastError = undefined;
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = lastError ? `error: ${lastError.message}` : `last seen: ${JSON.stringify(last)}`;
      assert.fail(`timed out after ${timeout} ms waiting for ${what} (${detail})`);
    }
    await sleep(50);
  }
}

async function textOf(page, selector) {
  const locator = page.locator(selector).first();
  if ((await locator.count()) === 0) return '';
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

const expectText = (page, selector, expected) =>
  poll(`${selector} to read ${JSON.stringify(expected)}`, () => textOf(page, selector), (text) => text === expected);

describe('nanoauth/react in Chromium against the demo', { timeout: 5 * STEP_MS }, () => {
  let app;
  let browser;
  let context;
  /** Tabs by name, each with the auth requests it sent. */
  const tabs = {};
  const pageErrors = [];
  let failed = false;

  async function openTab(name) {
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    const requests = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/api/auth/')) requests.push(`${request.method()} ${url.pathname}`);
    });
    page.on('pageerror', (error) => pageErrors.push(`${name}: ${error.message}`));
    tabs[name] = { page, requests };
    await page.goto(app.url);
    return tabs[name];
  }

  /** The tab's `GET /session` requests so far. */
  const sessionFetches = (tab) => tab.requests.filter((request) => request === 'GET /api/auth/session').length;

  function step(name, fn) {
    it(name, { timeout: STEP_MS }, async (t) => {
      if (failed) {
        t.skip('an earlier step failed');
        return;
      }
      try {
        await fn();
      } catch (error) {
        failed = true;
        for (const [tabName, { page }] of Object.entries(tabs)) {
          await page.screenshot({ path: path.join(OUTPUT_DIR, `failure-${tabName}.png`), fullPage: true }).catch(() => {});
        }
        throw error;
      }
    });
  }

  before(async () => {
    mkdirSync(OUTPUT_DIR, { recursive: true });
    app = await startServer({ port: APP_PORT, demoURL: DEMO_URL });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    context = await browser.newContext();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
  });

  step('the page loads signed out, with one session fetch for two components', async () => {
    const a = await openTab('a');
    await expectText(a.page, '#status', 'signed-out');
    await expectText(a.page, '#header-user', 'guest');
    await sleep(300); // let any duplicate fetch show up
    assert.equal(sessionFetches(a), 1, `requests: ${a.requests.join(', ')}`);
  });

  step('sign up: useSession shows the user, with the typed role', async () => {
    const { page, requests } = tabs.a;
    const before = requests.length;
    await page.fill('#signup input[name=name]', USER.name);
    await page.fill('#signup input[name=email]', USER.email);
    await page.fill('#signup input[name=password]', USER.password);
    await page.click('#signup button');
    await expectText(page, '#status', 'signed-in');
    await expectText(page, '#user-email', USER.email);
    await expectText(page, '#user-name', USER.name);
    await expectText(page, '#user-role', 'member');
    await expectText(page, '#header-user', USER.email);
    await poll('the session id', () => textOf(page, '#session-id'), (id) => id.length > 0);
    // Sign-up, then one fetch for the session record; no reload.
    assert.deepEqual(requests.slice(before), ['POST /api/auth/signup/email', 'GET /api/auth/session']);
  });

  step('the cookie is HttpOnly: page script cannot read it', async () => {
    const { page } = tabs.a;
    const cookies = await context.cookies(app.url);
    const session = cookies.find((cookie) => cookie.name.includes('session_token'));
    assert.ok(session, `no session cookie among ${cookies.map((c) => c.name).join(', ')}`);
    assert.equal(session.httpOnly, true);
    const visible = await page.evaluate(() => document.cookie);
    assert.ok(!visible.includes('session_token'), `document.cookie shows ${visible}`);
  });

  step('a second tab shows the same user', async () => {
    const b = await openTab('b');
    await expectText(b.page, '#status', 'signed-in');
    await expectText(b.page, '#user-email', USER.email);
  });

  step('sign out: cleared here, and in the other tab through cross-tab sync', async () => {
    const a = tabs.a;
    const b = tabs.b;
    const bFetches = sessionFetches(b);
    const before = a.requests.length;
    await a.page.click('#signout');
    await expectText(a.page, '#status', 'signed-out');
    await expectText(a.page, '#header-user', 'guest');
    assert.deepEqual(a.requests.slice(before), ['POST /api/auth/signout']);
    // Tab b learns it from the broadcast alone: no reload, no request.
    await expectText(b.page, '#status', 'signed-out');
    assert.equal(sessionFetches(b), bFetches, `tab b requests: ${b.requests.join(', ')}`);
  });

  step("a wrong password shows the server's error code", async () => {
    const { page } = tabs.a;
    await page.fill('#signin input[name=email]', USER.email);
    await page.fill('#signin input[name=password]', 'not the password at all');
    await page.click('#signin button');
    const error = await poll('#error', () => textOf(page, '#error'), (text) => text.length > 0);
    assert.match(error, /^INVALID_CREDENTIALS: /);
    await expectText(page, '#status', 'signed-out');
  });

  step('sign in: shown here and in the other tab', async () => {
    const { page } = tabs.a;
    await page.fill('#signin input[name=email]', USER.email);
    await page.fill('#signin input[name=password]', USER.password);
    await page.click('#signin button');
    await expectText(page, '#status', 'signed-in');
    await expectText(page, '#user-email', USER.email);
    await expectText(page, '#user-role', 'member');
    await expectText(tabs.b.page, '#status', 'signed-in');
    await expectText(tabs.b.page, '#user-email', USER.email);
  });

  step('a reload stays signed in', async () => {
    const { page } = tabs.a;
    await page.reload();
    await expectText(page, '#status', 'signed-in');
    await expectText(page, '#user-email', USER.email);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'page.png'), fullPage: true });
  });

  step('a focus refetch stays within its cooldown', async () => {
    const { page } = tabs.a;
    await sleep(300);
    const before = sessionFetches(tabs.a);
    // Just reloaded: within the 5 s cooldown, focus events fetch nothing.
    await page.evaluate(() => {
      for (let i = 0; i < 5; i++) {
        window.dispatchEvent(new Event('focus'));
        document.dispatchEvent(new Event('visibilitychange'));
      }
    });
    await sleep(300);
    assert.equal(sessionFetches(tabs.a), before);
  });

  step('change the password: the wrong current one is refused, then the new one signs in', async () => {
    const { page } = tabs.a;
    const change = async (current, next) => {
      await page.fill('#change-password input[name=current]', current);
      await page.fill('#change-password input[name=new]', next);
      await page.click('#change-password button');
    };
    await change('not the password at all', NEW_PASSWORD);
    await expectText(page, '#change-password-outcome', 'INVALID_PASSWORD');
    await change(USER.password, NEW_PASSWORD);
    await expectText(page, '#change-password-outcome', 'changed');
    await expectText(page, '#status', 'signed-in'); // this session stays
    await page.click('#signout');
    await expectText(page, '#status', 'signed-out');
    await page.fill('#signin input[name=email]', USER.email);
    await page.fill('#signin input[name=password]', NEW_PASSWORD);
    await page.click('#signin button');
    await expectText(page, '#status', 'signed-in');
  });

  step('no page threw', async () => {
    assert.deepEqual(pageErrors, []);
  });
});
