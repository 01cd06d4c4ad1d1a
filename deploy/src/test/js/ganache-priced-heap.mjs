// Reproduces ganache 7.9's "transaction locked in the pool and never mined" stall with raw
// transactions only (no Mintline code): account C sends a long-running cheap transaction (a
// contract creation that loops until it runs out of gas, 1 wei priority fee); while ganache
// executes it, account E sends a dearer one (a transfer of nothing to itself, 1 gwei priority).
// Then: is E's transaction mined, where does txpool_content have it, what does sending it again
// answer, and does evm_mine mine it. Run from the repository root:
//
//   node deploy/src/test/js/ganache-priced-heap.mjs [trials=10] [mode-prefix]
//
// Why it happens (ganache's miner.js, in its dist source map): in instamine mode every executable
// arrival calls the miner; a busy miner then pushes the arrival into its `priced` heap and locks
// it (updatePricedHeap), skipping only arrivals priced *below* the transaction being executed.
// A dearer arrival becomes the heap's top, and when the executing transaction is done the miner
// removes the top (removeBest / replaceBest), assuming it is the one it just executed: it removes
// the dearer arrival instead, which stays `locked` at the head of its sender's pending queue, out
// of the heap. setPricedHeap skips locked transactions, reset unlocks only what is in the heap,
// and a resend is refused as a replacement of a transaction being mined. Interval mining
// (--miner.blockTime) does not call the miner per arrival and mines each block from a fresh heap.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { Wallet, keccak256 } from 'ethers';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const cli = path.join(root, 'node_modules/ganache/dist/node/cli.js');
const trials = Number(process.argv[2] ?? 10);
const only = process.argv[3];
const CHAIN_ID = 31337;
// JUMPDEST PUSH1 0 JUMP: loops until the gas is gone (mined, status 0), tens of milliseconds.
const BURN = '0x5b600056';
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
  return { url: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => child.kill() };
}

/** CPU seconds (user + system) of a process so far, from /proc (Linux). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
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

const hex = (n) => '0x' + BigInt(n).toString(16);

async function funded(url) {
  const w = Wallet.createRandom();
  await rpc(url, 'evm_setAccountBalance', [w.address, hex(10n ** 24n)]);
  for (let i = 0; i < 200 && BigInt(await rpc(url, 'eth_getBalance', [w.address, 'latest'])) === 0n; i++) await sleep(10);
  return w;
}

async function poolOf(url, address) {
  const pool = await rpc(url, 'txpool_content');
  const pick = (section) => Object.keys(Object.entries(section).find(([a]) => a.toLowerCase() === address.toLowerCase())?.[1] ?? {})
    .map(Number).sort((a, b) => a - b);
  return { pending: pick(pool.pending), queued: pick(pool.queued) };
}

async function mined(url, hash, ms) {
  const until = Date.now() + ms;
  do {
    if (await rpc(url, 'eth_getTransactionReceipt', [hash])) return true;
    await sleep(20);
  } while (Date.now() < until);
  return false;
}

async function trial(url, delayMs, poke) {
  const [c, e] = [await funded(url), await funded(url)];
  const cheap = await c.signTransaction({ type: 2, chainId: CHAIN_ID, nonce: 0, gasLimit: 3_000_000,
    maxFeePerGas: 200_000_000_000n, maxPriorityFeePerGas: 1n, data: BURN, value: 0 });
  const dear = await e.signTransaction({ type: 2, chainId: CHAIN_ID, nonce: 0, gasLimit: 21_000,
    maxFeePerGas: 200_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n, to: e.address, value: 0 });
  let poking = poke;
  const poker = (async () => {
    // Another client's dev-chain call (evm_setAccountBalance mines an empty block) during the trial.
    while (poking) { await rpc(url, 'evm_setAccountBalance', [Wallet.createRandom().address, '0x1']).catch(() => {}); await sleep(5); }
  })();
  // Not awaited: eager instamine answers only once the transaction is mined.
  const cheapSent = rpc(url, 'eth_sendRawTransaction', [cheap]).catch((err) => 'error: ' + err.message);
  await sleep(delayMs);
  const dearSent = rpc(url, 'eth_sendRawTransaction', [dear], 5_000).catch((err) => 'error: ' + err.message);
  const ok = await mined(url, keccak256(dear), 3_000);
  poking = false;
  await Promise.all([poker, cheapSent, dearSent]);
  const out = { delayMs, cheapMined: await mined(url, keccak256(cheap), 3_000), dearMined: ok };
  if (!ok) {
    out.pool = await poolOf(url, e.address);
    out.resend = await rpc(url, 'eth_sendRawTransaction', [dear]).then(() => 'accepted', (err) => 'error: ' + err.message);
    await rpc(url, 'evm_mine');
    out.afterEvmMine = await mined(url, keccak256(dear), 1_000);
  }
  return out;
}

const modes = [
  ['instamine strict (LocalEvmNode before)', ['--miner.instamine', 'strict'], false],
  ['instamine eager (ganache default)', ['--miner.instamine', 'eager'], false],
  ['blockTime 0.1 s', ['--miner.blockTime', '0.1'], false],
  ['blockTime 0.1 s with evm_setAccountBalance calls meanwhile', ['--miner.blockTime', '0.1'], true],
  ['blockTime 0.5 s', ['--miner.blockTime', '0.5'], false],
];
const delays = [5, 10, 20, 40, 80];
console.log(`ganache-priced-heap: ${trials} trials per mode, the dear transaction sent ${delays.join('/')} ms after the cheap one`);
for (const [name, args, poke] of modes.filter(([name]) => !only || name.startsWith(only))) {
  const chain = await startGanache(args);
  let stuck = 0;
  const samples = [];
  try {
    for (let t = 0; t < trials; t++) {
      const r = await trial(chain.url, delays[t % delays.length], poke);
      if (!r.dearMined) { stuck++; if (samples.length < 2) samples.push(r); }
    }
    const cpu0 = cpuSeconds(chain.pid);
    await sleep(10_000);
    const idle = (cpuSeconds(chain.pid) - cpu0) / 10;
    console.log(`${name}: ${stuck} of ${trials} dear transactions unmined after 3 s; idle CPU ${(idle * 100).toFixed(1)} %`);
  } finally {
    chain.stop();
  }
  for (const s of samples) console.log('  ' + JSON.stringify(s));
}
