// Fans tipping a creator's tip jar from ethers wallets, as a dApp does: FANS new wallets (funded
// on the local chain with ganache's evm_setAccountBalance), each sending TIPS tips of TIP_WEI wei
// with tip(creator, memo), one after the other per fan, all fans at once.
// Prints one JSON line: {"fans": [...addresses], "txs": [...hashes]}. Run by EvmTipsHttpTest with
// EVM_RPC_URL, TIP_JAR, CREATOR, FANS, TIPS and TIP_WEI; PAUSE_MS (default 0) spaces each fan's tips
// (EvmTipsCrashTest: the burst lasts long enough to kill the node in the middle of it).
import { Contract, JsonRpcProvider, Wallet, toBeHex } from 'ethers';

const provider = new JsonRpcProvider(process.env.EVM_RPC_URL, undefined, { staticNetwork: true });
const jar = process.env.TIP_JAR;
const creator = process.env.CREATOR;
const fans = Number(process.env.FANS ?? 10);
const tips = Number(process.env.TIPS ?? 10);
const wei = BigInt(process.env.TIP_WEI ?? '1000000000000000');
const pause = Number(process.env.PAUSE_MS ?? 0);
const abi = ['function tip(address creator, string memo) payable'];

const wallets = [];
for (let i = 0; i < fans; i++) {
  const w = Wallet.createRandom().connect(provider);
  await provider.send('evm_setAccountBalance', [w.address, toBeHex(10n ** 21n)]);
  wallets.push(w);
}
const txs = [];
// Each fan sends its tips one after the other, each once mined (the fans run side by side). Strict
// instamine mines each on arrival, but under load ganache 7.9 now and then leaves a transaction that
// arrived during a block's mining in its pool until the next one arrives: after 2 s without a
// receipt the script asks for a block (evm_mine).
async function mined(hash) {
  for (let waited = 0; waited < 60000; waited += 100) {
    const receipt = await provider.getTransactionReceipt(hash);
    if (receipt) {
      if (receipt.status !== 1) throw new Error(`tip ${hash} reverted`);
      return receipt;
    }
    if (waited > 0 && waited % 2000 === 0) await provider.send('evm_mine', []);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`tip ${hash} was not mined in 60 s`);
}
await Promise.all(wallets.map(async (w) => {
  const contract = new Contract(jar, abi, w);
  let nonce = await provider.getTransactionCount(w.address, 'latest');
  for (let t = 0; t < tips; t++) {
    const sent = await contract.tip(creator, `tip ${t} from ${w.address}`, { value: wei, nonce: nonce++, gasLimit: 200000n });
    txs.push(sent.hash);
    await mined(sent.hash);
    if (pause > 0) await new Promise((r) => setTimeout(r, pause));
  }
}));
console.log(JSON.stringify({ fans: wallets.map((w) => w.address), txs }));
