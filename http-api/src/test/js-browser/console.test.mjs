// The web console in headless Chromium (Debian's, driven by playwright-core), against a running
// node on devnet: every user path of the console, as a person clicks it. Any console error, page
// error, failed request or unexpected 4xx/5xx answer fails the run. Screenshots go to SCREENSHOTS.
//
//   MINTLINE_URL=http://127.0.0.1:8080 CHROMIUM=/usr/bin/chromium SCREENSHOTS=/tmp/shots \
//   ADMIN_MNEMONIC="…25 words of a wallet in mintline.edge.admin-wallets…" \
//     node --test --test-reporter=tap --test-concurrency=1 console.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import algosdk from 'algosdk';
import { Wallet } from 'ethers';

const base = process.env.MINTLINE_URL;
const shots = process.env.SCREENSHOTS;
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser;
// A webhook receiver that always answers 500, on loopback (devnet allows it): the operator's failing row.
const failingReceiver = { hits: 0 };
const problems = [];
// Answers the walk provokes on purpose (a refused display name, an API call with a logged-out token).
const expected = [];
const state = {};
let nextClient = 1;

before(async () => {
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM, args: FLAGS, headless: true });
  failingReceiver.server = createServer((req, res) => {
    failingReceiver.hits++;
    req.resume();
    req.on('end', () => { res.writeHead(500); res.end(); });
  });
  await new Promise((resolve) => failingReceiver.server.listen(0, '127.0.0.1', resolve));
  failingReceiver.url = `http://127.0.0.1:${failingReceiver.server.address().port}/hook?token=receiver-s3cret`;
});

after(async () => {
  await browser?.close();
  failingReceiver.server?.close();
});

/** A browser context of its own: one person, one client address behind the node's trusted proxy. */
async function person(name, { viewport = { width: 1100, height: 900 }, init } = {}) {
  const context = await browser.newContext({ viewport, extraHTTPHeaders: { 'X-Forwarded-For': `10.9.0.${nextClient++}` } });
  const page = await context.newPage();
  if (init) await init(page);
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location()?.url ?? '';
    if (expected.some((e) => e.consumed === false && m.text().includes(String(e.status)))) return;
    problems.push(`${name}: console error: ${m.text()} ${url}`);
  });
  page.on('pageerror', (e) => problems.push(`${name}: page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`${name}: request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() < 400) return;
    const hit = expected.find((e) => e.consumed === false && r.url().includes(e.path) && r.status() === e.status);
    if (hit) { hit.seen = true; return; }
    problems.push(`${name}: ${r.status()} from ${r.request().method()} ${r.url()}`);
  });
  page.on('websocket', (ws) => ws.on('socketerror', (e) => problems.push(`${name}: websocket error ${e}`)));
  return page;
}

function expect(path, status) {
  const e = { path, status, consumed: false, seen: false };
  expected.push(e);
  return e;
}

const shot = (page, file) => page.screenshot({ path: join(shots, file), fullPage: true });
const text = (page, selector) => page.locator(selector).innerText();

function assertNoProblems() {
  assert.deepEqual(problems, [], 'no console errors, failed requests or unexpected error answers');
}

/** Presses Tab until the control has the focus (the console works without a mouse). */
async function tabTo(page, id, max = 40) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((x) => document.activeElement?.id === x, id)) return;
  }
  assert.fail(`#${id} never got the keyboard focus`);
}

async function devnetWalletAndLogin(page, name) {
  await page.goto(`${base}/#wallet`);
  await page.locator('#network').filter({ hasText: 'devnet' }).waitFor();
  await page.click('#create-wallet');
  await page.locator('#wallet-address').filter({ hasText: /^[A-Z2-7]{58}$/ }).waitFor();
  await page.click('#faucet');
  await page.locator('#wallet-balance').filter({ hasText: 'Funded with 5 Algo' }).waitFor({ timeout: 30_000 });
  await page.click('#login');
  await page.locator('#session-text').filter({ hasText: 'Logged in as' }).waitFor();
  return page.locator('#wallet-address').innerText();
}

test('the page is served from the jar under its own strict CSP, with no inline script and every control labelled', async () => {
  const r = await fetch(`${base}/`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/html/);
  const csp = r.headers.get('content-security-policy');
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.match(csp, /connect-src 'self'/);
  const js = await fetch(`${base}/console/console.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /javascript/);

  const page = await person('visitor');
  await page.goto(`${base}/`);
  await page.locator('#network').filter({ hasText: 'devnet' }).waitFor();
  const audit = await page.evaluate(() => ({
    inlineScripts: [...document.scripts].filter((s) => !s.src).length,
    unlabelled: [...document.querySelectorAll('input, textarea, select')]
      .filter((c) => c.labels.length === 0 && !c.getAttribute('aria-label')).map((c) => c.id),
    unnamedButtons: [...document.querySelectorAll('button')].filter((b) => !b.textContent.trim()).length,
    lang: document.documentElement.lang,
  }));
  assert.deepEqual(audit, { inlineScripts: 0, unlabelled: [], unnamedButtons: 0, lang: 'en' });
  await page.context().close();
  assertNoProblems();
});

test('a creator makes a devnet wallet with the keyboard, exports its mnemonic, funds it, logs in and becomes a creator watching each state', async () => {
  const page = await person('creator');
  state.creatorPage = page;
  await page.goto(`${base}/`);
  await page.locator('#network').filter({ hasText: 'devnet' }).waitFor();
  await tabTo(page, 'create-wallet');
  await page.keyboard.press('Enter');
  const address = await page.locator('#wallet-address').filter({ hasText: /^[A-Z2-7]{58}$/ }).innerText();
  await page.locator('#mnemonic-box summary').click();
  const mnemonic = await page.inputValue('#mnemonic');
  assert.equal(mnemonic.split(' ').length, 25);
  assert.equal(algosdk.mnemonicToSecretKey(mnemonic).addr.toString(), address, 'the exported mnemonic is the wallet\'s key');
  await shot(page, '01-wallet-created.png');
  await page.click('#faucet');
  await page.locator('#wallet-balance').filter({ hasText: 'Funded with 5 Algo' }).waitFor({ timeout: 30_000 });
  await page.click('#login');
  await page.locator('#session-text').filter({ hasText: 'Logged in as' }).waitFor();
  await shot(page, '02-logged-in.png');

  await page.click('nav a[data-view=creator]');
  // A display name the node refuses: its error JSON is shown as a sentence with the request id.
  const refused = expect('/api/v1/creators', 400);
  await page.fill('#display-name', '!nope');
  await page.click('#creator-form button[type=submit]');
  const notice = await page.locator('#notice-text').filter({ hasText: 'Request id' }).innerText();
  refused.consumed = true;
  assert.ok(refused.seen, 'the refused request was made');
  assert.match(notice, /displayName must be .*\[invalid_parameter 4004\] Request id [0-9a-f]{24}/);
  await shot(page, '03-error-shown.png');

  await page.fill('#display-name', 'Ann Console');
  await page.click('#creator-form button[type=submit]');
  await page.locator('#progress li[data-state=active]').waitFor({ timeout: 120_000 });
  const states = await page.locator('#progress li').evaluateAll((items) => items.map((i) => i.dataset.state));
  const order = ['requested', 'submitted', 'confirmed', 'funding', 'active'];
  assert.deepEqual(states, order, 'every state shown, in order (one passed before the socket opened shows as passed)');
  const frames = Number(await page.locator('#progress').getAttribute('data-frames'));
  assert.ok(frames >= 3, `the deployment's WebSocket delivered the states live (${frames} frames)`);
  assert.equal(await page.locator('#notice').isHidden(), true);
  await shot(page, '04-deployment-active.png');

  await page.click('#creator-tip-link');
  state.appAddress = await page.locator('#tip-address').innerText();
  assert.match(state.appAddress, /^[A-Z2-7]{58}$/);
  state.tipLink = await page.locator('#tip-share').getAttribute('href');
  const qr = await page.evaluate(() => {
    const img = document.getElementById('tip-qr');
    return { src: img.src.slice(0, 22), uri: img.dataset.uri, width: img.naturalWidth, complete: img.complete };
  });
  assert.deepEqual(qr, { src: 'data:image/png;base64,', uri: `algorand://${state.appAddress}?amount=250000&note=Mintline%20tip`, width: 200, complete: true });
  await shot(page, '05-tip-page.png');
  assertNoProblems();
});

test('an admin logs in with a restored devnet wallet and sees the cluster and the listener', async () => {
  const page = await person('operator');
  state.operatorPage = page;
  await page.goto(`${base}/`);
  await page.locator('#network').filter({ hasText: 'devnet' }).waitFor();
  await page.fill('#restore-mnemonic', process.env.ADMIN_MNEMONIC);
  await page.click('#restore-form button[type=submit]');
  await page.click('#login');
  await page.locator('#session-text').filter({ hasText: '(admin)' }).waitFor();
  await page.click('nav a[data-view=operator]');
  await page.locator('#members tbody tr[data-status=Up]').waitFor();
  assert.match(await text(page, '#operator-status'), /^1 member up, 0 unreachable; leader akka:\/\/mintline@/);
  assert.match(await text(page, '#listener'), /state\s+following/);
  assert.match(await text(page, '#listener'), /heartbeat\s+\d+ ms ago/);
  await page.locator('#webhook-failures li').filter({ hasText: /^None\.$/ }).waitFor();
  // The admin registers a webhook for every wallet's tips and stickers at a receiver that answers 500:
  // the fan's tip below makes a failing delivery for the operator view.
  const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('mintline.session')).accessToken);
  const r = await fetch(`${base}/api/v1/webhooks`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'X-Forwarded-For': '10.9.1.3' },
    body: JSON.stringify({ url: failingReceiver.url, events: ['tip.received', 'sticker.minted'] }),
  });
  const answer = await r.text();
  assert.equal(r.status, 201, answer);
  const hook = JSON.parse(answer);
  assert.equal(hook.allOwners, true);
  state.hookId = hook.id;
  assertNoProblems();
});

test('a fan tips from the console, sees the sticker with the draw recomputed in the browser, and claims it with the opt-in', async () => {
  const page = await person('fan');
  state.fanPage = page;
  const fan = await devnetWalletAndLogin(page, 'fan');
  assert.ok(state.tipLink.startsWith(`${base}/#tip/`), state.tipLink);
  await page.goto(state.tipLink);
  assert.equal(await text(page, '#tip-name'), 'Ann Console');
  await page.fill('#tip-amount', '0.25');
  await page.click('#send-tip');
  await page.locator('#tip-result').filter({ hasText: 'confirmed in round' }).waitFor({ timeout: 40_000 });
  const tipTxId = await page.locator('#tip-result').getAttribute('data-txid');

  await page.click('nav a[data-view=stickers]');
  const card = page.locator('#gallery .sticker').first();
  await card.waitFor({ timeout: 120_000 });
  assert.equal(await card.getAttribute('data-draw-match'), 'true', 'the browser\'s draw matches the node\'s');
  assert.equal(await card.locator('.draw tr.differs').count(), 0);
  assert.equal(await card.locator('.draw tbody tr.same').count(), 5);
  const assetId = Number(await card.getAttribute('data-asset-id'));
  // The browser's inputs are its own: the txid bytes it decoded are the tip's, and the stickers list agrees.
  const listed = await (await fetch(`${base}/api/v1/wallets/${fan}/stickers`, { headers: { 'X-Forwarded-For': '10.9.1.1' } })).json();
  assert.deepEqual(listed.items.map((s) => [s.assetId, s.tipTxId]), [[assetId, tipTxId]]);
  // GOLDEN_BASIS_POINTS (the node's threshold, 10,000 in ConsoleBrowserIT) makes every sticker golden.
  const golden = listed.items[0].golden;
  assert.equal(golden, Number(process.env.GOLDEN_BASIS_POINTS ?? 100) >= 10000 ? true : golden);
  assert.equal(await card.getAttribute('data-golden'), String(golden));
  assert.equal(await card.locator('.golden-mark').count(), golden ? 1 : 0, 'the golden mark shows exactly on golden stickers');
  if (golden) assert.equal(await card.locator('.golden-mark').innerText(), '★ Golden sticker');

  await card.locator('button.claim').click();
  await page.locator(`#sticker-${assetId}[data-claimed=true]`).waitFor({ timeout: 60_000 });
  const holding = page.locator(`#sticker-${assetId} .holding[data-frozen=true]`);
  await holding.waitFor({ timeout: 20_000 });
  assert.match(await holding.innerText(), new RegExp(`In your wallet: 1 × asset ${assetId}, frozen \\(soulbound\\)`));
  await shot(page, '06-sticker-claimed.png');
  state.fanAddress = fan;
  assertNoProblems();
});

test('the operator sees the mint in the sparkline without reloading', async () => {
  const page = state.operatorPage;
  await page.locator('#spark-mints:not([data-max="0"])').waitFor({ timeout: 30_000 });
  const spark = await page.evaluate(() => ({
    points: Number(document.getElementById('spark-mints').dataset.points),
    max: Number(document.getElementById('spark-mints').dataset.max),
    minted: Number(document.getElementById('minting').dataset.mintedTotal),
  }));
  assert.ok(spark.points >= 3, `several samples, no reload: ${JSON.stringify(spark)}`);
  assert.ok(spark.max > 0 && spark.minted >= 1, JSON.stringify(spark));
  assert.equal(await page.locator('#spark-queue polyline').count(), 1);
  assert.match(await text(page, '#failed-deployments'), /None\./);
  assert.match(await text(page, '#failed-mints'), /None\./);
  // The fan's tip went to the admin's webhook, whose receiver answered 500: the panel shows it, without a reload.
  const delivery = page.locator('#webhook-failures li[data-kind=delivery]').first();
  await delivery.waitFor({ timeout: 40_000 });
  assert.ok(failingReceiver.hits >= 1, 'the receiver was called');
  const admin = algosdk.mnemonicToSecretKey(process.env.ADMIN_MNEMONIC).addr.toString();
  const owner = `${admin.slice(0, 6)}…${admin.slice(-4)}`;
  assert.match(await delivery.innerText(),
    new RegExp(`^(tip\\.received|sticker\\.minted) \\(delivery msg_[0-9a-f]{32}\\) to endpoint ${state.hookId} of ${owner}: \\d+ attempts?, last answer HTTP 500; next attempt at .+\\.$`));
  const endpoint = page.locator(`#webhook-failures li[data-kind=endpoint][data-id=${state.hookId}]`);
  assert.match(await endpoint.innerText(), new RegExp(`^Endpoint ${state.hookId} of ${owner} \\(127\\.0\\.0\\.1\\) has been failing since .+\\.$`));
  assert.doesNotMatch(await text(page, '#webhook-failures'), /s3cret|\/hook/, 'the endpoint is shown by its host only');
  await shot(page, '07-operator.png');
  assertNoProblems();
});

test('access tokens live 30 s: the console renews them in the background and keeps working', async () => {
  const refreshed = (p) => p.locator('#session:not([data-refreshes="0"])').waitFor({ timeout: 40_000 });
  const operator = state.operatorPage;
  await refreshed(operator);
  // The operator view keeps polling (admin-only routes) with the renewed token, without a reload.
  const before = await text(operator, '#operator-updated');
  await operator.locator('#operator-updated').filter({ hasNotText: before }).waitFor({ timeout: 10_000 });
  const creator = state.creatorPage;
  await refreshed(creator);
  await creator.click('nav a[data-view=stickers]');
  await creator.locator('#stickers-status').filter({ hasText: 'No stickers yet' }).waitFor();
  assert.match(await text(creator, '#session-text'), /session renewed [1-9]\d* times?/);
  assertNoProblems();
});

test('readable at 360 px: the tip page, the gallery and the operator view fit without sideways scrolling', async () => {
  for (const [page, view, file] of [[state.creatorPage, 'tip', '08-tip-page-360.png'], [state.fanPage, 'stickers', '08-gallery-360.png'],
    [state.operatorPage, 'operator', '09-operator-360.png']]) {
    await page.setViewportSize({ width: 360, height: 780 });
    await page.click(`nav a[data-view=${view}]`);
    await page.waitForTimeout(300);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `${view} is ${width} px wide at 360`);
    await shot(page, file);
  }
  assertNoProblems();
});

test('an EVM wallet logs in through its EIP-1193 provider (Sign-In with Ethereum), and logout revokes the session', async () => {
  const evm = Wallet.createRandom();
  const page = await person('evm', {
    init: async (p) => {
      await p.exposeFunction('__walletSign', (hex) => evm.signMessage(Buffer.from(hex.slice(2), 'hex')));
      await p.addInitScript((address) => {
        window.ethereum = {
          request: async ({ method, params }) => {
            if (method === 'eth_requestAccounts') return [address];
            if (method === 'personal_sign') return window.__walletSign(params[0]);
            throw new Error(`unsupported ${method}`);
          },
        };
      }, evm.address);
    },
  });
  await page.goto(`${base}/`);
  await page.locator('#evm-wallet').waitFor();
  await page.click('#connect-evm');
  assert.equal(await text(page, '#wallet-address'), evm.address);
  await page.click('#login');
  await page.locator('#session-text').filter({ hasText: `Logged in as ${evm.address.slice(0, 6)}` }).waitFor();
  const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('mintline.session')).accessToken);
  const session = await fetch(`${base}/api/v1/auth/session`, { headers: { Authorization: `Bearer ${token}`, 'X-Forwarded-For': '10.9.1.2' } });
  assert.equal((await session.json()).subject, evm.address);
  await page.click('#logout');
  await page.locator('#session-text').filter({ hasText: 'Not logged in.' }).waitFor();
  await page.waitForTimeout(500);
  const after = await fetch(`${base}/api/v1/auth/session`, { headers: { Authorization: `Bearer ${token}`, 'X-Forwarded-For': '10.9.1.2' } });
  assert.equal(after.status, 401, 'the logged-out token is refused');
  await shot(page, '10-evm-logged-out.png');
  await page.context().close();
  assertNoProblems();
});

test('a pasted address logs in with the signature its own wallet made (signBytes over "MX" + message)', async () => {
  const account = algosdk.generateAccount();
  const page = await person('pasted');
  await page.goto(`${base}/`);
  await page.fill('#pasted-address', account.addr.toString());
  await page.click('#address-form button[type=submit]');
  await page.click('#login');
  await page.locator('#signature-form').waitFor();
  const message = await page.inputValue('#login-message');
  assert.match(message, /wants you to sign in with your Algorand account:/);
  const signature = Buffer.from(algosdk.signBytes(new TextEncoder().encode(message), account.sk)).toString('base64');
  await page.fill('#login-signature', signature);
  await page.click('#signature-form button[type=submit]');
  await page.locator('#session-text').filter({ hasText: 'Logged in as' }).waitFor();
  await page.context().close();
  assertNoProblems();
});
