// Reproduces ganache 7.9's "next nonce stays queued" behaviour with raw transactions only (no
// Mintline code): one signer sends contract creations with nonces n, n+1, n+2, ... in quick
// succession to a ganache child process started as LocalEvmNode starts it, then reads what was
// mined, ganache's txpool_content, and whether re-sending a queued transaction whose nonce is
// next gets it mined (and only once). Run from the repository root:
//
//   node deploy/src/test/js/ganache-nonce-race.mjs [trials=20] [perTrial=3] [gapMs=0]
//
// Modes compared: instamine strict (what Mintline uses), instamine eager (ganache's default),
// interval mining (--miner.blockTime 1), and strict with "send the next only after the node
// answered the previous" (nonce order, each after the node accepted the previous one).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Wallet, keccak256, getCreateAddress } from 'ethers';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const cli = path.join(root, 'node_modules/ganache/dist/node/cli.js');
const trials = Number(process.argv[2] ?? 20);
const only = process.argv[5]; // a mode name prefix, e.g. 'strict'
const perTrial = Number(process.argv[3] ?? 3);
const gapMs = Number(process.argv[4] ?? 0);
const CHAIN_ID = 31337;
// Init code returning a 10-byte runtime (the contract of EvmDeployBench and EvmDeploymentTest).
const INIT_CODE = '0x600a600c600039600a6000f3602a60805260206080f3';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

async function startGanache(extra) {
  const port = await freePort();
  const child = spawn(process.execPath, [cli, '--server.host', '127.0.0.1', '--server.port', String(port),
    '--chain.chainId', String(CHAIN_ID), '--chain.hardfork', 'shanghai', '--wallet.deterministic', 'true',
    '--logging.quiet', 'true', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => { if (String(d).includes('RPC Listening on')) resolve(); });
    child.on('exit', (code) => reject(new Error('ganache exited ' + code)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

let id = 0;
async function rpc(url, method, params = [], timeoutMs = 10_000) {
  const res = await fetch(url, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }), signal: AbortSignal.timeout(timeoutMs),
  });
  const body = await res.json();
  if (body.error) throw new Error(body.error.message);
  return body.result;
}

async function signCreations(wallet, from, count) {
  const raws = [];
  for (let n = from; n < from + count; n++) {
    raws.push(await wallet.signTransaction({ type: 2, chainId: CHAIN_ID, nonce: n, gasLimit: 100_000,
      maxFeePerGas: 200_000_000_000n, maxPriorityFeePerGas: 2_000_000_000n, data: INIT_CODE, value: 0 }));
  }
  return raws;
}

/** Sends the raw transactions; concurrent: all fired gapMs apart without waiting for answers. */
async function send(url, raws, sequential) {
  const answers = [];
  if (sequential) {
    for (const raw of raws) answers.push(await rpc(url, 'eth_sendRawTransaction', [raw]).catch((e) => 'error: ' + e.message));
    return answers;
  }
  const pending = [];
  for (const raw of raws) {
    // eager instamine holds the answer of a queued transaction until it is mined: do not wait on it
    pending.push(rpc(url, 'eth_sendRawTransaction', [raw], 3_000).catch((e) => 'error: ' + e.message));
    if (gapMs > 0) await sleep(gapMs);
  }
  return Promise.all(pending);
}

async function poolOf(url, address) {
  const pool = await rpc(url, 'txpool_content');
  const pick = (section) => Object.keys(Object.entries(section).find(([a]) => a.toLowerCase() === address.toLowerCase())?.[1] ?? {})
    .map(Number).sort((a, b) => a - b);
  return { pending: pick(pool.pending), queued: pick(pool.queued) };
}

async function trial(url, sequential) {
  const wallet = Wallet.createRandom();
  await rpc(url, 'evm_setAccountBalance', [wallet.address, '0x' + (10n ** 24n).toString(16)]);
  await rpc(url, 'evm_mine'); // with a block time the balance counts from the next block
  // Start each trial at a nonce above 0 as a running signer would: one transaction mined first.
  const [first] = await signCreations(wallet, 0, 1);
  await rpc(url, 'eth_sendRawTransaction', [first]);
  for (let i = 0; i < 150 && Number(await rpc(url, 'eth_getTransactionCount', [wallet.address, 'latest'])) < 1; i++) await sleep(20);
  const raws = await signCreations(wallet, 1, perTrial);
  const answers = await send(url, raws, sequential);
  await sleep(1_500);
  const mined = Number(await rpc(url, 'eth_getTransactionCount', [wallet.address, 'latest']));
  const pool = await poolOf(url, wallet.address);
  const result = { mined, expected: perTrial + 1, pool, errors: answers.filter((a) => String(a).startsWith('error')) };
  if (mined < perTrial + 1) {
    // Re-send, in nonce order, each queued transaction whose nonce is next (the account's mined count).
    let rebroadcasts = 0;
    for (let round = 0; round < perTrial * 2; round++) {
      const next = Number(await rpc(url, 'eth_getTransactionCount', [wallet.address, 'latest']));
      if (next >= perTrial + 1) break;
      const raw = raws[next - 1];
      const receipt = await rpc(url, 'eth_getTransactionReceipt', [keccak256(raw)]);
      if (receipt == null) {
        (result.resendAnswers ??= []).push(await rpc(url, 'eth_sendRawTransaction', [raw])
          .then((h) => h === keccak256(raw) ? 'same hash' : h, (e) => 'error: ' + e.message));
        rebroadcasts++;
      }
      for (let i = 0; i < 150 && Number(await rpc(url, 'eth_getTransactionCount', [wallet.address, 'latest'])) === next; i++) await sleep(20);
    }
    await sleep(500);
    result.rebroadcasts = rebroadcasts;
    result.minedAfterResend = Number(await rpc(url, 'eth_getTransactionCount', [wallet.address, 'latest']));
    result.poolAfterResend = await poolOf(url, wallet.address);
  }
  // One contract per nonce, none beyond: nothing was executed twice.
  const codes = [];
  for (let n = 0; n <= perTrial + 1; n++) codes.push((await rpc(url, 'eth_getCode', [getCreateAddress({ from: wallet.address, nonce: n }), 'latest'])) !== '0x');
  result.contracts = codes.filter(Boolean).length;
  result.beyond = codes[perTrial + 1];
  return result;
}

async function resendSemantics(atNonce) {
  // What a re-send of one's own raw transaction, and a replacement at +20 % fees, answer while it
  // is pooled and executable (no automatic mining) and after it is mined; counts what was
  // executed by the account's nonce (one transaction signed: one execution expected).
  const chain = await startGanache(['--miner.blockTime', '86400']);
  try {
    const out = { atNonce };
    for (const replace of [false, true]) {
      const wallet = Wallet.createRandom();
      await rpc(chain.url, 'evm_setAccountBalance', [wallet.address, '0x' + (10n ** 24n).toString(16)]);
      await rpc(chain.url, 'evm_mine');
      for (const raw of await signCreations(wallet, 0, atNonce)) await rpc(chain.url, 'eth_sendRawTransaction', [raw]);
      if (atNonce > 0) await rpc(chain.url, 'evm_mine');
      const [raw] = await signCreations(wallet, atNonce, 1);
      await rpc(chain.url, 'eth_sendRawTransaction', [raw]);
      const again = replace
        ? await wallet.signTransaction({ type: 2, chainId: CHAIN_ID, nonce: atNonce, gasLimit: 100_000,
          maxFeePerGas: 240_000_000_000n, maxPriorityFeePerGas: 2_400_000_000n, data: INIT_CODE, value: 0 })
        : raw;
      const key = replace ? 'replacementWhilePooled' : 'resendWhilePooled';
      out[key] = await rpc(chain.url, 'eth_sendRawTransaction', [again]).then(() => 'accepted', (e) => 'error: ' + e.message);
      out[key + 'Pool'] = await poolOf(chain.url, wallet.address);
      await rpc(chain.url, 'evm_mine');
      if (!replace) {
        out.resendAfterMined = await rpc(chain.url, 'eth_sendRawTransaction', [raw]).then(() => 'accepted', (e) => 'error: ' + e.message);
        await rpc(chain.url, 'evm_mine');
      }
      out[key + 'Executions'] = Number(await rpc(chain.url, 'eth_getTransactionCount', [wallet.address, 'latest'])) - atNonce;
    }
    console.log(JSON.stringify(out));
  } finally {
    chain.stop();
  }
}

const modes = [
  ['strict, concurrent', ['--miner.instamine', 'strict'], false],
  ['eager, concurrent', ['--miner.instamine', 'eager'], false],
  ['blockTime 1 s, concurrent', ['--miner.blockTime', '1'], false],
  ['strict, each after the previous answer', ['--miner.instamine', 'strict'], true],
];
console.log(`ganache-nonce-race: ${trials} trials per mode, nonces 1..${perTrial} after nonce 0 mined, sends ${gapMs} ms apart`);
for (const [name, args, sequential] of modes.filter(([name]) => !only || name.startsWith(only))) {
  const chain = await startGanache(args);
  let stuck = 0;
  const samples = [];
  try {
    for (let t = 0; t < trials; t++) {
      const r = await trial(chain.url, sequential);
      if (r.mined < r.expected) { stuck++; if (samples.length < 3) samples.push(r); }
      if (r.contracts !== r.expected || r.beyond) console.log(`  ${name}: trial ${t} made ${r.contracts} contracts (expected ${r.expected})`, JSON.stringify(r));
    }
  } finally {
    chain.stop();
  }
  console.log(`${name}: ${stuck} of ${trials} trials left a transaction unmined after 1.5 s`);
  for (const s of samples) console.log('  ' + JSON.stringify(s));
}
await resendSemantics(0);
await resendSemantics(1);
