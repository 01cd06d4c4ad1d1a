// Sends tips to TipProxy app addresses with the JavaScript algosdk, the way a wallet dApp does:
// plain payments, and every fifth one grouped with a NoOp call of the creator's app.
//
//   ALGOD_URL=… ALGOD_TOKEN=… FAN_MNEMONIC="…" TIPS=1000 APPS="appId:appAddress,…" node send-tips.mjs
//
// FAN_MNEMONICS="…,…" instead of FAN_MNEMONIC: tip i comes from fan i mod the number of fans (many
// wallets, spread over the cluster's shards). TIPS_PER_SECOND paces the burst (default: as fast as
// the chain takes them).
// Prints "sent <txid>" for every accepted tip payment and "progress <n>" every 50, then "done <n>".
// Retries a submission the devnet refuses with 503 (paused) until it is accepted.
import algosdk from 'algosdk';

const url = new URL(process.env.ALGOD_URL);
const algod = new algosdk.Algodv2(process.env.ALGOD_TOKEN, `${url.protocol}//${url.hostname}`, url.port);
const fans = (process.env.FAN_MNEMONICS ?? process.env.FAN_MNEMONIC).split(',').map((m) => algosdk.mnemonicToSecretKey(m.trim()));
const tips = Number(process.env.TIPS ?? 1000);
const perSecond = Number(process.env.TIPS_PER_SECOND ?? 0);
const apps = process.env.APPS.split(',').map((pair) => {
  const [id, address] = pair.split(':');
  return { id: BigInt(id), address };
});
const BATCH = 25;

async function submit(bytes) {
  for (let attempt = 0; ; attempt++) {
    try {
      await algod.sendRawTransaction(bytes).do();
      return;
    } catch (e) {
      if (attempt > 200) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function tip(i, params) {
  const app = apps[i % apps.length];
  const fan = fans[i % fans.length];
  const pay = algosdk.makePaymentTxnWithSuggestedParamsFromObject({
    sender: fan.addr,
    receiver: app.address,
    amount: 100_000 + i,
    note: new TextEncoder().encode(`tip ${i} ${Date.now()}`),
    suggestedParams: params,
  });
  if (i % 5 === 4) {
    const call = algosdk.makeApplicationNoOpTxnFromObject({ sender: fan.addr, appIndex: app.id, suggestedParams: params });
    algosdk.assignGroupID([pay, call]);
    const signed = [pay.signTxn(fan.sk), call.signTxn(fan.sk)];
    const group = new Uint8Array(signed[0].length + signed[1].length);
    group.set(signed[0]);
    group.set(signed[1], signed[0].length);
    await submit(group);
  } else {
    await submit(pay.signTxn(fan.sk));
  }
  return pay.txID();
}

let sent = 0;
const began = Date.now();
for (let start = 0; start < tips; start += BATCH) {
  if (perSecond > 0) {
    const due = began + (start * 1000) / perSecond;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
  }
  const params = await algod.getTransactionParams().do();
  const ids = await Promise.all(
    Array.from({ length: Math.min(BATCH, tips - start) }, (_, k) => tip(start + k, params)));
  for (const id of ids) console.log(`sent ${id}`);
  const before = sent;
  sent += ids.length;
  if (Math.floor(sent / 50) > Math.floor(before / 50)) console.log(`progress ${sent}`);
  await new Promise((r) => setTimeout(r, 20));
}
console.log(`done ${sent}`);
