// A wallet's view of the Mintline devnet, driven by the JavaScript algosdk from npm, unchanged.
//
// Run against a running devnet:  ALGOD_URL=http://127.0.0.1:4001 ALGOD_TOKEN=aaaa… node --test devnet/src/test/js/
// DevnetJsClientTest starts an in-process devnet on an ephemeral port and runs this file for the Maven build.
//
// The steps share one chain and run in order: each builds on the accounts and the asset of the one before.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import algosdk from 'algosdk';

const ALGOD_URL = process.env.ALGOD_URL;
const ALGOD_TOKEN = process.env.ALGOD_TOKEN ?? 'a'.repeat(64);

/** Enough for a fresh account to pay fees, hold one asset and create one (min balances 0.1 Algo each). */
const FAUCET_GRANT = 10_000_000n;
const PAYMENT = 1_000_000n;
/** waitForConfirmation's bound: a devnet makes a round per second at most by default, instantly in tests. */
const WAIT_ROUNDS = 10;

function algodClient() {
  const url = new URL(ALGOD_URL);
  return new algosdk.Algodv2(ALGOD_TOKEN, `${url.protocol}//${url.hostname}`, url.port || (url.protocol === 'https:' ? 443 : 80));
}

async function devnetPost(path, body) {
  const res = await fetch(new URL(path, ALGOD_URL), {
    method: 'POST',
    headers: { 'X-Algo-API-Token': ALGOD_TOKEN, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  assert.equal(res.status, 200, `POST ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

async function devnetGet(path) {
  const res = await fetch(new URL(path, ALGOD_URL), { headers: { 'X-Algo-API-Token': ALGOD_TOKEN } });
  const text = await res.text();
  assert.equal(res.status, 200, `GET ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

async function submit(algod, signedBytes) {
  const { txid } = await algod.sendRawTransaction(signedBytes).do();
  return algosdk.waitForConfirmation(algod, txid, WAIT_ROUNDS);
}

/** The error algod gives for a rejected submission: HTTP status and its JSON message. */
async function rejectionOf(promise) {
  try {
    await promise;
  } catch (err) {
    return { status: err.response?.status, message: String(err.message) };
  }
  return null;
}

/**
 * The txids of a block, recomputed as SDK users do: algod stores each transaction without its genesis
 * fields (`hgi`/`hgh` say they were there), so they are put back from the block header before hashing.
 */
function txidsOf(block) {
  return block.payset.map((inBlock) => {
    const txn = inBlock.signedTxn.signedTxn.txn;
    const fields = txn.toEncodingData();
    if (inBlock.hasGenesisID) fields.set('gen', block.header.genesisID);
    // go-algorand restores the genesis hash whenever the protocol requires one, which it always does now.
    fields.set('gh', block.header.genesisHash);
    return algosdk.Transaction.fromEncodingData(fields).txID();
  });
}

describe('a wallet on the devnet, through the JavaScript algosdk', { skip: ALGOD_URL ? false : 'ALGOD_URL is not set: start a devnet and point ALGOD_URL/ALGOD_TOKEN at it' }, () => {
  let algod;
  let params;
  const creator = algosdk.generateAccount();
  const holder = algosdk.generateAccount();
  let payment;
  let assetId;
  let clawback;

  before(() => {
    algod = algodClient();
  });

  it('talks to an algod that knows its genesis', async () => {
    const status = await algod.status().do();
    assert.ok(status.lastRound >= 0n, 'status has a last round');
    params = await algod.getTransactionParams().do();
    assert.ok(params.genesisID.length > 0, 'params name a genesis id');
    assert.equal(params.genesisHash.length, 32, 'params carry a 32-byte genesis hash');
    assert.ok(params.minFee >= 1000n, `min fee is at least 1000 µAlgo, was ${params.minFee}`);
  });

  it('lists funded genesis accounts whose mnemonics give their addresses', async () => {
    const listed = await devnetGet('/devnet/accounts');
    const { accounts } = listed;
    assert.ok(Array.isArray(accounts) && accounts.length > 0, `no accounts in ${JSON.stringify(listed)}`);
    const first = accounts[0];
    assert.equal(algosdk.mnemonicToSecretKey(first.mnemonic).addr.toString(), first.address);
    const info = await algod.accountInformation(first.address).do();
    assert.ok(info.amount > FAUCET_GRANT, `genesis account ${first.address} holds only ${info.amount} µAlgo`);
  });

  it('funds a new account from the faucet', async () => {
    const before = await algod.accountInformation(creator.addr).do();
    assert.equal(before.amount, 0n, 'a freshly generated account starts empty');
    const { txId } = await devnetPost('/devnet/fund', { address: creator.addr.toString(), microAlgos: Number(FAUCET_GRANT) });
    const confirmed = await algosdk.waitForConfirmation(algod, txId, WAIT_ROUNDS);
    assert.ok(confirmed.confirmedRound > 0n);
    const after = await algod.accountInformation(creator.addr).do();
    assert.equal(after.amount, FAUCET_GRANT);
  });

  it('pays another account and sees the payment confirmed, fee charged', async () => {
    params = await algod.getTransactionParams().do();
    const txn = algosdk.makePaymentTxnWithSuggestedParamsFromObject({
      sender: creator.addr,
      receiver: holder.addr,
      amount: PAYMENT,
      note: new TextEncoder().encode('mintline devnet js test'),
      suggestedParams: params,
    });
    const confirmed = await submit(algod, txn.signTxn(creator.sk));
    assert.ok(confirmed.confirmedRound > 0n, 'payment has a confirmed round');
    assert.equal(confirmed.txn.txn.txID(), txn.txID(), 'pending info describes the payment that was sent');
    payment = { txid: txn.txID(), round: confirmed.confirmedRound, fee: txn.fee };

    const holderInfo = await algod.accountInformation(holder.addr).do();
    assert.equal(holderInfo.amount, PAYMENT);
    const creatorInfo = await algod.accountInformation(creator.addr).do();
    assert.equal(creatorInfo.amount, FAUCET_GRANT - PAYMENT - txn.fee);
  });

  it('creates a default-frozen ASA with freeze and clawback held by its creator', async () => {
    params = await algod.getTransactionParams().do();
    const txn = algosdk.makeAssetCreateTxnWithSuggestedParamsFromObject({
      sender: creator.addr,
      total: 1,
      decimals: 0,
      defaultFrozen: true,
      unitName: 'STKR',
      assetName: 'Mintline sticker',
      assetURL: 'https://mintline.example/sticker/1#arc3',
      manager: creator.addr,
      reserve: creator.addr,
      freeze: creator.addr,
      clawback: creator.addr,
      suggestedParams: params,
    });
    const confirmed = await submit(algod, txn.signTxn(creator.sk));
    assert.ok(confirmed.assetIndex > 0n, 'pending info names the new asset id');
    assetId = confirmed.assetIndex;

    const asset = await algod.getAssetByID(assetId).do();
    assert.equal(asset.params.total, 1n);
    assert.equal(asset.params.decimals, 0);
    assert.equal(asset.params.defaultFrozen, true);
    assert.equal(asset.params.unitName, 'STKR');
    assert.equal(asset.params.creator, creator.addr.toString());
    assert.equal(asset.params.freeze, creator.addr.toString());
    assert.equal(asset.params.clawback, creator.addr.toString());

    const creatorHolding = (await algod.accountAssetInformation(creator.addr, assetId).do()).assetHolding;
    assert.equal(creatorHolding.amount, 1n, 'the creator holds the whole supply');
  });

  it('opts the second account in, frozen by default', async () => {
    params = await algod.getTransactionParams().do();
    const optIn = algosdk.makeAssetTransferTxnWithSuggestedParamsFromObject({
      sender: holder.addr,
      receiver: holder.addr,
      amount: 0,
      assetIndex: assetId,
      suggestedParams: params,
    });
    await submit(algod, optIn.signTxn(holder.sk));
    const holding = (await algod.accountAssetInformation(holder.addr, assetId).do()).assetHolding;
    assert.equal(holding.amount, 0n);
    assert.equal(holding.isFrozen, true, 'a default-frozen asset opts in frozen');
  });

  it('delivers the asset by clawback despite the freeze', async () => {
    params = await algod.getTransactionParams().do();
    const txn = algosdk.makeAssetTransferTxnWithSuggestedParamsFromObject({
      sender: creator.addr,
      assetSender: creator.addr,
      receiver: holder.addr,
      amount: 1,
      assetIndex: assetId,
      suggestedParams: params,
    });
    const confirmed = await submit(algod, txn.signTxn(creator.sk));
    clawback = { txid: txn.txID(), round: confirmed.confirmedRound };
    const holding = (await algod.accountAssetInformation(holder.addr, assetId).do()).assetHolding;
    assert.equal(holding.amount, 1n);
    assert.equal(holding.isFrozen, true);
  });

  it('rejects a transfer by the frozen holder and leaves the holding where it was', async () => {
    params = await algod.getTransactionParams().do();
    const txn = algosdk.makeAssetTransferTxnWithSuggestedParamsFromObject({
      sender: holder.addr,
      receiver: creator.addr,
      amount: 1,
      assetIndex: assetId,
      suggestedParams: params,
    });
    const rejection = await rejectionOf(algod.sendRawTransaction(txn.signTxn(holder.sk)).do());
    assert.ok(rejection, 'the frozen holder was able to transfer the asset');
    assert.equal(rejection.status, 400, `rejected with HTTP ${rejection.status}: ${rejection.message}`);
    assert.match(rejection.message, /frozen/i);

    const holding = (await algod.accountAssetInformation(holder.addr, assetId).do()).assetHolding;
    assert.equal(holding.amount, 1n, 'the rejected transfer moved the asset');
    const lookup = await rejectionOf(algod.pendingTransactionInformation(txn.txID()).do());
    assert.equal(lookup?.status, 404, 'the rejected transfer is neither pending nor confirmed');
  });

  it('finds the payment and the clawback in the blocks of their confirmation rounds', async () => {
    for (const { txid, round } of [payment, clawback]) {
      const { block } = await algod.block(round).do();
      assert.equal(block.header.round, round);
      assert.equal(block.header.genesisID, params.genesisID);
      assert.deepEqual(block.header.genesisHash, params.genesisHash);
      assert.equal(block.header.seed.length, 32, 'block has a 32-byte seed');
      for (const inBlock of block.payset) {
        assert.equal(inBlock.signedTxn.signedTxn.txn.genesisHash, undefined, 'in-block transactions carry no genesis hash');
      }
      const txids = txidsOf(block);
      assert.ok(txids.includes(txid), `txid ${txid} not among ${JSON.stringify(txids)} of round ${round}`);
    }
  });
});
