// The product path as a wallet dApp walks it, with the JavaScript algosdk against a running node
// and its chain: a creator logs in and becomes a creator; 20 fans send 100 tips; exactly 100
// stickers are listed; every golden draw is recomputed from the block seed fetched from algod;
// fans opt in and claim; the chain refuses a fan's transfer of a claimed (frozen) sticker.
//
//   MINTLINE_URL=http://127.0.0.1:8080 ALGOD_URL=http://127.0.0.1:4001 ALGOD_TOKEN=aaa… \
//     node --test --test-reporter=tap product-path.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import algosdk from 'algosdk';

const base = process.env.MINTLINE_URL;
const algodUrl = new URL(process.env.ALGOD_URL ?? 'http://127.0.0.1:4001');
const token = process.env.ALGOD_TOKEN ?? 'a'.repeat(64);
const algod = new algosdk.Algodv2(token, `${algodUrl.protocol}//${algodUrl.hostname}`, algodUrl.port);
const FANS = Number(process.env.FANS ?? 20);
const TIPS_PER_FAN = Number(process.env.TIPS_PER_FAN ?? 5);
const CLAIMS = Number(process.env.CLAIMS ?? 3);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Every wallet is its own user behind the operator's reverse proxy (the node trusts 127.0.0.1 as
// one and counts anonymous requests per X-Forwarded-For address), as 20 fans on 20 machines would
// be. Like any client, it waits out a 429 for as long as Retry-After says.
let nextClient = 1;
const clientIps = new Map();
function clientIp(who) {
  if (!clientIps.has(who)) clientIps.set(who, `10.0.${Math.floor(nextClient / 250)}.${(nextClient++ % 250) + 1}`);
  return clientIps.get(who);
}

async function api(method, path, { bearer, body, headers = {}, as = 'anonymous' } = {}) {
  for (;;) {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: {
        'X-Forwarded-For': clientIp(as),
        ...(body ? { 'Content-Type': 'application/json' } : {}),
        ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}),
        ...headers,
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    let json;
    try { json = JSON.parse(text); } catch { json = { raw: text }; }
    if (r.status === 429) {
      await sleep(1000 * Number(r.headers.get('retry-after') ?? 1));
      continue;
    }
    return { status: r.status, body: json };
  }
}

async function login(account) {
  const address = account.addr.toString();
  const nonce = await api('GET', `/api/v1/auth/nonce?address=${address}`, { as: address });
  assert.equal(nonce.status, 200, JSON.stringify(nonce.body));
  const signature = Buffer.from(algosdk.signBytes(new TextEncoder().encode(nonce.body.message), account.sk)).toString('base64');
  const r = await api('POST', '/api/v1/auth/login', { body: { address, message: nonce.body.message, signature }, as: address });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.accessToken;
}

async function eventually(what, timeoutMs, probe) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last.done) return last.value;
    await sleep(250);
  }
  assert.fail(`${what} not reached within ${timeoutMs} ms; last: ${JSON.stringify(last?.value)}`);
}

async function send(signed) {
  const { txid } = await algod.sendRawTransaction(signed).do();
  return algosdk.waitForConfirmation(algod, txid, 20);
}

// RFC 4648 base32 without padding, as Algorand writes txids.
function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const out = [];
  for (const c of text) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  return Buffer.from(out);
}

const state = {};

test('the creator logs in and becomes a creator', async () => {
  const response = await fetch(`${algodUrl.origin}/devnet/accounts`, { headers: { 'X-Algo-API-Token': token } });
  assert.equal(response.status, 200);
  state.faucet = algosdk.mnemonicToSecretKey((await response.json()).accounts[0].mnemonic);
  state.creator = algosdk.generateAccount();
  state.creatorToken = await login(state.creator);
  const key = `product-path-${Date.now()}`;
  const as = state.creator.addr.toString();
  const first = await api('POST', '/api/v1/creators', { bearer: state.creatorToken, body: { displayName: 'Product Path' }, headers: { 'Idempotency-Key': key }, as });
  assert.equal(first.status, 202, JSON.stringify(first.body));
  const again = await api('POST', '/api/v1/creators', { bearer: state.creatorToken, body: { displayName: 'Product Path' }, headers: { 'Idempotency-Key': key }, as });
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.equal(again.body.deploymentId, first.body.deploymentId);
  state.deployment = await eventually('deployment active', 90_000, async () => {
    const d = await api('GET', `/api/v1/deployments/${first.body.deploymentId}`, { bearer: state.creatorToken, as });
    assert.equal(d.status, 200, JSON.stringify(d.body));
    assert.notEqual(d.body.status, 'failed', JSON.stringify(d.body));
    return { done: d.body.status === 'active', value: d.body };
  });
  assert.ok(state.deployment.appId > 0);
  assert.equal(state.deployment.appAddress, algosdk.getApplicationAddress(BigInt(state.deployment.appId)).toString());
});

test(`${FANS} fans send ${FANS * TIPS_PER_FAN} tips`, async () => {
  state.fans = Array.from({ length: FANS }, () => ({ account: algosdk.generateAccount(), tips: [] }));
  for (const fan of state.fans) fan.token = await login(fan.account);
  let params = await algod.getTransactionParams().do();
  const funding = state.fans.map((fan) => algosdk.makePaymentTxnWithSuggestedParamsFromObject({
    sender: state.faucet.addr, receiver: fan.account.addr, amount: 20_000_000, suggestedParams: params,
  }).signTxn(state.faucet.sk));
  await Promise.all(funding.map(send));
  params = await algod.getTransactionParams().do();
  await Promise.all(state.fans.map(async (fan, f) => {
    for (let i = 0; i < TIPS_PER_FAN; i++) {
      const pay = algosdk.makePaymentTxnWithSuggestedParamsFromObject({
        sender: fan.account.addr, receiver: state.deployment.appAddress, amount: 100_000 + f * 100 + i,
        note: new TextEncoder().encode(`tip ${f}.${i}`), suggestedParams: params,
      });
      const { txid } = await algod.sendRawTransaction(pay.signTxn(fan.account.sk)).do();
      fan.tips.push(txid);
    }
  }));
  await Promise.all(state.fans.flatMap((fan) => fan.tips.map((txid) => algosdk.waitForConfirmation(algod, txid, 20))));
});

test('exactly one sticker per tip is listed, for the fan who sent it', async () => {
  const total = FANS * TIPS_PER_FAN;
  await eventually(`${total} stickers`, 180_000, async () => {
    let count = 0;
    for (const fan of state.fans) {
      if (fan.stickers?.length === fan.tips.length) { count += fan.stickers.length; continue; }
      const r = await api('GET', `/api/v1/wallets/${fan.account.addr}/stickers?limit=100`, { bearer: fan.token, as: fan.account.addr.toString() });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      fan.stickers = r.body.items;
      count += r.body.items.length;
    }
    if (count < total) await sleep(750);
    return { done: count >= total, value: count };
  });
  await sleep(2_000); // a duplicate would show up on the read side within this
  const assetIds = new Set();
  for (const fan of state.fans) {
    const r = await api('GET', `/api/v1/wallets/${fan.account.addr}/stickers?limit=100`, { bearer: fan.token, as: fan.account.addr.toString() });
    assert.deepEqual(r.body.items.map((s) => s.tipTxId).sort(), [...fan.tips].sort(), 'one sticker for each of this fan\'s tips');
    for (const s of r.body.items) assetIds.add(s.assetId);
    fan.stickers = r.body.items;
  }
  assert.equal(assetIds.size, total, 'every sticker is its own asset');
});

test('every golden draw recomputes from the block seed algod serves', async () => {
  let golden = 0;
  for (const fan of state.fans) {
    for (const sticker of fan.stickers) {
      const draw = await api('GET', `/api/v1/stickers/${sticker.assetId}/draw`, { bearer: fan.token, as: fan.account.addr.toString() });
      assert.equal(draw.status, 200, JSON.stringify(draw.body));
      const block = await algod.block(draw.body.round).do();
      const seed = Buffer.from(block.block.header.seed);
      assert.equal(seed.toString('base64'), draw.body.seed, `seed of round ${draw.body.round}`);
      const digest = createHash('sha512-256').update(Buffer.concat([seed, base32Decode(sticker.tipTxId)])).digest();
      const value = Number(BigInt(`0x${digest.toString('hex')}`) % 10000n);
      assert.equal(draw.body.value, value);
      assert.equal(value < draw.body.threshold, sticker.golden, `golden flag of ${sticker.assetId}`);
      assert.equal(draw.body.recordedGolden, sticker.golden);
      const asset = await algod.getAssetByID(sticker.assetId).do();
      assert.equal(asset.params.name, sticker.golden ? 'Mintline Golden Sticker' : 'Mintline Sticker');
      assert.equal(asset.params.total, 1n);
      assert.equal(asset.params.defaultFrozen, true);
      if (sticker.golden) golden++;
    }
  }
  console.log(`# golden ${golden}`);
});

test('fans opt in and claim; the chain refuses to move a claimed sticker', async () => {
  const claimers = state.fans.slice(0, CLAIMS);
  const receiver = state.fans[state.fans.length - 1];
  for (const fan of claimers) {
    const sticker = fan.stickers[0];
    const fanToken = fan.token;
    const as = fan.account.addr.toString();
    const before = await api('POST', `/api/v1/stickers/${sticker.assetId}/claim`, { bearer: fanToken, as });
    assert.equal(before.status, 409, JSON.stringify(before.body));
    assert.equal(before.body.error, 'not_opted_in');
    for (const who of [fan, receiver]) {
      const params = await algod.getTransactionParams().do();
      await send(algosdk.makeAssetTransferTxnWithSuggestedParamsFromObject({
        sender: who.account.addr, receiver: who.account.addr, assetIndex: sticker.assetId, amount: 0, suggestedParams: params,
      }).signTxn(who.account.sk));
    }
    const claim = await api('POST', `/api/v1/stickers/${sticker.assetId}/claim`, { bearer: fanToken, as });
    assert.equal(claim.status, 200, JSON.stringify(claim.body));
    assert.equal(claim.body.status, 'claimed');
    const holding = await algod.accountAssetInformation(fan.account.addr, sticker.assetId).do();
    assert.equal(holding.assetHolding.amount, 1n);
    assert.equal(holding.assetHolding.isFrozen, true);
    const params = await algod.getTransactionParams().do();
    const transfer = algosdk.makeAssetTransferTxnWithSuggestedParamsFromObject({
      sender: fan.account.addr, receiver: receiver.account.addr, assetIndex: sticker.assetId, amount: 1, suggestedParams: params,
    }).signTxn(fan.account.sk);
    await assert.rejects(algod.sendRawTransaction(transfer).do(), /frozen/i, 'a soulbound sticker cannot be transferred');
    const still = await algod.accountAssetInformation(fan.account.addr, sticker.assetId).do();
    assert.equal(still.assetHolding.amount, 1n);
  }
});
