// The Mintline web console: a wallet dApp for fans and creators, and the operator's view, all
// through the node's public API (the same calls docs/API.md describes). No inline script: this
// bundle is the only code the page runs.
import QRCode from 'qrcode';
import { api, ApiError, currentSession, describe, login, loginWithSignature, logout, nonceFor, onSession, stats } from './api.js';
import { DevnetWallet, EvmWallet, PastedWallet, forgetWallet, savedWallet } from './wallet.js';
import { recompute } from './draw.js';
import { sparkline } from './sparkline.js';

const $ = (id) => document.getElementById(id);
const state = { wallet: savedWallet(), network: null, devnet: false, tipTarget: null, draws: new Map(), seeds: new Map() };
const MICRO = 1_000_000;

// ---------- notices: errors as sentences, with the request id ----------
function notify(what, kind = 'error') {
  const box = $('notice');
  box.classList.toggle('info', kind !== 'error');
  box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  $('notice-text').textContent = typeof what === 'string' ? what : describe(what);
  box.hidden = false;
}
$('notice-close').addEventListener('click', () => { $('notice').hidden = true; });

/** Runs a user action with its button busy; a failure becomes the notice. */
async function act(button, work) {
  if (button) button.disabled = true;
  try {
    $('notice').hidden = true;
    return await work();
  } catch (err) {
    notify(err);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

const algos = (micro) => `${(Number(micro) / MICRO).toLocaleString('en', { maximumFractionDigits: 6 })} Algo`;
const short = (a) => (a && a.length > 16 ? `${a.slice(0, 6)}…${a.slice(-4)}` : a);

// ---------- views ----------
const VIEWS = ['wallet', 'creator', 'tip', 'stickers', 'operator'];
function route() {
  const [name, ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  const view = VIEWS.includes(name) ? name : 'wallet';
  if (view === 'tip' && rest[0]) {
    state.tipTarget = { appAddress: rest[0], name: decodeURIComponent(rest[1] ?? ''), appId: rest[2] ?? null };
  }
  for (const section of document.querySelectorAll('main > section')) section.hidden = section.dataset.view !== view;
  for (const a of document.querySelectorAll('nav a')) {
    if (a.dataset.view === view) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (view === 'tip') renderTip();
  if (view === 'stickers') refreshGallery();
  if (view === 'operator') refreshOperator();
}
window.addEventListener('hashchange', () => { route(); $('main').focus(); });

// ---------- the network ----------
async function detectNetwork() {
  try {
    const status = await api.get('/api/v1/listener/status', { anonymous: true });
    state.network = status.network;
  } catch (err) {
    state.network = 'unknown';
    if (!(err instanceof ApiError)) notify(err);
  }
  state.devnet = state.network === 'devnet';
  $('network').textContent = state.devnet ? 'network: devnet (test chain, no real funds)' : `network: ${state.network}`;
  $('devnet-wallet').hidden = !state.devnet;
  $('evm-wallet').hidden = !EvmWallet.available();
  renderWallet();
}

// ---------- wallet and login ----------
function renderWallet() {
  const w = state.wallet;
  $('wallet-current').hidden = !w;
  $('wallet-choose').hidden = !!w;
  $('signature-form').hidden = true;
  if (!w) return;
  $('wallet-address').textContent = w.address;
  $('wallet-kind').textContent = { devnet: '(devnet wallet in this browser)', pasted: '(your wallet signs)', evm: '(Ethereum wallet)' }[w.kind];
  $('mnemonic-box').hidden = w.kind !== 'devnet';
  if (w.kind === 'devnet') $('mnemonic').value = w.mnemonic;
  $('faucet').hidden = !(w.kind === 'devnet' && state.devnet);
  $('tip-form').hidden = !(w.kind === 'devnet' && state.devnet);
}

function useWallet(wallet) {
  state.wallet = wallet;
  wallet.save();
  renderWallet();
  $('login').focus();
}

$('create-wallet').addEventListener('click', () => useWallet(DevnetWallet.create()));
$('restore-form').addEventListener('submit', (e) => {
  e.preventDefault();
  try {
    useWallet(DevnetWallet.restore($('restore-mnemonic').value));
    $('restore-mnemonic').value = '';
  } catch (err) {
    notify(`That recovery phrase could not be read: ${err.message}.`);
  }
});
$('address-form').addEventListener('submit', (e) => {
  e.preventDefault();
  try {
    useWallet(new PastedWallet($('pasted-address').value));
  } catch (err) {
    notify(`That address cannot be used: ${err.message}.`);
  }
});
$('connect-evm').addEventListener('click', (e) => act(e.currentTarget, async () => useWallet(await EvmWallet.connect())));
$('forget').addEventListener('click', async () => {
  await logout();
  forgetWallet();
  state.wallet = null;
  renderWallet();
});

$('faucet').addEventListener('click', (e) => act(e.currentTarget, async () => {
  $('wallet-balance').textContent = 'Asking the devnet faucet…';
  const funded = await api.post('/api/v1/devnet/fund', { address: state.wallet.address, microAlgos: 5 * MICRO }, { anonymous: !currentSession() });
  $('wallet-balance').textContent = `Funded with ${algos(funded.microAlgos)} in round ${funded.round}.`;
}));

$('login').addEventListener('click', (e) => act(e.currentTarget, async () => {
  const w = state.wallet;
  if (w.kind === 'pasted' && !w.canSignItself) {
    const nonce = await nonceFor(w.address);
    $('login-message').value = nonce.message;
    $('signature-form').hidden = false;
    $('login-signature').focus();
    return;
  }
  await login(w.address, (message) => w.signLogin(message), { chain: w.kind === 'evm' ? 'evm' : undefined });
  notify(`Logged in as ${short(w.address)}.`, 'info');
}));

$('signature-form').addEventListener('submit', (e) => {
  e.preventDefault();
  act(e.submitter, async () => {
    await loginWithSignature(state.wallet.address, $('login-message').value, $('login-signature').value.trim());
    $('signature-form').hidden = true;
    $('login-signature').value = '';
    notify(`Logged in as ${short(state.wallet.address)}.`, 'info');
  });
});

$('logout').addEventListener('click', (e) => act(e.currentTarget, async () => {
  await logout();
  notify('Logged out: the node revoked this session\'s tokens.', 'info');
}));

function renderSession(s) {
  $('logout').hidden = !s;
  $('session-text').textContent = s
    ? `Logged in as ${short(s.address)}${s.roles.includes('admin') ? ' (admin)' : ''}; session renewed ${stats.refreshes} time${stats.refreshes === 1 ? '' : 's'}, token valid until ${new Date(s.expiresAt).toLocaleTimeString()}.`
    : 'Not logged in.';
  $('session').dataset.refreshes = String(stats.refreshes);
  $('session').dataset.roles = s ? s.roles.join(',') : '';
  $('stickers-status').textContent = s ? 'Loading your stickers…' : 'Log in to see your stickers.';
  if (!s) $('gallery').replaceChildren();
}
onSession((s) => { renderSession(s); refreshGallery(); refreshOperator(); });

// ---------- become a creator: the deployment's WebSocket ----------
const STATES = ['requested', 'submitted', 'confirmed', 'funding', 'active'];
const STATE_TEXT = {
  requested: 'requested: the node recorded your request',
  submitted: 'submitted: the TipProxy application is on its way to the chain',
  confirmed: 'confirmed: the chain created the application',
  funding: 'funding: the platform pays the application\'s minimum balance',
  active: 'active: tips to this creator earn stickers',
  failed: 'failed',
};

const STATE_ORDER = ['requested', 'submitted', 'confirmed', 'funding', 'active'];

function showProgress(d) {
  const list = $('progress');
  if (list.querySelector(`[data-state="${d.status}"]`)) return;
  // The socket starts at the deployment's current state: a state it passed before this page
  // followed it is shown as passed, in its place.
  for (const earlier of STATE_ORDER.slice(0, Math.max(STATE_ORDER.indexOf(d.status), 0))) {
    if (list.querySelector(`[data-state="${earlier}"]`)) continue;
    list.append(el('li', { 'data-state': earlier, class: 'done' },
      el('span', { class: 'state', text: STATE_TEXT[earlier] ?? earlier }), ' (passed before this page followed it)'));
  }
  const item = el('li', { 'data-state': d.status, class: d.status === 'failed' ? 'failed' : 'done' },
    el('span', { class: 'state', text: STATE_TEXT[d.status] ?? d.status }),
    ` at ${new Date(d.updatedAt ?? Date.now()).toLocaleTimeString()}`,
    d.txId ? el('span', { class: 'muted', text: ` (txid ${short(d.txId)})` }) : null,
    d.status === 'failed' && d.error ? el('span', { class: 'warning', text: `: ${d.error}` }) : null);
  list.append(item);
  if (d.status === 'active') {
    const link = tipLink(d.appAddress, d.displayName, d.appId);
    $('creator-tip-link').href = link;
    $('creator-done').hidden = false;
    state.tipTarget = { appAddress: d.appAddress, name: d.displayName, appId: d.appId };
    localStorage.setItem('mintline.creator', JSON.stringify(state.tipTarget));
  }
}

function tipLink(appAddress, name, appId) {
  return `#tip/${appAddress}/${encodeURIComponent(name ?? '')}/${appId ?? ''}`;
}

/** Follows the deployment: the socket sends the current state, then each transition, and closes after the last. */
function follow(deploymentId) {
  return new Promise((resolve, reject) => {
    const s = currentSession();
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/deployments/${deploymentId}/updates`;
    // A browser cannot set Authorization on a WebSocket: the token rides as a subprotocol.
    const socket = new WebSocket(url, ['mintline.v1', `mintline.bearer.${s.accessToken}`]);
    let last = null;
    socket.addEventListener('message', (m) => {
      last = JSON.parse(m.data);
      $('progress').dataset.frames = String(Number($('progress').dataset.frames ?? 0) + 1);
      showProgress(last);
    });
    socket.addEventListener('close', async () => {
      if (last && (last.status === 'active' || last.status === 'failed')) return resolve(last);
      // The socket ended early (a node restarting, a proxy's timeout): read the state instead.
      try {
        const d = await api.get(`/api/v1/deployments/${deploymentId}`);
        showProgress(d);
        if (d.status === 'active' || d.status === 'failed') resolve(d);
        else setTimeout(() => follow(deploymentId).then(resolve, reject), 1000);
      } catch (err) { reject(err); }
    });
  });
}

$('creator-form').addEventListener('submit', (e) => {
  e.preventDefault();
  act(e.submitter, async () => {
    if (!currentSession()) throw new Error('log in with a wallet first (Wallet section)');
    const displayName = $('display-name').value.trim();
    // One key per wallet and name: pressing again resumes the same deployment, never a second app.
    const keyName = `mintline.creator-key.${currentSession().address}.${displayName}`;
    const key = localStorage.getItem(keyName) ?? crypto.randomUUID();
    localStorage.setItem(keyName, key);
    $('progress').replaceChildren();
    $('progress').dataset.frames = '0';
    $('creator-done').hidden = true;
    const accepted = await api.post('/api/v1/creators', { displayName }, { headers: { 'Idempotency-Key': key } });
    showProgress({ status: accepted.status, updatedAt: new Date().toISOString() });
    const done = await follow(accepted.deploymentId);
    if (done.status === 'failed') throw new Error(`the deployment failed: ${done.error}`);
  });
});

// ---------- tip page ----------
async function renderTip() {
  if (!state.tipTarget) {
    try { state.tipTarget = JSON.parse(localStorage.getItem('mintline.creator')); } catch { state.tipTarget = null; }
  }
  const t = state.tipTarget;
  $('tip-empty').hidden = !!t;
  $('tip-card').hidden = !t;
  if (!t) return;
  $('tip-name').textContent = t.name || short(t.appAddress);
  $('tip-address').textContent = t.appAddress;
  const share = `${location.origin}/${tipLink(t.appAddress, t.name, t.appId)}`;
  $('tip-share').href = share;
  $('tip-share').textContent = share;
  // ARC-26 payment URI: a wallet app that scans it pays the TipProxy.
  const uri = `algorand://${t.appAddress}?amount=250000&note=${encodeURIComponent('Mintline tip')}`;
  $('tip-qr').src = await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 200 });
  $('tip-qr').dataset.uri = uri;
}

$('tip-form').addEventListener('submit', (e) => {
  e.preventDefault();
  act(e.submitter, async () => {
    const w = state.wallet;
    const amount = Math.round(Number($('tip-amount').value) * MICRO);
    if (!Number.isFinite(amount) || amount <= 0) throw new Error('the amount must be a positive number of Algo');
    $('tip-result').textContent = 'Signing and sending the tip…';
    const params = await api.get('/api/v1/devnet/params');
    const signed = w.signPayment(params, state.tipTarget.appAddress, amount, 'Mintline tip');
    const sent = await api.post('/api/v1/devnet/transactions', { signedTransaction: signed });
    $('tip-result').textContent = `Tip of ${algos(amount)} confirmed in round ${sent.round} (txid ${sent.txId}). Your sticker appears under My stickers in a moment.`;
    $('tip-result').dataset.txid = sent.txId;
  });
});

// ---------- the sticker gallery ----------
let galleryTimer = null;
async function refreshGallery() {
  clearTimeout(galleryTimer);
  const s = currentSession();
  if (!s || $('view-stickers').hidden) return;
  try {
    const address = s.address;
    const [stickers, tips] = await Promise.all([
      api.get(`/api/v1/wallets/${address}/stickers?limit=100`),
      api.get(`/api/v1/wallets/${address}/tips?limit=500`),
    ]);
    for (const tip of tips.items) state.seeds.set(tip.txId, tip);
    $('stickers-status').textContent = stickers.items.length
      ? `${stickers.items.length} sticker${stickers.items.length === 1 ? '' : 's'}.`
      : 'No stickers yet: tip a creator to earn one.';
    for (const sticker of stickers.items) await renderSticker(sticker);
  } catch (err) {
    notify(err);
  }
  galleryTimer = setTimeout(refreshGallery, 3000);
}

async function renderSticker(sticker) {
  const id = `sticker-${sticker.assetId}`;
  let card = $(id);
  if (!card) {
    card = el('li', { id, class: 'sticker', 'data-asset-id': sticker.assetId });
    $('gallery').append(card);
  }
  const key = `${sticker.assetId}:${sticker.claimed}`;
  if (card.dataset.key === key) return;
  card.dataset.key = key;
  card.classList.toggle('golden', sticker.golden);
  card.dataset.golden = String(sticker.golden);
  card.dataset.claimed = String(sticker.claimed);
  let draw = state.draws.get(sticker.assetId);
  if (!draw) {
    draw = await api.get(`/api/v1/stickers/${sticker.assetId}/draw`);
    state.draws.set(sticker.assetId, draw);
  }
  const tip = state.seeds.get(sticker.tipTxId);
  // The browser's own inputs: the seed from the tip list, the txid bytes decoded here.
  const mine = recompute(tip?.blockSeed ?? draw.seedHex, sticker.tipTxId, draw.threshold, draw.modulus);
  const rows = [
    ['block seed (round ' + draw.round + ')', draw.seedHex, mine.seedHex],
    ['tip txid bytes', draw.txidBytesHex, mine.txidBytesHex],
    ['SHA-512/256', draw.digest, mine.digest],
    [`value mod ${draw.modulus}`, String(draw.value), String(mine.value)],
    [`golden (value < ${draw.threshold})`, String(draw.result), String(mine.result)],
  ];
  const allMatch = rows.every(([, a, b]) => a === b) && draw.recordedGolden === sticker.golden;
  card.dataset.drawMatch = String(allMatch);
  const table = el('table', { class: 'draw' },
    el('caption', { text: 'The golden draw: the node\'s inputs and result, and the same recomputed in this browser' }),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'input' }), el('th', { scope: 'col', text: 'node' }),
      el('th', { scope: 'col', text: 'browser' }))),
    el('tbody', {}, ...rows.map(([name, a, b]) => el('tr', { class: a === b ? 'same' : 'differs' },
      el('th', { scope: 'row', text: name }), el('td', { text: a }), el('td', { text: b + (a === b ? ' ✓' : ' ✗') })))));
  const claim = sticker.claimed ? null : el('button', { type: 'button', class: 'claim', text: `Claim sticker ${sticker.assetId}` });
  const holding = el('p', { class: 'holding', 'aria-live': 'polite' });
  card.replaceChildren(...[
    el('h3', { text: `Sticker #${sticker.assetId}` }),
    sticker.golden ? el('p', { class: 'golden-mark', text: '★ Golden sticker' }) : el('p', { class: 'muted', text: 'Regular sticker' }),
    el('p', { text: `For tip ${short(sticker.tipTxId)}, minted in round ${sticker.mintedRound}.` }),
    el('p', { class: allMatch ? 'match' : 'mismatch', text: allMatch ? 'Draw verified: the browser\'s result matches the node\'s.' : 'The browser\'s draw differs from the node\'s!' }),
    table,
    sticker.claimed ? el('p', { text: 'Claimed: in your wallet, frozen (soulbound: it cannot be transferred).' }) : el('p', { text: 'Waiting in the platform vault until you claim it.' }),
    claim, holding].filter(Boolean));
  if (claim) claim.addEventListener('click', () => act(claim, () => claimSticker(sticker, holding)));
  if (sticker.claimed && state.devnet) showHolding(sticker.assetId, holding);
}

async function claimSticker(sticker, holding) {
  const w = state.wallet;
  if (w?.kind === 'devnet' && state.devnet) {
    holding.textContent = 'Opting in to the sticker (a 0-unit transfer to yourself)…';
    const params = await api.get('/api/v1/devnet/params');
    await api.post('/api/v1/devnet/transactions', { signedTransaction: w.signOptIn(params, sticker.assetId) });
  }
  holding.textContent = 'Claiming…';
  const claimed = await api.post(`/api/v1/stickers/${sticker.assetId}/claim`);
  holding.textContent = `Claimed in round ${claimed.round ?? '—'}.`;
  await refreshGallery();
}

async function showHolding(assetId, holding) {
  try {
    const h = await api.get(`/api/v1/devnet/accounts/${state.wallet.address}/assets/${assetId}`);
    holding.textContent = h.optedIn
      ? `In your wallet: ${h.amount} × asset ${assetId}, ${h.frozen ? 'frozen (soulbound)' : 'not frozen'}.`
      : 'Not in your wallet yet.';
    holding.dataset.frozen = String(h.frozen);
    holding.dataset.amount = String(h.amount);
  } catch (err) {
    notify(err);
  }
}

// ---------- operator view ----------
const history = { mints: [], queue: [] };
let operatorTimer = null;
let failedAt = 0;

async function refreshOperator() {
  clearTimeout(operatorTimer);
  const s = currentSession();
  const admin = s?.roles.includes('admin');
  $('operator-panels').hidden = !admin;
  if (!s) { $('operator-status').textContent = 'Log in with an admin wallet to see the cluster.'; return; }
  if (!admin) { $('operator-status').textContent = 'This wallet is not an admin: the operator view needs a wallet listed in mintline.edge.admin-wallets.'; return; }
  if ($('view-operator').hidden) return;
  try {
    const [cluster, listener, minting] = await Promise.all([
      api.get('/api/v1/admin/cluster'),
      api.get('/api/v1/listener/status'),
      api.get('/api/v1/minting/status'),
    ]);
    $('operator-status').textContent = `${cluster.membersUp} member${cluster.membersUp === 1 ? '' : 's'} up, ${cluster.unreachable} unreachable; leader ${cluster.leader ?? 'none'}.`;
    $('members').querySelector('tbody').replaceChildren(...cluster.members.map((m) => el('tr', { 'data-status': m.status },
      el('td', { class: 'address', text: m.address + (m.address === cluster.self ? ' (this node)' : '') }), el('td', { text: m.status }),
      el('td', { text: m.reachable ? 'yes' : 'NO' }), el('td', { text: m.roles.join(', ') }))));
    facts($('listener'), [
      ['network', listener.network], ['state', listener.state], ['lag', `${listener.lag} round${listener.lag === 1 ? '' : 's'}`],
      ['heartbeat', `${listener.heartbeatAgeMs} ms ago`], ['round (watermark)', listener.round], ['chain round', listener.chainRound],
      ['tips seen', listener.tipsSeen], ['algod', listener.algodUrl], ['error', listener.error ?? 'none'],
    ]);
    facts($('minting'), [
      ['mints/s', minting.mintsPerSecond.toFixed(1)], ['queued', minting.queued], ['in flight', minting.inFlight],
      ['minted since start', minting.mintedTotal], ['failed mints since start', minting.failedTotal],
      ['oldest pending', `${minting.oldestPendingAgeMs} ms`],
    ]);
    push(history.mints, minting.mintsPerSecond);
    push(history.queue, minting.queued);
    sparkline($('spark-mints'), history.mints);
    sparkline($('spark-queue'), history.queue);
    $('spark-mints-label').textContent = `Mints per second, last ${history.mints.length} samples (now ${minting.mintsPerSecond.toFixed(1)}, peak ${Math.max(...history.mints).toFixed(1)})`;
    $('spark-queue-label').textContent = `Queue depth, last ${history.queue.length} samples (now ${minting.queued})`;
    $('minting').dataset.mintedTotal = String(minting.mintedTotal);
    if (Date.now() - failedAt > 10_000) {
      failedAt = Date.now();
      const [failed, failedMints, webhookFailures] = await Promise.all([
        api.get('/api/v1/deployments?status=failed&limit=10'),
        api.get('/api/v1/admin/failed-mints?limit=10'),
        api.get('/api/v1/admin/webhook-failures?limit=10'),
      ]);
      $('failed-deployments').replaceChildren(...(failed.items.length ? failed.items.map((d) => el('li', {},
        `${d.displayName} (${short(d.owner)}): ${d.error ?? 'failed'} at ${new Date(d.updatedAt).toLocaleString()}`))
        : [el('li', { text: 'None.' })]));
      $('failed-mints').replaceChildren(...(failedMints.items.length ? failedMints.items.map((m) => el('li', {},
        `tip ${short(m.tipTxId)} for ${short(m.owner)}: ${m.error ?? 'failed'} at ${new Date(m.failedAt).toLocaleString()}`))
        : [el('li', { text: 'None.' })]));
      const disabled = new Set(webhookFailures.endpoints.filter((e) => e.status === 'disabled').map((e) => e.id));
      const hooks = [...webhookFailures.endpoints.map(endpointSentence),
        ...webhookFailures.deliveries.map((d) => deliverySentence(d, disabled.has(d.endpointId)))];
      $('webhook-failures').replaceChildren(...(hooks.length ? hooks : [el('li', { text: 'None.' })]));
    }
    $('operator-updated').textContent = `Updated ${new Date().toLocaleTimeString()}; refreshes every 3 s.`;
  } catch (err) {
    notify(err);
  }
  operatorTimer = setTimeout(refreshOperator, 3000);
}

const when = (iso) => new Date(iso).toLocaleString();
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "Endpoint ep_… of ABCDEF…WXYZ (hooks.example.com) is disabled: <reason>." */
function endpointSentence(e) {
  const what = e.status === 'disabled'
    ? `is disabled: ${e.disabledReason ?? 'no reason given'}${e.failingSince ? ` (failing since ${when(e.failingSince)})` : ''}`
    : `has been failing since ${when(e.failingSince)}`;
  return el('li', { 'data-kind': 'endpoint', 'data-id': e.id, 'data-status': e.status },
    `Endpoint ${e.id} of ${short(e.owner)} (${e.host}) ${what}.`);
}

/** "tip.received (delivery msg_…) to endpoint ep_… of ABCDEF…WXYZ: 2 attempts, last answer HTTP 500; next attempt at <time>." */
function deliverySentence(d, endpointDisabled) {
  const last = d.lastResponseCode != null ? `last answer HTTP ${d.lastResponseCode}` : `last error: ${d.lastError ?? 'no answer'}`;
  const next = d.status === 'failed' ? 'no more attempts'
    : endpointDisabled ? 'on hold while its endpoint is disabled' : `next attempt at ${when(d.nextAttemptAt)}`;
  return el('li', { 'data-kind': 'delivery', 'data-id': d.id, 'data-status': d.status },
    `${d.eventType} (delivery ${d.id}) to endpoint ${d.endpointId} of ${short(d.owner)}: ${plural(d.attempts, 'attempt')}, ${last}; ${next}.`);
}

function push(series, value) {
  series.push(Number(value));
  if (series.length > 60) series.shift();
}

function facts(dl, pairs) {
  dl.replaceChildren(...pairs.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: String(v) })]));
}

// ---------- start ----------
renderSession(currentSession());
route();
detectNetwork();
